/**
 * The control functions as the library exports them: each loads the control bundle on first use,
 * so a worker that only imports the library does not pay for `node:net` and the client code. An
 * operation without client logic of its own is one line here over the table (./operations).
 */
import { loadBundle } from '../bundles.js';
import type { DaemonEvent } from './daemon-event.js';
import type { DaemonStatus } from './daemon-status.js';
import type { EventsOptions } from './events.js';
import type { AnswerOf, OperationName, ParamsOf, ReloadResult } from './operations.js';
import type { CallOptions } from './operate.js';
import type { StatusOptions } from './status.js';
import type { StopOptions } from './stop.js';

/** Options of {@link restart}. */
export interface RestartOptions extends CallOptions {
  /** Milliseconds to wait until the new worker runs (is ready, with waitReady); default 60000. */
  timeout?: number;
}

/** Options of {@link reload}. */
export interface ReloadOptions extends CallOptions {
  /** Milliseconds to wait for the whole reload; default 120000. */
  timeout?: number;
}

/** The public call of operation `name`, which takes no parameters: the bundle's generic client call. */
function plainCall<N extends OperationName>(name: N): (pidFile: string, options?: CallOptions) => Promise<AnswerOf<N>> {
  return (pidFile, options) => loadBundle('control').operate(pidFile, name, {} as ParamsOf<N>, options);
}

/**
 * What the daemon behind `pidFile` is doing: `running` or `restarting` (with the supervisor's own
 * figures: pids, start times, starts, restarts, errors, the last exit, the command, the log; and
 * `usage`: CPU and memory of the worker's whole tree and the supervisor's RSS, read from /proc,
 * or from ps where there is no /proc),
 * `stopped` (no pid file; `ended` says how the last run ended, if known) or `dead` (a pid file
 * whose supervisor is gone; `leftovers` lists processes of its workers still running). Never hangs
 * past `options.timeout` (default 2000 ms).
 *
 * @throws XDaemonError when a supervisor answers but refuses the request (the state file beside
 *   the pid file cannot be read).
 */
export function status(pidFile: string, options?: StatusOptions): Promise<DaemonStatus> {
  return loadBundle('control').status(pidFile, options);
}

/**
 * Stops the daemon behind `pidFile` and resolves once its supervisor and its worker's whole tree
 * are gone. A daemon that is not running resolves at once (as `systemctl stop` of a stopped unit
 * succeeds); a dead one has its leftover processes stopped and its stale pid file removed. Never
 * signals a pid read from a file.
 *
 * @throws XDaemonError when that takes longer than `options.timeout` (default 30000 ms), or the
 *   supervisor refuses or does not answer.
 */
export function stop(pidFile: string, options?: StopOptions): Promise<void> {
  return loadBundle('control').stop(pidFile, options);
}

/**
 * Restarts the worker of the daemon behind `pidFile` (its tree is stopped gracefully, a new one
 * starts at once, the supervisor stays). Counted in `restarts`, never toward maxCount or maxError.
 * Resolves with the new worker's pid once it runs (with `waitReady`: once it is ready).
 *
 * @throws XDaemonError naming the pid file when no daemon runs there (`code: 'ESRCH'`), or the
 *   restart fails (`code: 'EBUSY'` while a reload is under way).
 */
export const restart: (pidFile: string, options?: RestartOptions) => Promise<{ workerPid: number }> = plainCall('restart');

/**
 * Reloads the daemon behind `pidFile` without a moment where fewer instances serve: for each
 * instance in turn a replacement starts, and the old worker is stopped gracefully only once the
 * replacement is ready (`waitReady`; without it, after `reloadGrace` ms). A replacement that fails
 * is stopped and the old worker keeps running. Counted in `reloads`, never toward maxCount or
 * maxError. One reload at a time per daemon: a second request meanwhile is refused.
 *
 * @throws XDaemonError naming the pid file when no daemon runs there (`code: 'ESRCH'`), naming
 *   the instance whose replacement failed (`code: 'ERELOAD'`), or refused while another restart
 *   or reload is under way (`code: 'EBUSY'`).
 */
export const reload: (pidFile: string, options?: ReloadOptions) => Promise<ReloadResult> = plainCall('reload');

/**
 * Follows the daemon behind `pidFile`: first its status (`{ kind: 'subscribed', status }`), then
 * every event of its supervisor (a worker's start, ready, exit, a restart delay, a stop, a
 * reload's steps, …) as a typed record `{ kind, time, instance?, pid?, …fields }`, in order, as
 * it happens. Iterating ends when the supervisor exits (after its
 * `exiting` record), when the loop breaks, or when `options.signal` aborts. A subscriber that
 * reads too slowly gets a last record `{ kind: 'dropped', reason }` and is disconnected: the
 * supervisor never waits for it.
 *
 * @example
 * ```ts
 * for await (const event of events('app.pid')) {
 *   if (event.kind === 'exit') console.log(`worker ${event.pid} exited: ${event.code ?? event.signal}`);
 * }
 * ```
 *
 * @throws XDaemonError (from the iteration) with `code: 'ESRCH'` when no daemon runs there, or
 *   when its supervisor refuses the subscription or does not answer.
 */
export function events(pidFile: string, options?: EventsOptions): AsyncIterableIterator<DaemonEvent> {
  return loadBundle('control').events(pidFile, options);
}

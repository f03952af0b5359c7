/**
 * The control functions as the library exports them: each loads the control bundle on first use,
 * so a worker that only imports the library does not pay for `node:net` and the client code.
 */
import { loadBundle } from '../bundles.js';
import type { ReloadOptions, ReloadResult } from './reload.js';
import type { RestartOptions } from './restart.js';
import type { DaemonStatus, StatusOptions } from './status.js';
import type { StopOptions } from './stop.js';

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
 * @throws XDaemonError naming the pid file when no daemon runs there, or the restart fails.
 */
export function restart(pidFile: string, options?: RestartOptions): Promise<{ workerPid: number }> {
  return loadBundle('control').restart(pidFile, options);
}

/**
 * Reloads the daemon behind `pidFile` without a moment where fewer instances serve: for each
 * instance in turn a replacement starts, and the old worker is stopped gracefully only once the
 * replacement is ready (`waitReady`; without it, after `reloadGrace` ms). A replacement that fails
 * is stopped and the old worker keeps running. Counted in `reloads`, never toward maxCount or
 * maxError. One reload at a time per daemon: a second request meanwhile is refused.
 *
 * @throws XDaemonError naming the pid file when no daemon runs there, or naming the instance whose
 *   replacement failed.
 */
export function reload(pidFile: string, options?: ReloadOptions): Promise<ReloadResult> {
  return loadBundle('control').reload(pidFile, options);
}

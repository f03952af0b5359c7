/** `reload(pidFile)`: replace the workers of a running daemon one by one, each only once its replacement is ready. */
import { XDaemonError } from '../errors.js';
import { controlCall } from './call.js';
import { ask, findDaemon } from './find-daemon.js';
import type { ReloadedInstance } from './protocol.js';

/** Options of {@link reload}. */
export interface ReloadOptions {
  /** Milliseconds to wait for the whole reload; default 120000. */
  timeout?: number;
}

/** What a reload did. */
export interface ReloadResult {
  /** Per instance, in the order they were reloaded: its new worker, the old one, how long it took. */
  instances: ReloadedInstance[];
}

/**
 * Reloads the daemon behind `pidFile`: for each instance in turn its replacement starts, and the
 * old worker is stopped gracefully only once the replacement is ready (with `waitReady`; without,
 * after `reloadGrace`). Counted in `reloads`, never toward maxCount or maxError. Leaves no timer
 * behind once settled.
 *
 * @throws XDaemonError naming the pid file when no daemon runs there, or naming the instance whose
 *   replacement failed (that instance's old worker keeps running, later ones are not touched).
 */
export function reload(pidFile: string, options: ReloadOptions = {}): Promise<ReloadResult> {
  return controlCall(async ({ signal }) => {
    const daemon = findDaemon(pidFile);
    const answer = await ask(daemon, 'reload', options.timeout ?? 120_000, signal);
    if (answer === 'unreachable') throw new XDaemonError(`cannot reload: no daemon runs for ${daemon.pidFile}`, { code: 'ESRCH' });
    if (answer === 'unresponsive') throw new XDaemonError(`the supervisor of ${daemon.pidFile} did not finish the reload in time`);
    if (!answer.response.ok) throw new XDaemonError(`the reload of ${daemon.pidFile} failed: ${answer.response.error}`, { code: 'ERELOAD' });
    return { instances: answer.response.reloaded ?? [] };
  });
}

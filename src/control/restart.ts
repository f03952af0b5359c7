/** `restart(pidFile)`: restart the worker of a running daemon, from any process. */
import { XDaemonError } from '../errors.js';
import { controlCall } from './call.js';
import { ask, findDaemon } from './find-daemon.js';

/** Options of {@link restart}. */
export interface RestartOptions {
  /** Milliseconds to wait until the new worker runs (is ready, with waitReady); default 60000. */
  timeout?: number;
}

/**
 * Restarts the worker of the daemon behind `pidFile`: its tree is stopped gracefully and a new
 * worker starts at once; the supervisor (and its pid) stays. Counted in `restarts`, never toward
 * maxCount or maxError. Resolves with the new worker's pid once it runs (with `waitReady`: once it
 * is ready).
 *
 * @throws XDaemonError naming the pid file when no daemon runs there, or the restart fails.
 */
export function restart(pidFile: string, options: RestartOptions = {}): Promise<{ workerPid: number }> {
  return controlCall(async ({ signal }) => {
    const daemon = findDaemon(pidFile);
    const answer = await ask(daemon, 'restart', options.timeout ?? 60_000, signal);
    if (answer === 'unreachable') throw new XDaemonError(`cannot restart: no daemon runs for ${daemon.pidFile}`, { code: 'ESRCH' });
    if (answer === 'unresponsive') throw new XDaemonError(`the supervisor of ${daemon.pidFile} did not finish the restart in time`);
    if (!answer.response.ok) throw new XDaemonError(`the restart of ${daemon.pidFile} failed: ${answer.response.error}`);
    const workerPid = answer.response.workerPid;
    if (workerPid === undefined) throw new XDaemonError(`the supervisor of ${daemon.pidFile} did not name the new worker`);
    return { workerPid };
  });
}

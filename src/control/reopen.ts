/** `reopen(pidFile)`: ask a running daemon's supervisor to reopen its log files (after a flush or a rotation). */
import { XDaemonError } from '../errors.js';
import { controlCall } from './call.js';
import { ask, findDaemon } from './find-daemon.js';

/**
 * Asks the supervisor of `pidFile` to reopen its log files at their paths (what SIGHUP does).
 * Resolves with false when no daemon runs there (nothing holds the files open then).
 *
 * @throws XDaemonError when the supervisor refuses, cannot reopen, or does not answer in time.
 */
export function reopen(pidFile: string, options: { timeout?: number } = {}): Promise<boolean> {
  return controlCall(async ({ signal }) => {
    const daemon = findDaemon(pidFile);
    const answer = await ask(daemon, 'reopen', options.timeout ?? 5000, signal);
    if (answer === 'unreachable') return false;
    if (answer === 'unresponsive') throw new XDaemonError(`the supervisor of ${daemon.pidFile} did not answer the reopen request in time`);
    if (!answer.response.ok) throw new XDaemonError(`the supervisor of ${daemon.pidFile} could not reopen its log: ${answer.response.error}`);
    return true;
  });
}

/**
 * The client call of an operation that needs no logic of its own around the request (`restart`,
 * `reload`, `reopen`, and whichever is added next): find the daemon, ask its supervisor, resolve
 * with the answer, or reject with an XDaemonError that says why there is none. `status`, `stop`
 * and `events` add their own logic on top of the same request (./status, ./stop, ./events).
 */
import { XDaemonError } from '../errors.js';
import { controlCall } from './call.js';
import { callOperation, findDaemon } from './find-daemon.js';
import { type AnswerOf, OPERATIONS, type OperationName, type ParamsOf } from './operations.js';

/** Options of a call. */
export interface CallOptions {
  /** Milliseconds to wait for the answer (each operation has its default: see ./operations). */
  timeout?: number;
}

/**
 * Asks the daemon behind `pidFile` operation `name` and resolves with the answer (less `ok`).
 *
 * @throws XDaemonError with `code: 'ESRCH'` when no daemon runs there; naming the pid file when
 *   the supervisor does not answer within the timeout; with the supervisor's own `code` (`EBUSY`,
 *   `ERELOAD`, …) when it refuses or the operation fails.
 */
export function operate<N extends OperationName>(pidFile: string, name: N, params: ParamsOf<N>, options: CallOptions = {}): Promise<AnswerOf<N>> {
  return controlCall(async ({ signal }) => {
    const daemon = findDaemon(pidFile);
    const answer = await callOperation(daemon, name, params, options.timeout ?? OPERATIONS[name].timeout, signal);
    if (answer === 'unreachable') throw new XDaemonError(`cannot ${name}: no daemon runs for ${daemon.pidFile}`, { code: 'ESRCH' });
    if (answer === 'unresponsive') throw new XDaemonError(`the supervisor of ${daemon.pidFile} did not finish the ${name} in time`);
    const { response } = answer;
    if (!response.ok) throw new XDaemonError(`the ${name} of ${daemon.pidFile} failed: ${response.error}`, { code: response.code, reason: response.error });
    const { ok: _ok, ...rest } = response;
    return rest as AnswerOf<N>;
  });
}

/**
 * Asks the supervisor of `pidFile` to reopen its log files at their paths (what SIGHUP does), for
 * `xdaemon flush` and after a rotation. Resolves with false when no daemon runs there (nothing
 * holds the files open then).
 *
 * @throws XDaemonError when the supervisor cannot reopen, or does not answer in time.
 */
export async function reopen(pidFile: string, options: CallOptions = {}): Promise<boolean> {
  try {
    await operate(pidFile, 'reopen', {}, options);
    return true;
  } catch (err) {
    if (err instanceof XDaemonError && err.code === 'ESRCH') return false;
    throw err;
  }
}

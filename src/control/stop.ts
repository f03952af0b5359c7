/** `stop(pidFile)`: stop the daemon behind a pid file, from any process, and wait until it is gone. */
import { rmSync } from 'node:fs';
import { XDaemonError } from '../errors.js';
import { isRunning } from '../process/proc.js';
import { stopTree } from '../process/stop-tree.js';
import { stateFileOf } from './address.js';
import { type CallScope, controlCall } from './call.js';
import { type FoundDaemon, callOperation, findDaemon } from './find-daemon.js';
import { OPERATIONS } from './operations.js';
import { readState, writeState } from './state-file.js';

/** Options of {@link stop}. */
export interface StopOptions {
  /** Milliseconds to wait until the supervisor and its worker's tree are gone (default 30000). */
  timeout?: number;
}

/**
 * Stops the daemon behind `pidFile`: its supervisor stops the worker's whole tree (SIGTERM, its
 * killTimeout, SIGKILL) and exits. Resolves once the supervisor and the worker's tree are gone.
 * A daemon that is not running resolves at once, as `systemctl stop` of a stopped unit succeeds;
 * a dead one (its supervisor was SIGKILLed) has its leftover processes stopped and its stale pid
 * file removed. No pid read from a file is ever signalled.
 *
 * @throws XDaemonError when it takes longer than `timeout`, or the supervisor refuses or does not answer.
 */
export function stop(pidFile: string, options: StopOptions = {}): Promise<void> {
  return controlCall((scope) => stopFound(findDaemon(pidFile), options.timeout ?? OPERATIONS.stop.timeout, scope));
}

/** How long one stop request waits for its answer (the answer comes at once; the stop takes longer). */
const ASK_MS = 5000;

async function stopFound(daemon: FoundDaemon, timeout: number, scope: CallScope): Promise<void> {
  const deadline = Date.now() + timeout;
  let answer = await callOperation(daemon, 'stop', {}, Math.min(timeout, ASK_MS), scope.signal);
  // A supervisor that ends by itself (it gave up) may close the connection without an answer:
  // asked again, it is gone.
  if (answer === 'unresponsive') answer = await callOperation(findDaemon(daemon.pidFile), 'stop', {}, Math.max(1, Math.min(deadline - Date.now(), ASK_MS)), scope.signal);
  // No supervisor (any more): the files as they are now, not as they were before the request.
  if (answer === 'unreachable') return cleanUpAfter(findDaemon(daemon.pidFile));
  if (answer === 'unresponsive') throw new XDaemonError(`the supervisor of ${daemon.pidFile} did not answer the stop request`);
  if (!answer.response.ok) throw new XDaemonError(`the supervisor of ${daemon.pidFile} refused to stop: ${answer.response.error}`, { code: answer.response.code, reason: answer.response.error });
  const left = deadline - Date.now();
  const closed = await Promise.race([answer.closed.then(() => true), scope.sleep(Math.max(0, left)).then(() => false)]);
  // A hosted daemon's supervision ends without its process (the host runs on): the close says it is done.
  const hosted = daemon.record?.host !== undefined;
  const pid = hosted ? undefined : (readState(stateFileOf(daemon.pidFile))?.pid ?? daemon.record?.pid);
  while (closed && pid !== undefined && isRunning(pid) && Date.now() < deadline) await scope.sleep(10);
  if (!closed || (pid !== undefined && isRunning(pid))) {
    throw new XDaemonError(`the daemon of ${daemon.pidFile} was still stopping after ${timeout} ms`);
  }
}

/**
 * No supervisor holds the daemon's lock (any more): it was never started, it has exited (perhaps
 * just now, as it got our request), or it was killed. Only in the last case does its state file
 * lack an end; then its workers may live on (a non-Node worker does not watch its parent).
 */
async function cleanUpAfter(daemon: FoundDaemon): Promise<void> {
  const stateFile = stateFileOf(daemon.pidFile);
  const { record } = daemon;
  if (record !== undefined && record.ended === undefined) {
    await stopTree({ pid: -1, starttime: record.starttime }, { killTimeout: 5000, mark: { prefix: record.treePrefix } });
    try {
      writeState(stateFile, { ...record, ended: { at: new Date().toISOString(), code: null, signal: 'SIGKILL', reason: 'the supervisor was gone (killed); stop() cleaned up', unwritten: [] } });
    } catch {
      // Informational only.
    }
  }
  rmSync(daemon.pidFile, { force: true });
}

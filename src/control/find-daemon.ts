/**
 * Finding the daemon behind a pid file and asking its supervisor one operation of the table
 * (./operations): the shared first step of every client call. Whether a supervisor runs is what its lock (the control
 * address) says, never what a pid in a file says: a pid may have been reused.
 */
import { existsSync } from 'node:fs';
import { absolutePidFile, controlAddress, stateFileOf } from './address.js';
import { type Answered, type NoAnswer, lockHeld, request } from './client.js';
import type { OperationName, ParamsOf } from './operations.js';
import type { ControlRequest, ControlResponse } from './protocol.js';
import { type StateRecord, readState } from './state-file.js';

/** What is known of a daemon before asking it anything. */
export interface FoundDaemon {
  /** The absolute pid file. */
  pidFile: string;
  address: string;
  /** The state file's record, if it can be read. */
  record: StateRecord | undefined;
  /** Whether the pid file exists. */
  hasPidFile: boolean;
}

/** Locates the daemon of `pidFile` (relative to the working directory). */
export function findDaemon(pidFile: string): FoundDaemon {
  if (typeof pidFile !== 'string' || pidFile === '') throw new TypeError('xdaemon: pidFile must be a non-empty string');
  const abs = absolutePidFile(pidFile);
  return { pidFile: abs, address: controlAddress(abs), record: readState(stateFileOf(abs)), hasPidFile: existsSync(abs) };
}

/** How long a client gives a lock to tell whether it is still held. */
const LOCK_PROBE_MS = 1000;

/**
 * Asks the daemon's supervisor operation `name` with `params`, with the key from its state file,
 * within `timeout` ms and the call's `signal` (see ./call). A supervisor that exits as the request
 * arrives (a stop during a restart delay, a give-up) may close the connection before an answer:
 * when its lock is released after that, no supervisor runs there any more, and the answer is
 * `unreachable`, as if none had listened (the caller then reads the state and pid files as they
 * are now).
 */
export async function callOperation<N extends OperationName>(
  daemon: FoundDaemon,
  name: N,
  params: ParamsOf<N>,
  timeout: number,
  signal: AbortSignal,
): Promise<Answered<ControlResponse<N>> | NoAnswer> {
  const message = { op: name, key: daemon.record?.key ?? '', ...(Object.keys(params as object).length === 0 ? {} : { params }) } as ControlRequest;
  const answer = await request(daemon.address, message, timeout, signal);
  if (answer === 'unresponsive' && !(await lockHeld(daemon.address, LOCK_PROBE_MS, signal))) return 'unreachable';
  // The supervisor answers each operation with that operation's row.
  return answer as Answered<ControlResponse<N>> | NoAnswer;
}

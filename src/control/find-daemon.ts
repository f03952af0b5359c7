/**
 * Finding the daemon behind a pid file and asking its supervisor something: the shared first step
 * of `status()`, `stop()` and `restart()`. Whether a supervisor runs is what its lock (the control
 * address) says, never what a pid in a file says: a pid may have been reused.
 */
import { existsSync } from 'node:fs';
import { absolutePidFile, controlAddress, stateFileOf } from './address.js';
import { type Answered, type NoAnswer, lockHeld, request } from './client.js';
import type { ControlOp } from './protocol.js';
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
 * Sends `op` to the daemon's supervisor with the key from its state file, within `timeout` ms and
 * the call's `signal` (see ./call). A supervisor that exits as the request arrives (a stop during a
 * restart delay, a give-up) may close the connection before an answer: when its lock is released
 * after that, no supervisor runs there any more, and the answer is `unreachable`, as if none had
 * listened (the caller then reads the state and pid files as they are now).
 */
export async function ask(daemon: FoundDaemon, op: ControlOp, timeout: number, signal: AbortSignal): Promise<Answered | NoAnswer> {
  const answer = await request(daemon.address, { op, key: daemon.record?.key ?? '' }, timeout, signal);
  if (answer === 'unresponsive' && !(await lockHeld(daemon.address, LOCK_PROBE_MS, signal))) return 'unreachable';
  return answer;
}

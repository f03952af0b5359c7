/**
 * Finding the daemon behind a pid file and asking its supervisor something: the shared first step
 * of `status()`, `stop()` and `restart()`. Whether a supervisor runs is what its lock (the control
 * address) says, never what a pid in a file says: a pid may have been reused.
 */
import { existsSync } from 'node:fs';
import { absolutePidFile, controlAddress, stateFileOf } from './address.js';
import { type Answered, type NoAnswer, request } from './client.js';
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

/** Sends `op` to the daemon's supervisor with the key from its state file. */
export function ask(daemon: FoundDaemon, op: ControlOp, timeout: number): Promise<Answered | NoAnswer> {
  return request(daemon.address, { op, key: daemon.record?.key ?? '' }, timeout);
}

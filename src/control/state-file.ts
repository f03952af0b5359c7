/**
 * The state file beside a pid file (`<pidFile>.state`, mode 0o600): what the supervisor that owns
 * the pid file tells its clients that the pid file cannot hold (the pid file itself holds the pid
 * alone, for `kill $(cat app.pid)`): the control key, the tree token of its workers, what it runs,
 * and, once it has ended, how and why, with any lines its log could not take. It survives the
 * supervisor, so `status()` can say why a daemon stopped and `stop()` can find the workers of a
 * supervisor that was SIGKILLed.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { EndRecord, HostRef, LiveStatus } from './daemon-status.js';

/** The record. */
export interface StateRecord {
  v: 1;
  /** The supervising process: the daemon's own supervisor, or the host that runs it. */
  pid: number;
  /** Hosted: the host (`pid` is its pid; the daemon ends without it, and the pid file names a worker). */
  host?: HostRef;
  /** Clock ticks after boot at which the supervisor started (Linux; 0 elsewhere). */
  starttime: number;
  key: string;
  /** `XDAEMON_TREE=<id>.`: what the tree token of each of its workers (and their descendants) starts with. */
  treePrefix: string;
  /** ISO time. */
  startedAt: string;
  command: string[];
  logFile: string;
  /**
   * What the supervisor is doing, rewritten at every event of its loop (a start, a ready, an exit,
   * a restart delay), so that `status()` can read it without waking the supervisor.
   */
  live?: LiveStatus;
  ended?: EndRecord;
}

/** Reads the record at `path`; undefined when it is missing or unreadable. */
export function readState(path: string): StateRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as StateRecord;
    return record.v === 1 && typeof record.pid === 'number' ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `data` to `path` atomically (a temporary file beside it, then a rename) with `mode`. */
export function writeAtomically(path: string, data: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, data, { mode, flag: 'w' });
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}

/** Writes the record atomically, owner-only. */
export function writeState(path: string, record: StateRecord): void {
  writeAtomically(path, `${JSON.stringify(record)}\n`, 0o600);
}

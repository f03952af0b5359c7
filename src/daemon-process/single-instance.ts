/**
 * Single instance per pid file: the supervisor takes the daemon's control address (the lock that
 * dies with it), then writes the state file (mode 0o600) and the pid file (its pid alone, mode
 * 0o640), both atomically. At every exit it lives to see it records how it ended in the state
 * file and removes the pid file. A stale pid file (its supervisor SIGKILLed, its pid reused) is
 * simply taken over: only the lock says who runs.
 */
import { closeSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { controlAddress, stateFileOf } from '../control/address.js';
import { request } from '../control/client.js';
import type { LiveStatus } from '../control/protocol.js';
import { type EndRecord, type StateRecord, readState, writeAtomically, writeState } from '../control/state-file.js';
import { type ControlHandlers, listenControl } from './control-server.js';

/** A held pid file. */
export interface HeldPidFile {
  /** Starts answering control requests (those that came before wait until now). */
  answer(handlers: ControlHandlers): void;
  /** Records what the supervisor is doing in the state file (a failed write waits for the next). */
  update(live: LiveStatus): void;
  /** Records the end in the state file and gives the pid file up (synchronous: for exit handlers). */
  release(end: EndRecord): void;
  /** Resolves once every request received has its answer written, or after `limit` ms. */
  answered(limit: number): Promise<void>;
}

/** What the supervisor records of itself. */
export type OwnRecord = Omit<StateRecord, 'v' | 'key' | 'ended'>;

/**
 * Takes `pidFile` for this process. Resolves with the held pid file, or with the pid of the
 * supervisor that holds it (undefined when it cannot be told).
 */
export async function holdPidFile(pidFile: string, own: OwnRecord): Promise<HeldPidFile | { runningPid: number | undefined }> {
  const key = randomKey();
  const address = controlAddress(pidFile);
  const stateFile = stateFileOf(pidFile);
  const server = await listenControl(address, key);
  if (server === 'busy') return { runningPid: await holderPid(pidFile, address) };
  const record: StateRecord = { v: 1, ...own, key };
  try {
    writeState(stateFile, record);
    writeAtomically(pidFile, `${own.pid}\n`, 0o640);
  } catch (err) {
    server.close();
    throw err;
  }
  let released = false;
  let live: LiveStatus | undefined;
  return {
    answer: (handlers) => server.answer(handlers),
    answered: (limit) => server.answered(limit),
    update(now) {
      if (released) return;
      live = now;
      try {
        writeState(stateFile, { ...record, live });
      } catch {
        // A full disk: the next event writes again; the control channel always answers live.
      }
    },
    release(end) {
      if (released) return;
      released = true;
      try {
        writeState(stateFile, { ...record, ...(live === undefined ? {} : { live }), ended: end });
      } catch {
        // A full disk: the supervisor hands its last lines to the system log instead.
      }
      if (pidOf(pidFile) === own.pid) rmSync(pidFile, { force: true });
      server.close();
    },
  };
}

/** The pid of the supervisor holding `address`: its own answer, else what the pid file says. */
async function holderPid(pidFile: string, address: string): Promise<number | undefined> {
  const state = readState(stateFileOf(pidFile));
  if (state !== undefined) {
    const answer = await request(address, { op: 'status', key: state.key }, 2000);
    if (typeof answer !== 'string' && answer.response.ok && answer.response.status !== undefined) return answer.response.status.pid;
  }
  return pidOf(pidFile);
}

/** The pid in a pid file, or undefined. */
export function pidOf(pidFile: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return undefined;
  }
  const m = /^(\d+)\s*$/.exec(text.split('\n')[0] ?? '');
  return m ? Number(m[1]) : undefined;
}

/** 16 random bytes as hex: from /dev/urandom (loading node:crypto costs the supervisor 0.7 MB). */
function randomKey(): string {
  const bytes = Buffer.alloc(16);
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      readSync(fd, bytes, 0, 16, null);
    } finally {
      closeSync(fd);
    }
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('node:crypto') as typeof import('node:crypto')).randomFillSync(bytes);
  }
  return bytes.toString('hex');
}

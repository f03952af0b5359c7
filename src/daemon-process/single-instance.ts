/**
 * Single instance per pid file: the supervisor takes the daemon's control address (the lock that
 * dies with it), then writes the state file (mode 0o600) and the pid file (its pid alone, mode
 * 0o640), both atomically. At every exit it lives to see it records how it ended in the state
 * file and removes the pid file. A stale pid file (its supervisor SIGKILLed, its pid reused) is
 * simply taken over: only the lock says who runs. The detached entry (./entry) and `supervise()`
 * in the foreground take it the same way, with {@link holdOrExit}; a host takes one per daemon it
 * runs (./host), whose pid file names that daemon's worker instead (see {@link PidInFile}).
 */
import { closeSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { controlAddress, stateFileOf } from '../control/address.js';
import { request } from '../control/client.js';
import type { EndRecord, LiveStatus } from '../control/daemon-status.js';
import { type StateRecord, readState, writeAtomically, writeState } from '../control/state-file.js';
import { EXIT_ALREADY_RUNNING, messageOf } from '../errors.js';
import { identify } from '../process/stop-tree.js';
import type { SuperviseMode, SupervisorConfig } from './config.js';
import { type Dispatch, listenControl } from './control-server.js';
import { type HandshakeSender, failToBegin } from './handshake.js';

/** A held pid file. */
export interface HeldPidFile {
  /** Starts answering control requests (those that came before wait until now). */
  answer(dispatch: Dispatch): void;
  /** Records what the supervisor is doing in the state file (a failed write waits for the next). */
  update(live: LiveStatus): void;
  /** Records the end in the state file and gives the pid file up (synchronous: for exit handlers). */
  release(end: EndRecord): void;
  /** Resolves once every request received has its answer written, or after `limit` ms. */
  answered(limit: number): Promise<void>;
  /** Writes `pid` as the pid file (a hosted daemon's: its instance 0's worker, at each start). */
  writePid(pid: number): void;
  /** Ends the connections still open after the release (a hosted daemon: its process goes on). */
  hangUp(): void;
}

/**
 * What the pid file names: the supervisor process that holds it (its own process: a `kill` of it
 * stops the daemon), or, for a daemon a host runs, its instance 0's worker, written at each start
 * (pm2's `pid_file`: a `kill` of it is a crash that the supervisor restarts; the host is never
 * named, as a signal to it would reach every daemon it runs).
 */
export type PidInFile = 'holder' | 'worker';

/** What the supervisor records of itself. */
export type OwnRecord = Omit<StateRecord, 'v' | 'key' | 'ended'>;

/** This supervisor's record, for the worker `config.file args` whose trees' tokens begin with `treePrefix`. */
export function ownRecord(config: Pick<SupervisorConfig, 'file' | 'logFile'>, args: readonly string[], treePrefix: string, startedAt: Date): OwnRecord {
  const pid = process.pid;
  return { pid, starttime: identify(pid)?.starttime ?? 0, treePrefix, startedAt: startedAt.toISOString(), command: [config.file, ...args], logFile: config.logFile };
}

/**
 * Takes `pidFile` for this supervisor, or ends the process: when another supervisor holds it, the
 * launcher hears `refused` (in the foreground, stderr says who) and the exit code is 150
 * (EXIT_ALREADY_RUNNING); when it cannot be taken, the start fails (exit 1).
 */
export async function holdOrExit(pidFile: string, own: OwnRecord, handshake: HandshakeSender, mode: SuperviseMode): Promise<HeldPidFile> {
  let held: Awaited<ReturnType<typeof holdPidFile>>;
  try {
    held = await holdPidFile(pidFile, own);
  } catch (err) {
    failToBegin(handshake, mode, `cannot take the pid file ${pidFile}: ${messageOf(err)}`);
  }
  if (!('runningPid' in held)) return held;
  handshake.send({ kind: 'refused', runningPid: held.runningPid ?? 0 });
  const who = held.runningPid === undefined ? 'another supervisor' : `supervisor pid ${held.runningPid}`;
  if (mode === 'foreground') process.stderr.write(`xdaemon: already running: ${who} holds ${pidFile}\n`);
  process.exit(EXIT_ALREADY_RUNNING);
}

/**
 * Takes `pidFile` for this process. Resolves with the held pid file, or with the pid of the
 * supervisor that holds it (undefined when it cannot be told).
 */
export async function holdPidFile(pidFile: string, own: OwnRecord, pidInFile: PidInFile = 'holder'): Promise<HeldPidFile | { runningPid: number | undefined }> {
  const key = randomKey();
  const address = controlAddress(pidFile);
  const stateFile = stateFileOf(pidFile);
  const server = await listenControl(address, key);
  if (server === 'busy') return { runningPid: await holderPid(pidFile, address) };
  const record: StateRecord = { v: 1, ...own, key };
  /** The pid this holder wrote last (the pid file is removed at the end only while it holds that). */
  let written: number | undefined;
  try {
    writeState(stateFile, record);
    if (pidInFile === 'holder') {
      writeAtomically(pidFile, `${own.pid}\n`, 0o640);
      written = own.pid;
    } else {
      // The last run's file, if any, names a worker that is gone.
      rmSync(pidFile, { force: true });
    }
  } catch (err) {
    server.close();
    throw err;
  }
  let released = false;
  let live: LiveStatus | undefined;
  return {
    answer: (dispatch) => server.answer(dispatch),
    answered: (limit) => server.answered(limit),
    hangUp: () => server.hangUp(),
    writePid(pid) {
      if (released || pid === written) return;
      try {
        writeAtomically(pidFile, `${pid}\n`, 0o640);
        written = pid;
      } catch {
        // A full disk: the state file and the control channel still tell the worker's pid.
      }
    },
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
      if (written !== undefined && pidOf(pidFile) === written) rmSync(pidFile, { force: true });
      server.close();
    },
  };
}

/** The pid of the supervisor holding `address`: its own answer, else what the pid file says. */
async function holderPid(pidFile: string, address: string): Promise<number | undefined> {
  const state = readState(stateFileOf(pidFile));
  if (state !== undefined) {
    const answer = await request(address, { op: 'status', key: state.key }, 2000);
    if (typeof answer !== 'string' && answer.response.ok && 'status' in answer.response) return answer.response.status.pid;
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

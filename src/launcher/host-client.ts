/**
 * Handing a daemon to its state directory's host (../daemon-process/host): the host found by its
 * state file and lock, or started detached when there is none (it answers through the same
 * handshake as a supervisor: ./handshake), then asked to `add` the daemon with what a launcher
 * would hand a supervisor process of its own: the configuration, the worker's arguments and the
 * environment (the invoking one plus the daemon's additions; the host's own never reaches a
 * worker). The answer is the handshake's: the daemon supervises (or its first workers are up),
 * it runs already, or why it did not start. Many daemons of one command (a fleet file) share the
 * host's start and are added side by side, a few at a time. Nothing is printed here.
 */
import { closeSync } from 'node:fs';
import { controlAddress, stateFileOf } from '../control/address.js';
import { type Answered, type NoAnswer, request } from '../control/client.js';
import type { HostAnswerOf } from '../control/host-operations.js';
import type { Refusal } from '../control/protocol.js';
import { readState } from '../control/state-file.js';
import { XDaemonError, messageOf } from '../errors.js';
import { type SupervisorConfig, answersAfterStart } from '../daemon-process/config.js';
import { HOST_ENTRY, HOST_EXITING, type HostConfig, hostPaths } from '../daemon-process/host-config.js';
import { openLogFile } from '../log/log-file.js';
import { signalGroup } from '../process/process-group.js';
import { spawnDetached } from '../process/spawn-child.js';
import { readyWithin } from '../supervisor/health/health-settings.js';
import { TREE_ENV } from '../supervisor/tree-token.js';
import { SUPERVISING_TIMEOUT, createReceiver } from './handshake.js';
import { ALREADY_RUNNING, type Started } from './start-supervisor.js';

/** A running host, as a client reaches it. */
interface HostHandle {
  pid: number;
  address: string;
  key: string;
}

/** How many times an add goes to a new host when the one it found was exiting. */
const ATTEMPTS = 3;

/**
 * How many adds one client has in flight to one host at a time. The host does each add's work on
 * its one thread (a log opened, a lock taken, a worker spawned), so the adds of a fleet sent all at
 * once would be answered one after the other, and the last of 100 would wait for the 99 before it
 * beyond its own timeout; a few at a time keep the host as busy, and each timeout its own.
 */
const IN_FLIGHT = 4;

/** The adds waiting for a place in flight, and how many are in flight, by state directory. */
const flights = new Map<string, { running: number; waiting: (() => void)[] }>();

/** Runs `send` once fewer than {@link IN_FLIGHT} adds of this client are in flight to the host of `stateDir`. */
async function inFlight<T>(stateDir: string, send: () => Promise<T>): Promise<T> {
  let flight = flights.get(stateDir);
  if (flight === undefined) flights.set(stateDir, (flight = { running: 0, waiting: [] }));
  const own = flight;
  if (own.running >= IN_FLIGHT) await new Promise<void>((resolve) => own.waiting.push(resolve));
  else own.running++;
  try {
    return await send();
  } finally {
    // The place goes to the next one waiting as it is (running stays), else it is given back.
    const next = own.waiting.shift();
    if (next !== undefined) next();
    else if (--own.running === 0) flights.delete(stateDir);
  }
}

/** The hosts this process found or started, by state directory (a fleet's daemons share one start). */
const hosts = new Map<string, Promise<HostHandle>>();

/** The keys of hosts found gone (a state file without an end: its host was killed), never asked again. */
const gone = new Set<string>();

/**
 * Runs the daemon of `config` (its `pidFile` in `stateDir`) in the state directory's host, starting
 * the host when there is none (with environment `hostEnv`, the invoking one); the worker's
 * environment is made from `env`. Resolves as {@link startSupervisor} does, with the host's pid.
 *
 * @throws XDaemonError when it runs already (`code` {@link ALREADY_RUNNING}), cannot start, or the
 *   host cannot be started or does not answer.
 */
export async function startInHost(stateDir: string, config: SupervisorConfig, args: readonly string[], env: NodeJS.ProcessEnv, hostEnv: NodeJS.ProcessEnv): Promise<Started> {
  const waitReady = readyWithin(config.settings);
  const timeout = SUPERVISING_TIMEOUT + waitReady + (waitReady > 0 ? config.settings.killTimeout + 5000 : 0);
  const where = config.logFile === '' ? '' : `; see ${config.logFile}`;
  for (let attempt = 1; ; attempt++) {
    const host = await hostOf(stateDir, hostEnv, config.signalExit);
    const send = (): Promise<Answered<({ ok: true } & HostAnswerOf<'add'>) | Refusal> | NoAnswer> =>
      request<({ ok: true } & HostAnswerOf<'add'>) | Refusal>(host.address, { op: 'add', key: host.key, params: { config, args: [...args], env } }, timeout);
    // One that waits for its workers to be ready is answered long after the host's work for it is
    // done, and its timeout has that wait in it: it does not hold a place in flight meanwhile.
    const answer = await (answersAfterStart(config.settings) ? send() : inFlight(stateDir, send));
    const refusal = typeof answer === 'string' ? undefined : answer.response.ok ? undefined : answer.response;
    // The host exits (its last daemon just ended) or is gone: a new one.
    if (answer === 'unreachable' || refusal?.code === HOST_EXITING) {
      forget(stateDir, host);
      if (attempt < ATTEMPTS) continue;
      throw new XDaemonError(`the host of ${stateDir} kept exiting; try again`);
    }
    if (answer === 'unresponsive') throw new XDaemonError(`the host (pid ${host.pid}) did not answer within ${Math.round(timeout / 1000)} s${where}`);
    if (refusal !== undefined) throw new XDaemonError(`the host (pid ${host.pid}) refused the daemon: ${refusal.error}`, { code: refusal.code, reason: refusal.error });
    return startedOf((answer.response as { ok: true } & HostAnswerOf<'add'>).outcome, host.pid, config, where);
  }
}

/** What an add's outcome means, as the start of a supervisor of its own would say it. */
function startedOf(outcome: HostAnswerOf<'add'>['outcome'], hostPid: number, config: SupervisorConfig, where: string): Started {
  switch (outcome.kind) {
    case 'supervising':
      return { pid: outcome.pid };
    case 'ready':
      return { pid: hostPid, workerPid: outcome.workerPid, readySeconds: outcome.seconds };
    case 'started':
      return { pid: hostPid, workerPid: outcome.workerPid };
    case 'refused': {
      const who = outcome.runningPid === 0 ? 'another supervisor' : `supervisor pid ${outcome.runningPid}`;
      throw new XDaemonError(`already running: ${who} holds ${config.settings.pidFile}; nothing was started`, { code: ALREADY_RUNNING });
    }
    case 'failed':
      throw new XDaemonError(`the daemon did not start: ${outcome.message}${where}`);
  }
}

/** The host of `stateDir`: the one found before, the one whose state file and lock say it runs, or a new one. */
function hostOf(stateDir: string, hostEnv: NodeJS.ProcessEnv, signalExit: string | null): Promise<HostHandle> {
  let found = hosts.get(stateDir);
  if (found === undefined) {
    found = Promise.resolve().then(() => runningHost(stateDir) ?? startHost(stateDir, hostEnv, signalExit));
    hosts.set(stateDir, found);
    // A failure is not remembered: the next daemon tries again.
    found.catch(() => hosts.delete(stateDir));
  }
  return found;
}

/** `host` is exiting or gone: the next daemon finds (or starts) another. */
function forget(stateDir: string, host: HostHandle): void {
  gone.add(host.key);
  void hosts.get(stateDir)?.then((h) => h === host && hosts.delete(stateDir));
}

/** The host its state file names, when that one has not ended (its lock then decides: an add to a gone one is unreachable). */
function runningHost(stateDir: string): HostHandle | undefined {
  const { pidFile } = hostPaths(stateDir);
  const state = readState(stateFileOf(pidFile));
  if (state === undefined || state.ended !== undefined || gone.has(state.key)) return undefined;
  return { pid: state.pid, address: controlAddress(pidFile), key: state.key };
}

/**
 * Starts the host of `stateDir` and waits until it answers (another one that won the race serves as
 * well); `signalExit`: where signal-exit is, as the launcher resolved it for the daemons.
 */
function startHost(stateDir: string, hostEnv: NodeJS.ProcessEnv, signalExit: string | null): HostHandle {
  const paths = hostPaths(stateDir);
  const receiver = createReceiver();
  const env: NodeJS.ProcessEnv = { ...hostEnv };
  // The host carries nothing that would make it a member of a worker's tree, nor a loader of the caller's.
  delete env.NODE_OPTIONS;
  delete env[TREE_ENV];
  const config: HostConfig = { v: 1, stateDir, handshake: receiver.channel, signalExit };
  const fd = openLogFile(paths.log);
  let child: ReturnType<typeof spawnDetached>;
  try {
    child = spawnDetached({ file: process.execPath, args: [require.resolve(`./${HOST_ENTRY}`), JSON.stringify(config)], env, cwd: stateDir, outputFd: fd, extraStdio: receiver.stdio });
  } catch (err) {
    receiver.dispose();
    throw new XDaemonError(`cannot start the host of ${stateDir}: ${messageOf(err)}`, { cause: err });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  try {
    const outcome = receiver.wait(child, SUPERVISING_TIMEOUT, () => true);
    if (outcome.kind === 'supervising' || outcome.kind === 'refused') {
      const host = runningHost(stateDir);
      if (host !== undefined) return host;
    }
    if (outcome.kind === 'timeout') signalGroup(child.pid, 'SIGKILL');
    const why = outcome.kind === 'failed' ? outcome.message : outcome.kind === 'timeout' ? `no answer within ${SUPERVISING_TIMEOUT / 1000} s` : 'it exited while starting';
    throw new XDaemonError(`cannot start the host of ${stateDir}: ${why}; see ${paths.log}`);
  } finally {
    receiver.dispose();
  }
}

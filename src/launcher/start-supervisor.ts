/**
 * Starting a detached supervisor, for `Daemon.run()` and for the CLI alike: refuse at once if the
 * pid file's supervisor visibly runs, spawn the supervisor entry with the log as its output, and
 * wait for its handshake: until it handles stop signals, and with `waitReady` until the first
 * worker is ready. Nothing is printed here; failures are XDaemonErrors that say why.
 */
import { closeSync } from 'node:fs';
import { stateFileOf } from '../control/address.js';
import { readState } from '../control/state-file.js';
import { XDaemonError } from '../errors.js';
import { openLogFile } from '../log/log-file.js';
import { isPiped } from '../log/log-mode.js';
import { signalGroup } from '../process/process-group.js';
import { HAS_PROC, isRunning } from '../process/proc.js';
import { spawnDetached } from '../process/spawn-child.js';
import { identify } from '../process/stop-tree.js';
import { SUPERVISOR_ENTRY, type SupervisorConfig, answersAfterStart, configArgs } from '../daemon-process/config.js';
import { pidOf } from '../daemon-process/single-instance.js';
import { SUPERVISING_TIMEOUT, createReceiver } from './handshake.js';
import { readyWithin } from '../supervisor/health/health-settings.js';
import { tracer } from '../trace.js';

const trace = tracer('launcher');

/** The `code` of the XDaemonError thrown when the daemon already runs. */
export const ALREADY_RUNNING = 'EALREADYRUNNING';

/** A started daemon. */
export interface Started {
  /** The supervisor's pid. */
  pid: number;
  /** With waitReady: the first worker's pid and how long it took to be ready. */
  workerPid?: number;
  readySeconds?: number;
}

/**
 * Starts the supervisor for `config` and the worker's `args` with environment `env` (the
 * supervisor's own; it runs without NODE_OPTIONS). Throws an XDaemonError when it cannot, with
 * `code` {@link ALREADY_RUNNING} when the pid file's supervisor runs.
 */
export function startSupervisor(config: SupervisorConfig, args: readonly string[], env: NodeJS.ProcessEnv): Started {
  return spawnSupervisor(config, args, env).finish();
}

/** A supervisor spawned and not yet waited for: {@link PendingSupervisor.finish} waits for its handshake. */
export interface PendingSupervisor {
  /** The supervisor's pid. */
  readonly pid: number;
  /** Waits for its handshake; returns or throws as {@link startSupervisor} does. Once. */
  finish(): Started;
}

/**
 * The first half of {@link startSupervisor}: the refusal of a visibly running one and the spawn.
 * Spawning several before finishing any starts them in parallel (a fleet file): their start-ups
 * overlap, and each wait then finds its answer ready or nearly so.
 */
export function spawnSupervisor(config: SupervisorConfig, args: readonly string[], env: NodeJS.ProcessEnv): PendingSupervisor {
  const pidFile = config.settings.pidFile;
  if (pidFile !== '') {
    const running = runningSupervisor(pidFile);
    if (running !== undefined) throw alreadyRunning(running, pidFile);
  }
  const receiver = createReceiver();
  const supervisorEnv: NodeJS.ProcessEnv = { ...env };
  delete supervisorEnv.NODE_OPTIONS;
  const full: SupervisorConfig = { ...config, handshake: receiver.channel };
  // Beside this bundle in dist/ (require.resolve works from the CJS and the ESM builds alike).
  // `--` before the entry: Node (from 20.6) acts on an `--env-file` it finds among a script's own
  // arguments before `--` (nodejs/node#54232), and a worker's arguments follow the entry here.
  const entryArgs = [...supervisorFlags(config), '--', require.resolve(`./${SUPERVISOR_ENTRY}`), ...configArgs(full, args)];
  const fd = openLogFile(config.logFile);
  let child: ReturnType<typeof spawnDetached>;
  try {
    child = spawnDetached({ file: process.execPath, args: entryArgs, env: supervisorEnv, cwd: config.cwd, outputFd: fd, extraStdio: receiver.stdio });
  } catch (err) {
    receiver.dispose();
    throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  trace('supervisor pid %d spawned for %s', child.pid, config.file);
  return { pid: child.pid, finish: () => awaitHandshake(config, child, receiver) };
}

/** The second half of {@link startSupervisor}: the wait for the supervisor's answer. */
function awaitHandshake(config: SupervisorConfig, child: ReturnType<typeof spawnDetached>, receiver: ReturnType<typeof createReceiver>): Started {
  const pidFile = config.settings.pidFile;
  const pid = child.pid;
  const where = config.logFile === '' ? '' : `; see ${config.logFile}`;
  const waitReady = readyWithin(config.settings);
  try {
    const timeout = SUPERVISING_TIMEOUT + waitReady + (waitReady > 0 ? config.settings.killTimeout + 5000 : 0);
    const afterStart = answersAfterStart(config.settings);
    const outcome = receiver.wait(child, timeout, (m) => !afterStart || m.kind !== 'supervising');
    trace('supervisor pid %d answered: %o', pid, outcome);
    switch (outcome.kind) {
      case 'supervising':
        return { pid };
      case 'ready':
        return { pid, workerPid: outcome.workerPid, readySeconds: outcome.seconds };
      case 'started':
        return { pid, workerPid: outcome.workerPid };
      case 'refused':
        throw alreadyRunning(outcome.runningPid === 0 ? undefined : outcome.runningPid, pidFile);
      case 'failed':
        // The supervisor stops what it started and exits by itself; make sure of it.
        receiver.wait(child, config.settings.killTimeout + 5000, () => false);
        if (isRunning(pid)) signalGroup(pid, 'SIGKILL');
        throw new XDaemonError(`the daemon did not start: ${outcome.message}${where}`);
      case 'timeout':
        signalGroup(pid, 'SIGKILL');
        throw new XDaemonError(
          waitReady > 0
            ? `the supervisor (pid ${pid}) did not report a ready worker within ${Math.round(timeout / 1000)} s and was killed${where}`
            : `the supervisor (pid ${pid}) was not ready after ${SUPERVISING_TIMEOUT / 1000} s and was killed${where}`,
        );
      default:
        throw new XDaemonError(`the supervisor (pid ${pid}) exited while starting${where}`);
    }
  } finally {
    receiver.dispose();
  }
}

/**
 * Node flags of the supervisor process. A supervisor in direct mode is idle almost all the time:
 * V8's lite mode (no optimizing compiler, feedback allocated lazily) saves it ~1 MB of RSS (43.4 ->
 * 42.4 MB, bare node 39.2). In piped mode it moves every line of the worker's output and keeps
 * the optimizing compiler. (Lite mode turns WebAssembly off, and V8 says so on stderr unless told.)
 */
export function supervisorFlags(config: SupervisorConfig): string[] {
  return isPiped({ logFile: config.logFile, ...config.settings }) ? [] : ['--lite-mode', '--no-expose-wasm'];
}

function alreadyRunning(pid: number | undefined, pidFile: string): XDaemonError {
  const who = pid === undefined ? 'another supervisor' : `supervisor pid ${pid}`;
  return new XDaemonError(`already running: ${who} holds ${pidFile}; nothing was started`, { code: ALREADY_RUNNING });
}

/**
 * The pid of the supervisor that visibly holds `pidFile` (Linux: its pid and start time match the
 * state file's), so a second start is refused without starting anything. Elsewhere undefined: the
 * supervisor's lock decides, and refuses through the handshake.
 */
function runningSupervisor(pidFile: string): number | undefined {
  if (!HAS_PROC) return undefined;
  const pid = pidOf(pidFile);
  const state = readState(stateFileOf(pidFile));
  if (pid === undefined || state === undefined || state.pid !== pid || state.ended !== undefined) return undefined;
  const id = identify(pid);
  return id !== undefined && id.starttime === state.starttime && isRunning(pid) ? pid : undefined;
}

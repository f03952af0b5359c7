/**
 * The supervisor process: a {@link Supervisor} loop with what a process around it must do. Its
 * own timestamped lines in the log (and on stderr in the foreground: ./log-lines); its events as
 * records for subscribers (./event-stream); signals as operations (./signal-actions); with a pid
 * file, single instance (./single-instance), the control channel (./control-surface) and a state
 * file that follows the loop; the handshake with its launcher (./handshake); a last word (in the
 * log and the state file) whatever ends it; and its exit code. It runs none of the user's code:
 * `Daemon.run()` in the foreground and `xdaemon run` call it in their own process, the detached
 * entry (./entry) in one of its own.
 */
import { stateFileOf } from '../control/address.js';
import type { EndRecord, LiveStatus } from '../control/daemon-status.js';
import { shortMessageOf } from '../errors.js';
import { ENV_NAME } from '../generation.js';
import { type LogSink, createLogSink } from '../log/log-sink.js';
import { readEnvFiles } from '../process/env-file.js';
import { supervisorSettings } from '../settings/derived.js';
import { describeCommand } from '../process/command-line.js';
import { signalTree } from '../process/stop-tree.js';
import { CpuSampler } from '../supervisor/cpu-sampler.js';
import { namedDaemonDefaults } from '../settings/profiles.js';
import { readyWithin } from '../supervisor/health/health-settings.js';
import { onEveryEvent } from '../supervisor/supervisor-api.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { type SuperviseMode, type SupervisorConfig, answersAfterStart } from './config.js';
import type { Handlers } from './control-server.js';
import { controlSurface } from './control-surface.js';
import { EventStream, publishLoopEvents } from './event-stream.js';
import { HandshakeSender, failToBegin } from './handshake.js';
import { liveStatus } from './live-status.js';
import { PID1_WARNING, endText, endingText, eventLine, exitingText, startedText } from './log-lines.js';
import { setSupervisorTitle } from './process-title.js';
import { installSignalActions } from './signal-actions.js';
import { type HeldPidFile, holdOrExit, ownRecord } from './single-instance.js';
import { StateWrites } from './state-writes.js';

export type { SuperviseMode } from './config.js';

/** How long an exiting supervisor waits for its last answers and records to be written, at most. */
const ANSWER_WAIT_MS = 2000;

/** What a caller of {@link supervise} may add. */
export interface SuperviseOptions {
  /**
   * No log file: the worker's output goes to this process's own stdout and stderr (`xdaemon run`
   * without `--log`; time-prefixed with `timestamps`), the supervisor's lines to stderr.
   */
  toStdio?: boolean;
  /** What the detached entry did before loading this module (see ./entry). */
  early?: EarlyStart;
}

/** The detached entry's head start: it took the pid file (and answered its launcher) itself. */
export interface EarlyStart {
  held: HeldPidFile;
  treePrefix: string;
  startedAt: Date;
  /** A stop signal that came while the entry waited for the lock, if one did. */
  pendingSignal: NodeJS.Signals | undefined;
}

/** One supervisor process, as its steps share it. */
interface Run {
  readonly config: SupervisorConfig;
  readonly args: readonly string[];
  readonly mode: SuperviseMode;
  readonly handshake: HandshakeSender;
  readonly log: LogSink;
  readonly supervisor: Supervisor;
  readonly events: EventStream;
  readonly startedAt: Date;
  held?: HeldPidFile;
  /** The state file's rewrites, when there is one. */
  stateWrites?: StateWrites;
  /** Samples the workers' CPU time for the state file, when there is one. */
  sampler?: CpuSampler;
  /** Set once the supervision has ended and the process exits on its own terms. */
  exiting: boolean;
}

/**
 * Supervises the worker `config.file args` until the policy ends it or a stop arrives, then exits
 * the process with the supervisor's code. Returns once the signal actions are in place.
 */
export function supervise(config: SupervisorConfig, args: readonly string[], mode: SuperviseMode, options: SuperviseOptions = {}): void {
  const { early } = options;
  const handshake = new HandshakeSender(config.handshake);
  setSupervisorTitle(config.file, args);
  const log = openLog(config, mode, options.toStdio === true, handshake);
  const supervisor = makeSupervisor(config, args, log, early?.treePrefix, handshake, mode);
  const run: Run = { config, args, mode, handshake, log, supervisor, events: new EventStream(), startedAt: early?.startedAt ?? new Date(), exiting: false };
  describeEvents(run);
  const handlers = controlSurface({ supervisor, line: (text) => log.line(text), status: () => statusOf(run), events: run.events });
  installSignalActions(handlers);
  void holdPidFile(run, early).then((held) => {
    if (held !== undefined) {
      run.held = held;
      followInStateFile(run, held);
      held.answer(afterStateWrites(run, handlers));
    }
    sayLastWordsAtAnyEnd(run);
    begin(run);
    if (early?.pendingSignal !== undefined) process.emit(early.pendingSignal);
  });
}

/** The log: the supervisor's lines, and the worker's output unless it is direct. */
function openLog(config: SupervisorConfig, mode: SuperviseMode, toStdio: boolean, handshake: HandshakeSender): LogSink {
  const { pidFile: _pidFile, ...settings } = config.settings;
  try {
    return createLogSink({ ...settings, logFile: config.logFile, echo: mode === 'foreground', toStdio });
  } catch (err) {
    failToBegin(handshake, mode, shortMessageOf(err));
  }
}

/** The loop, for the worker's command as the launcher resolved it and the environment it gets. */
function makeSupervisor(config: SupervisorConfig, args: readonly string[], log: LogSink, treePrefix: string | undefined, handshake: HandshakeSender, mode: SuperviseMode): Supervisor {
  const { pidFile, envFile } = config.settings;
  const settings = supervisorSettings(config.settings);
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env[ENV_NAME];
  if (config.nodeOptions === null) delete env.NODE_OPTIONS;
  else env.NODE_OPTIONS = config.nodeOptions;
  const { firstMarker } = config;
  try {
    return new Supervisor(
      { command: config.file, args, cwd: config.cwd, env, ...settings },
      {
        output: log,
        resolved: true,
        ignoredPaths: [config.logFile, ...(pidFile === '' ? [] : [pidFile, stateFileOf(pidFile)]), ...(config.stateDir === undefined ? [] : [config.stateDir])],
        ...(treePrefix === undefined ? {} : { treePrefix }),
        ...(config.defaults === 'named' ? { defaults: namedDaemonDefaults() } : {}),
        envForStart: (start: number) => ({
          ...(envFile.length === 0 ? {} : envFileVars(envFile, config.envSet ?? [])),
          ...(firstMarker === null ? {} : { [ENV_NAME]: String(firstMarker + start - 1) }),
        }),
      },
    );
  } catch (err) {
    failToBegin(handshake, mode, shortMessageOf(err));
  }
}

/**
 * The variables of the env files, read now (each start reads them afresh), less those set for the
 * daemon itself, which win. Throws an XDaemonError naming a file that cannot be read: a failed start.
 */
function envFileVars(files: readonly string[], set: readonly string[]): NodeJS.ProcessEnv {
  const vars: NodeJS.ProcessEnv = readEnvFiles(files);
  for (const name of set) delete vars[name];
  return vars;
}

/** Each event of the loop as the supervisor's line, and as a record for the subscribers. */
function describeEvents({ supervisor, log, events }: Run): void {
  const { instances } = supervisor.settings;
  onEveryEvent(supervisor, (kind, info) => log.line(eventLine(kind, info, instances)));
  publishLoopEvents(supervisor, events);
}

/** The pid file: held already (by the detached entry), taken now, or none (resolves undefined). */
function holdPidFile(run: Run, early: EarlyStart | undefined): Promise<HeldPidFile | undefined> {
  const { pidFile } = run.config.settings;
  if (early !== undefined) return Promise.resolve(early.held);
  if (pidFile === '') return Promise.resolve(undefined);
  return holdOrExit(pidFile, ownRecord(run.config, run.args, run.supervisor.treePrefix, run.startedAt), run.handshake, run.mode);
}

/** What this process tells `status()` now. */
function statusOf(run: Run): LiveStatus {
  const { config, supervisor, sampler } = run;
  return liveStatus(supervisor.status(), {
    pid: process.pid,
    pidFile: config.settings.pidFile,
    startedAt: run.startedAt,
    logFile: config.logFile,
    sampleOf: (instance) => sampler?.sampleOf(instance),
  });
}

/** The state file follows the loop, so that status() reads it without waking this process (./state-writes). */
function followInStateFile(run: Run, held: HeldPidFile): void {
  const { supervisor } = run;
  const writes = new StateWrites(() => held.update(statusOf(run)));
  run.stateWrites = writes;
  const changed = (): void => writes.changed();
  const sampler = new CpuSampler(supervisor, changed);
  run.sampler = sampler;
  for (const event of ['start', 'reload-ready'] as const) supervisor.on(event, () => sampler.restart());
  supervisor.on('stopping', () => sampler.stop());
  // A worker's exit is written after the next worker's spawn (with its start) or at the loop's
  // next turn: the rewrite is not on the way from an exit to the restart.
  supervisor.on('exit', () => writes.changedSoon());
  for (const event of ['start', 'ready', 'restart', 'restarting', 'stopping', 'reloading', 'reloaded', 'reload-failed', 'healthy', 'health-failed', 'unhealthy'] as const) {
    supervisor.on(event, changed);
  }
  writes.changed();
}

/** The handlers, each answer written only once the state file holds what it tells (./state-writes). */
function afterStateWrites(run: Run, handlers: Handlers): Handlers {
  const flushed = Object.entries(handlers).map(([name, handler]: [string, (params: never, from: never) => unknown]) => [
    name,
    async (params: never, from: never) => {
      const answer = await handler(params, from);
      run.stateWrites?.flush();
      return answer;
    },
  ]);
  return Object.fromEntries(flushed) as Handlers;
}

/** Records how the supervision ended in the state file (and gives up the pid file). */
function release(run: Run, end: Omit<EndRecord, 'at' | 'unwritten'>): void {
  run.log.flush();
  // The last status written goes into the end record.
  run.stateWrites?.flush();
  run.stateWrites?.close();
  run.held?.release({ ...end, at: new Date().toISOString(), unwritten: run.log.unwritten() });
}

/**
 * Whatever ends this process, the worker's tree is told to stop and the log says why. (A SIGKILL
 * runs nothing: the group guard, or the parent-death signal, then stops the workers.)
 */
function sayLastWordsAtAnyEnd(run: Run): void {
  const { log, supervisor, config, mode } = run;
  loadSignalExit(config.signalExit)((code, signal) => {
    if (!run.exiting) {
      const why = endingText(code, signal);
      log.line(why);
      release(run, { code: code ?? null, signal, reason: why });
    }
    for (const tree of supervisor.workerTrees) signalTree(tree.id, 'SIGTERM', supervisor.settings.killMode === 'group' ? tree.mark : undefined);
    supervisor.closeGuard();
    supervisor.closeSockets();
    log.flush();
    if (mode === 'detached') toSystemLog(log.unwritten());
    log.close();
  });
}

/** Starts the loop, answers the launcher, and exits with the supervisor's code once it ends. */
function begin(run: Run): void {
  const { handshake, supervisor, log, config } = run;
  const { settings } = supervisor;
  // Stop signals are handled from here on: the launcher may print our pid now.
  handshake.send({ kind: 'supervising', pid: process.pid });
  if (!answersAfterStart(settings)) handshake.close();
  log.line(startedText(describeCommand(config.file, run.args), settings));
  if (run.mode === 'foreground' && process.pid === 1) log.line(PID1_WARNING);
  supervisor.start().then(
    ({ workerPid }) => {
      run.stateWrites?.flush();
      const startedAt = supervisor.status().workerStartedAt;
      if (readyWithin(settings) === 0) handshake.send({ kind: 'started', workerPid });
      else handshake.send({ kind: 'ready', workerPid, seconds: startedAt === undefined ? 0 : (Date.now() - startedAt) / 1000 });
      handshake.close();
    },
    (err: unknown) => {
      // The channel stays open (no worker starts any more): it closes as this process exits, and
      // the launcher, which waits for that end of file, then does not kill it before its last line.
      handshake.send({ kind: 'failed', message: shortMessageOf(err) });
    },
  );
  void supervisor.ended.then(async (end) => {
    run.exiting = true;
    log.line(exitingText(end.code));
    release(run, { code: end.code, signal: null, reason: endText(end, supervisor.counters()), gaveUp: end.reason !== 'stop' && end.code !== 0 });
    run.events.publish('exiting', { code: end.code });
    // A request that made this process end (a stop during a restart delay) is answered first, and
    // the subscribers get their last records.
    await Promise.all([run.held?.answered(ANSWER_WAIT_MS), run.events.end(ANSWER_WAIT_MS)]);
    process.exit(end.code);
  });
}

/**
 * Lines the log could not take (a full disk) go to the system log with `logger`, where it exists,
 * so that a detached supervisor's last words (a give-up, say) can still be found.
 */
function toSystemLog(lines: string[]): void {
  if (lines.length === 0) return;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    spawnSync('logger', ['-t', `xdaemon[${process.pid}]`], { input: lines.join(''), stdio: ['pipe', 'ignore', 'ignore'], timeout: 2000 });
  } catch {
    // No system log either: the state file and the log are all there is.
  }
}

/**
 * `signal-exit`, loaded by the absolute path the launcher resolved: a bare-name require would make
 * this process load Node's package-exports resolver (~0.7 MB of RSS and a few ms of start-up).
 */
function loadSignalExit(path: string | null): typeof import('signal-exit').onExit {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path ?? 'signal-exit') as typeof import('signal-exit')).onExit;
}

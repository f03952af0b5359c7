/**
 * One daemon's supervision, in whichever process runs it: a {@link Supervisor} loop with its log
 * (its own timestamped lines: ./log-lines), its events as records for subscribers (./event-stream),
 * its control handlers (./control-surface), its pid file and the state file that follows the loop,
 * its answer to whoever started it, and its last words. Nothing here belongs to the process: no
 * signal handler, no exit, no process title. The daemon's own supervisor process (./supervise) runs
 * one; a host (./host) runs one per daemon, side by side, each with its own settings, environment,
 * working directory, sockets, log, limits, lock and state file.
 */
import { stateFileOf } from '../control/address.js';
import type { EndRecord, HostRef, LiveStatus } from '../control/daemon-status.js';
import { XDaemonError, shortMessageOf } from '../errors.js';
import { ENV_NAME } from '../generation.js';
import { type LogSink, type LogSinkOptions, createLogSink } from '../log/log-sink.js';
import { describeCommand } from '../process/command-line.js';
import { readEnvFiles } from '../process/env-file.js';
import { supervisorSettings } from '../settings/derived.js';
import { namedDaemonDefaults } from '../settings/profiles.js';
import { readyWithin } from '../supervisor/health/health-settings.js';
import { signalTree } from '../process/stop-tree.js';
import { CpuSampler } from '../supervisor/cpu-sampler.js';
import type { GroupGuard } from '../supervisor/group-guard.js';
import { onEveryEvent } from '../supervisor/supervisor-api.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { type SuperviseMode, type SupervisorConfig, answersAfterStart } from './config.js';
import { type Handlers, dispatchOf } from './control-server.js';
import { controlSurface } from './control-surface.js';
import { EventStream, publishLoopEvents } from './event-stream.js';
import type { HandshakeMessage } from './handshake.js';
import { liveStatus } from './live-status.js';
import { PID1_WARNING, endText, endingText, eventLine, exitingText, startedText } from './log-lines.js';
import type { HeldPidFile } from './single-instance.js';
import { StateWrites } from './state-writes.js';

/** How long an ending supervision waits for its last answers and records to be written, at most. */
const ANSWER_WAIT_MS = 2000;

/**
 * Whoever started the supervision, told how its start goes: a launcher through its handshake pipe
 * (./handshake), or the client of a host's `add` (./host). Sending after the close is a no-op.
 */
export interface StartReply {
  send(message: HandshakeMessage): void;
  close(): void;
}

/** What a host gives each daemon it runs. */
export interface HostFacts {
  /** The host (its pid is this process's). */
  ref: HostRef;
  /** The group guard every daemon of the host shares: one watcher for all their workers' groups. */
  guard: GroupGuard;
}

/** What a supervision is made of. */
export interface SupervisionSpec {
  config: SupervisorConfig;
  args: readonly string[];
  /**
   * The environment the workers' is made from (the launcher's, with the daemon's additions): its
   * generation marker and `NODE_OPTIONS` are set from `config`.
   */
  env: NodeJS.ProcessEnv;
  mode: SuperviseMode;
  /** No log file: the worker's output goes to this process's stdout and stderr (`xdaemon run`). */
  toStdio: boolean;
  /**
   * Makes the log from the options it would otherwise be made from (`xdaemon run FILE`: an app's
   * lines labelled on run's streams); default: ../log/log-sink's.
   */
  output?: ((options: LogSinkOptions) => LogSink) | undefined;
  reply: StartReply;
  startedAt: Date;
  /** The prefix of the workers' tree tokens, when it was chosen (and recorded) before. */
  treePrefix?: string | undefined;
  /** For a daemon a host runs. */
  host?: HostFacts | undefined;
}

/** One daemon's supervision (see the module comment). */
export class Supervision {
  readonly supervisor: Supervisor;
  readonly log: LogSink;
  readonly events = new EventStream();
  /** The handlers of the control operations (a signal's too). */
  readonly handlers: Handlers;
  /** Resolves with the exit code once the end is recorded and the last answers are written. */
  readonly finished: Promise<number>;
  private readonly spec: SupervisionSpec;
  private held: HeldPidFile | undefined;
  private sampler: CpuSampler | undefined;
  /** The state file's rewrites, once the pid file is held. */
  private stateWrites: StateWrites | undefined;
  /** Set once the supervision has ended on its own terms (its end is being recorded). */
  private exiting = false;
  private resolveFinished: (code: number) => void = () => undefined;

  /**
   * Opens the log and makes the loop; nothing runs yet.
   *
   * @throws XDaemonError when the log cannot be opened or the settings cannot be acted on.
   */
  constructor(spec: SupervisionSpec) {
    this.spec = spec;
    this.log = openLog(spec);
    try {
      this.supervisor = makeSupervisor(spec, this.log);
    } catch (err) {
      this.log.close();
      throw err;
    }
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    const { supervisor, log } = this;
    const { instances } = supervisor.settings;
    onEveryEvent(supervisor, (kind, info) => log.line(eventLine(kind, info, instances)));
    publishLoopEvents(supervisor, this.events);
    this.handlers = controlSurface({ supervisor, line: (text) => log.line(text), status: () => this.status(), events: this.events });
  }

  /** The daemon's pid file is held: its state file follows the loop from now on, and requests are answered. */
  hold(held: HeldPidFile): void {
    this.held = held;
    this.followInStateFile(held);
    held.answer(dispatchOf(this.afterStateWrites(this.handlers)));
  }

  /** The handlers, each answer written only once the state file holds what it tells (./state-writes). */
  private afterStateWrites(handlers: Handlers): Handlers {
    const flushed = Object.entries(handlers).map(([name, handler]: [string, (params: never, from: never) => unknown]) => [
      name,
      async (params: never, from: never) => {
        const answer = await handler(params, from);
        this.stateWrites?.flush();
        return answer;
      },
    ]);
    return Object.fromEntries(flushed) as Handlers;
  }

  /** What the process tells `status()` now. */
  status(): LiveStatus {
    const { config, startedAt, host } = this.spec;
    const sampler = this.sampler;
    return liveStatus(this.supervisor.status(), {
      pid: process.pid,
      host: host?.ref,
      pidFile: config.settings.pidFile,
      startedAt,
      logFile: config.logFile,
      sampleOf: (instance) => sampler?.sampleOf(instance),
    });
  }

  /** Starts the loop and tells the starter how it goes; {@link finished} resolves once it has ended. */
  begin(): void {
    const { supervisor, log } = this;
    const { reply, config, args, mode } = this.spec;
    const { settings } = supervisor;
    // Stop signals (and requests) are handled from here on: the starter may print our pid now.
    reply.send({ kind: 'supervising', pid: process.pid });
    if (!answersAfterStart(settings)) reply.close();
    log.line(startedText(describeCommand(config.file, args), settings));
    if (mode === 'foreground' && process.pid === 1) log.line(PID1_WARNING);
    supervisor.start().then(
      ({ workerPid }) => {
        this.stateWrites?.flush();
        const startedAt = supervisor.status().workerStartedAt;
        if (readyWithin(settings) === 0) reply.send({ kind: 'started', workerPid });
        else reply.send({ kind: 'ready', workerPid, seconds: startedAt === undefined ? 0 : (Date.now() - startedAt) / 1000 });
        reply.close();
      },
      (err: unknown) => {
        // A launcher's channel stays open (no worker starts any more): it closes as the process
        // exits, and the launcher, which waits for that end of file, then does not kill it before
        // its last line.
        reply.send({ kind: 'failed', message: shortMessageOf(err) });
      },
    );
    void supervisor.ended.then(async (end) => {
      this.exiting = true;
      this.sampler?.stop();
      log.line(exitingText(end.code));
      this.release({ code: end.code, signal: null, reason: endText(end, supervisor.counters()), gaveUp: end.reason !== 'stop' && end.code !== 0 });
      this.events.publish('exiting', { code: end.code });
      // A request that made the supervision end (a stop during a restart delay) is answered first,
      // and the subscribers get their last records.
      await Promise.all([this.held?.answered(ANSWER_WAIT_MS), this.events.end(ANSWER_WAIT_MS)]);
      this.held?.hangUp();
      this.resolveFinished(end.code);
    });
  }

  /**
   * The process ends now, whatever ends it (an exit, a signal it does not handle): unless the
   * supervision has ended already, its end is recorded, the worker trees are told to stop, the
   * sockets closed, the log flushed and closed. Synchronous: for an exit handler. Returns the
   * lines the log could not take.
   */
  lastWords(code: number | null | undefined, signal: NodeJS.Signals | null): string[] {
    const { supervisor, log } = this;
    if (!this.exiting) {
      const why = endingText(code, signal);
      log.line(why);
      this.release({ code: code ?? null, signal, reason: why });
    }
    for (const tree of supervisor.workerTrees) signalTree(tree.id, 'SIGTERM', supervisor.settings.killMode === 'group' ? tree.mark : undefined);
    supervisor.closeGuard();
    supervisor.closeSockets();
    log.flush();
    const unwritten = log.unwritten();
    log.close();
    return unwritten;
  }

  /**
   * Something in this supervision threw (a host tells whose by the async context): the daemon is
   * stopped, its log says why; a host's other daemons are not touched.
   */
  fault(err: unknown): void {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    try {
      this.log.line(`internal error in the supervision of this daemon: ${message.replace(/\n/g, ' | ')}; stopping it`);
    } catch {
      // The log is what failed: the state file will tell.
    }
    void this.supervisor.stop('SIGTERM').catch(() => {
      // The loop itself is broken: its workers are stopped by hand, and it is over.
      this.lastWords(null, null);
      this.resolveFinished(1);
    });
  }

  /** Drops a supervision that never began (its pid file is another's): only its log was opened. */
  discard(): void {
    this.log.close();
  }

  /** The state file follows the loop, so that status() reads it without waking this process (./state-writes). */
  private followInStateFile(held: HeldPidFile): void {
    const { supervisor } = this;
    const writes = new StateWrites(() => held.update(this.status()));
    this.stateWrites = writes;
    const changed = (): void => writes.changed();
    const sampler = new CpuSampler(supervisor, changed);
    this.sampler = sampler;
    for (const event of ['start', 'reload-ready'] as const) supervisor.on(event, () => sampler.restart());
    supervisor.on('stopping', () => sampler.stop());
    // A worker's exit is written after the next worker's spawn (with its start) or at the loop's
    // next turn: the rewrite is not on the way from an exit to the restart.
    supervisor.on('exit', () => writes.changedSoon());
    for (const event of ['start', 'ready', 'restart', 'restarting', 'stopping', 'reloading', 'reloaded', 'reload-failed', 'healthy', 'health-failed', 'unhealthy'] as const) {
      supervisor.on(event, changed);
    }
    // A hosted daemon's pid file names its instance 0's serving worker.
    if (this.spec.host !== undefined) {
      supervisor.on('start', ({ instance, pid }) => instance === 0 && held.writePid(pid));
      supervisor.on('reloaded', ({ instance, pid }) => instance === 0 && held.writePid(pid));
    }
    writes.changed();
  }

  /** Records how the supervision ended in the state file (and gives up the pid file). */
  private release(end: Omit<EndRecord, 'at' | 'unwritten'>): void {
    this.log.flush();
    // The last status written goes into the end record.
    this.stateWrites?.flush();
    this.stateWrites?.close();
    this.held?.release({ ...end, at: new Date().toISOString(), unwritten: this.log.unwritten() });
  }
}

/** The log: the supervisor's lines, and the worker's output unless it is direct. */
function openLog({ config, mode, toStdio, output = createLogSink }: SupervisionSpec): LogSink {
  const { pidFile: _pidFile, ...settings } = config.settings;
  try {
    return output({ ...settings, logFile: config.logFile, echo: mode === 'foreground', toStdio });
  } catch (err) {
    throw new XDaemonError(shortMessageOf(err), { cause: err });
  }
}

/** The loop, for the worker's command as the launcher resolved it and the environment it gets. */
function makeSupervisor({ config, args, env: given, treePrefix, host }: SupervisionSpec, log: LogSink): Supervisor {
  const { pidFile, envFile } = config.settings;
  const settings = supervisorSettings(config.settings);
  const env: NodeJS.ProcessEnv = { ...given };
  delete env[ENV_NAME];
  if (config.nodeOptions === null) delete env.NODE_OPTIONS;
  else env.NODE_OPTIONS = config.nodeOptions;
  const { firstMarker } = config;
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
      // A host passes on no systemd sockets: those are for a supervisor of its own (`xdaemon run`).
      ...(host === undefined ? {} : { guard: host.guard, socketEnv: {} }),
    },
  );
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

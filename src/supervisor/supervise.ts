/**
 * The supervisor process: a {@link Supervisor} loop with what a process around it must do. Its
 * own timestamped lines in the log (and on stderr in the foreground); SIGTERM/SIGINT as a graceful
 * stop, SIGHUP as a log reopen, SIGUSR2 as a worker restart; with a pid file, single instance and
 * the control channel; the handshake with its launcher; a last word (in the log and the state
 * file) whatever ends it; and its exit code. It runs none of the user's code: `Daemon.run()` in the
 * foreground and `xdaemon run` call it in their own process, the detached entry (./entry) in one
 * of its own.
 */
import { EXIT_ALREADY_RUNNING, messageOf } from '../errors.js';
import { ENV_NAME } from '../generation.js';
import { type LogSink, createLogSink } from '../log/log-sink.js';
import type { ControlResponse, ExitReport, LiveStatus } from '../control/protocol.js';
import type { EndRecord } from '../control/state-file.js';
import { stateFileOf } from '../control/address.js';
import { describeCommand } from '../process/command-line.js';
import { setSupervisorTitle } from '../process/process-title.js';
import { identify, signalTree } from '../process/stop-tree.js';
import { type SupervisorConfig, answersAfterStart } from './config.js';
import { CpuSampler } from './cpu-sampler.js';
import { HandshakeSender } from './handshake.js';
import { type HeldPidFile, holdPidFile } from './single-instance.js';
import { type Counters, type SupervisorEnd, Supervisor } from './supervisor.js';

/** How long an exiting supervisor waits for its last answers to be written, at most. */
const ANSWER_WAIT_MS = 2000;

/**
 * A container's entrypoint is PID 1: every orphan of the worker's tree is reparented to it, and
 * Node reaps only the children it spawned itself, so the orphans would stay zombies. An init in
 * front (`docker run --init`, tini) reaps them; with one, this process is not PID 1.
 */
const PID1_WARNING =
  "warning: running as PID 1 without an init: orphans of the worker's tree will not be reaped and stay zombies; put an init in front (docker run --init, or tini as the entrypoint)";

/** Detached: started by a launcher, the log is its only output. Foreground: the lines go to stderr too. */
export type SuperviseMode = 'detached' | 'foreground';

/** `count a/b; errors c/d`, as Go writes it (`unlimited` for maxCount 0). */
export function countersText(c: Counters): string {
  const restarts = c.restarts > 0 ? `; restarts ${c.restarts}` : '';
  const reloads = c.reloads > 0 ? `; reloads ${c.reloads}` : '';
  return `(count ${c.starts}/${c.maxCount === 0 ? 'unlimited' : c.maxCount}; errors ${c.errors}/${c.maxError}${restarts}${reloads})`;
}

/** The last line of a supervision that ended on its own or by a stop. */
export function endText(end: SupervisorEnd, c: Counters): string {
  switch (end.reason) {
    case 'maxError':
      return `giving up: ${c.errors} consecutive failures exceed maxError ${c.maxError} ${countersText(c)}`;
    case 'maxCount':
      return `done: maxCount ${c.maxCount} starts reached ${countersText(c)}`;
    case 'success':
      return `done: the worker exited successfully and restart is on-failure ${countersText(c)}`;
    case 'never':
      return `done: the worker ran once (restart never) and ${end.code === 0 ? 'succeeded' : 'failed'} ${countersText(c)}`;
    case 'not-ready':
      return `giving up: the first worker never said it was ready ${countersText(c)}`;
    case 'stop':
      return `stopped ${countersText(c)}`;
    case 'listen':
      return `giving up: a listen address could not be bound ${countersText(c)}`;
  }
}

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

/**
 * Supervises the worker `config.file args` until the policy ends it or a stop arrives, then exits
 * the process with the supervisor's code. Returns once the signal handlers are in place.
 */
export function supervise(config: SupervisorConfig, args: readonly string[], mode: SuperviseMode, options: SuperviseOptions = {}): void {
  const { toStdio = false, early } = options;
  const display = describeCommand(config.file, args);
  setSupervisorTitle(config.file, args);
  const handshake = new HandshakeSender(config.handshake);
  const { pidFile, ...settings } = config.settings;
  let log: LogSink;
  try {
    log = createLogSink({ ...settings, logFile: config.logFile, echo: mode === 'foreground', toStdio });
  } catch (err) {
    fail(handshake, mode, messageOf(err));
  }
  const line = (text: string): void => log.line(text);
  const startedAt = early?.startedAt ?? new Date();

  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env[ENV_NAME];
  if (config.nodeOptions === null) delete env.NODE_OPTIONS;
  else env.NODE_OPTIONS = config.nodeOptions;

  const firstMarker = config.firstMarker;
  let supervisor: Supervisor;
  try {
    supervisor = new Supervisor(
      { command: config.file, args, cwd: config.cwd, env, ...settings },
      {
        output: log,
        resolved: true,
        ignoredPaths: [config.logFile, ...(pidFile === '' ? [] : [pidFile, stateFileOf(pidFile)]), ...(config.stateDir === undefined ? [] : [config.stateDir])],
        ...(early === undefined ? {} : { treePrefix: early.treePrefix }),
        ...(firstMarker === null ? {} : { envForStart: (start: number) => ({ [ENV_NAME]: String(firstMarker + start - 1) }) }),
      },
    );
  } catch (err) {
    fail(handshake, mode, messageOf(err));
  }
  describeEvents(supervisor, line);

  let held: HeldPidFile | undefined;
  let exiting = false;
  const release = (end: Omit<EndRecord, 'at' | 'unwritten'>): void => {
    log.flush();
    held?.release({ ...end, at: new Date().toISOString(), unwritten: log.unwritten() });
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      line(`received ${signal}: stopping, no further restarts`);
      void supervisor.stop('SIGTERM');
    });
  }
  process.on('SIGHUP', () => {
    // logrotate's `postrotate` convention: the supervisor's lines and the next worker go to a new file.
    const error = supervisor.reopenLog();
    line(error === undefined ? 'received SIGHUP: log file reopened' : `received SIGHUP: cannot reopen the log file (${error}); keeping the old one`);
  });
  process.on('SIGUSR2', () => {
    line('received SIGUSR2: restarting the worker');
    supervisor.restart().catch((err: unknown) => line(`restart failed: ${messageOf(err)}`));
  });

  // Whatever ends this process, the worker's tree is told to stop and the log says why. (A SIGKILL
  // runs nothing: the group guard, or the parent-death signal, then stops the workers.)
  loadSignalExit(config.signalExit)((code, signal) => {
    if (!exiting) {
      const why = signal === null ? `exit code ${code ?? 0}` : `received ${signal}, which it does not handle`;
      line(`supervisor ending: ${why}`);
      release({ code: code ?? null, signal, reason: `supervisor ending: ${why}` });
    }
    for (const tree of supervisor.workerTrees) signalTree(tree.id, 'SIGTERM', settings.killMode === 'group' ? tree.mark : undefined);
    supervisor.closeGuard();
    supervisor.closeSockets();
    log.flush();
    if (mode === 'detached') toSystemLog(log.unwritten());
    log.close();
  });

  const begin = (): void => {
    // Stop signals are handled from here on: the launcher may print our pid now.
    handshake.send({ kind: 'supervising', pid: process.pid });
    if (!answersAfterStart(settings)) handshake.close();
    const limits = `maxCount ${settings.maxCount === 0 ? 'unlimited' : settings.maxCount}, maxError ${settings.maxError}, minExitTime ${settings.minExitTime} s`;
    line(`supervisor started for: ${display} (${limits})`);
    if (mode === 'foreground' && process.pid === 1) line(PID1_WARNING);
    supervisor.start().then(
      ({ workerPid }) => {
        const seconds = supervisor.status().workerStartedAt;
        if (settings.waitReady === 0) handshake.send({ kind: 'started', workerPid });
        else handshake.send({ kind: 'ready', workerPid, seconds: seconds === undefined ? 0 : (Date.now() - seconds) / 1000 });
        handshake.close();
      },
      (err: unknown) => {
        // The channel stays open (no worker starts any more): it closes as this process exits, and
        // the launcher, which waits for that end of file, then does not kill it before its last line.
        handshake.send({ kind: 'failed', message: messageOf(err) });
      },
    );
    void supervisor.ended.then(async (end) => {
      exiting = true;
      line(`supervisor exiting with code ${end.code}`);
      release({ code: end.code, signal: null, reason: endText(end, supervisor.counters()) });
      // A request that made this process end (a stop during a restart delay) is answered first.
      await held?.answered(ANSWER_WAIT_MS);
      process.exit(end.code);
    });
  };

  const hold = (result: HeldPidFile): void => {
    held = result;
    const sampler = new CpuSampler(supervisor, () => record());
    result.answer(controlHandlers(supervisor, line, config.logFile, startedAt, sampler));
    // The state file follows the loop, so that status() reads it without waking this process.
    let deferred: NodeJS.Immediate | undefined;
    const record = (): void => {
      clearImmediate(deferred);
      deferred = undefined;
      result.update(liveStatus(supervisor, config.logFile, startedAt, sampler));
    };
    for (const event of ['start', 'reload-ready'] as const) supervisor.on(event, () => sampler.restart());
    supervisor.on('stopping', () => sampler.stop());
    // A worker's exit is written after the next worker's spawn (with its start) or at the loop's
    // next turn: the rewrite is not on the way from an exit to the restart.
    supervisor.on('exit', () => void (deferred ??= setImmediate(record)));
    for (const event of ['start', 'ready', 'restart', 'restarting', 'stopping', 'reloading', 'reloaded', 'reload-failed'] as const) supervisor.on(event, record);
    record();
  };
  if (early !== undefined) {
    hold(early.held);
    begin();
    if (early.pendingSignal !== undefined) process.emit(early.pendingSignal);
    return;
  }
  if (pidFile === '') {
    begin();
    return;
  }
  const own = { pid: process.pid, starttime: identify(process.pid)?.starttime ?? 0, treePrefix: supervisor.treePrefix, startedAt: startedAt.toISOString(), command: [config.file, ...args], logFile: config.logFile };
  holdPidFile(pidFile, own).then(
    (result) => {
      if ('runningPid' in result) {
        const who = result.runningPid === undefined ? 'another supervisor' : `supervisor pid ${result.runningPid}`;
        handshake.send({ kind: 'refused', runningPid: result.runningPid ?? 0 });
        if (mode === 'foreground') process.stderr.write(`xdaemon: already running: ${who} holds ${pidFile}\n`);
        exiting = true;
        process.exit(EXIT_ALREADY_RUNNING);
      }
      hold(result);
      begin();
    },
    (err: unknown) => fail(handshake, mode, `cannot take the pid file ${pidFile}: ${messageOf(err)}`),
  );
}

/** Writes the loop's events as the supervisor's lines (each prefixed with its instance when there are several). */
function describeEvents(supervisor: Supervisor, line: (text: string) => void): void {
  const c = countersText;
  const many = supervisor.settings.instances > 1;
  const of = (instance: number): string => (many ? `instance ${instance}: ` : '');
  supervisor
    .on('listening', ({ sockets }) => line(`listening on ${sockets.map((s) => `${s.address} (${s.name}, fd ${s.fd})`).join(', ')}`))
    .on('start', ({ instance, pid, fromSpare, counters }) => line(`${of(instance)}worker started: pid ${pid} ${c(counters)}${fromSpare ? ' from the spare' : ''}`))
    .on('spare-exit', ({ instance, pid, code, signal }) => line(`${of(instance)}the spare pid ${pid} ended while waiting (${signal ?? `code ${code}`}): booting another`))
    .on('ready', ({ instance, pid, seconds }) => line(`${of(instance)}worker ready: pid ${pid} after ${seconds.toFixed(3)} s`))
    .on('start-failed', ({ instance, error, counters }) => line(`${of(instance)}worker start failed: ${error.message} ${c(counters)}`))
    .on('exit', ({ instance, pid, seconds, code, signal, counters }) => {
      const how = signal === null ? `code ${code}` : `signal ${signal}`;
      line(`${of(instance)}worker exited: pid ${pid} after ${seconds.toFixed(3)} s with ${how} ${c(counters)}`);
    })
    .on('restart', ({ instance, delay, counters }) => line(`${of(instance)}restart in ${delay} ms ${c(counters)}`))
    .on('restarting', ({ instance, pid, counters }) => line(`${of(instance)}restarting: stopping worker pid ${pid} and every process it started ${c(counters)}`))
    .on('not-ready', ({ instance, pid, waitReady }) => line(`${of(instance)}worker pid ${pid} did not call ready() within ${waitReady} ms: stopping it`))
    .on('cleanup', ({ instance, pid, pids }) => line(`${of(instance)}worker pid ${pid} left ${pids.length} process(es) running: stopping ${pids.join(', ')}`))
    .on('auto-restart', ({ message }) => line(message))
    .on('notice', ({ message }) => line(message))
    .on('giveup', ({ code, reason, counters }) => line(endText({ code, reason }, counters)))
    .on('stopping', ({ signal, pids }) =>
      line(pids.length === 0 ? `stopping: no worker running` : `stopping: sending ${signal} to worker pid ${pids.join(', ')} and every process ${pids.length > 1 ? 'they' : 'it'} started`),
    )
    .on('kill', ({ instance, pid, pids, killTimeout }) =>
      line(`${of(instance)}worker pid ${pid}: ${pids.length} process(es) still running after killTimeout ${killTimeout} ms: sending SIGKILL to ${pids.join(', ')}`),
    )
    .on('stop', ({ counters, survivors }) =>
      line(survivors.length === 0 ? endText({ code: 0, reason: 'stop' }, counters) : `stopped, but SIGKILL did not end pid(s) ${survivors.join(', ')} ${c(counters)}`),
    )
    .on('reloading', ({ instances }) => line(`reload: ${instances} instance(s), one by one`))
    .on('reload-start', ({ instance, pid, oldPid }) => line(`reload: instance ${instance}: new pid ${pid} started beside old pid ${oldPid ?? 'none'}`))
    .on('reload-ready', ({ instance, pid, oldPid, seconds, ready }) =>
      line(`reload: instance ${instance}: new pid ${pid} ${ready ? 'ready' : 'up (reload grace over, no ready())'} after ${seconds.toFixed(3)} s${oldPid === undefined ? '' : `: stopping old pid ${oldPid}`}`),
    )
    .on('reloaded', ({ instance, pid, oldPid, seconds }) =>
      line(`reload: instance ${instance}: new pid ${pid} ready after ${seconds.toFixed(3)} s; ${oldPid === undefined ? 'no old worker' : `old pid ${oldPid} stopped`}`),
    )
    .on('reload-failed', ({ message }) => line(message));
}

/** The answers to control requests. */
function controlHandlers(supervisor: Supervisor, line: (text: string) => void, logFile: string, startedAt: Date, sampler: CpuSampler) {
  const ok = (extra: Omit<Extract<ControlResponse, { ok: true }>, 'ok'> = {}): ControlResponse => ({ ok: true, ...extra });
  return {
    status: () => ok({ status: liveStatus(supervisor, logFile, startedAt, sampler) }),
    stop: () => {
      line('stop requested through the control channel: stopping, no further restarts');
      void supervisor.stop('SIGTERM');
      return ok({ killTimeout: supervisor.settings.killTimeout });
    },
    restart: async () => {
      line('restart requested through the control channel');
      return ok({ workerPid: (await supervisor.restart()).workerPid });
    },
    reload: async () => {
      line('reload requested through the control channel');
      const report = await supervisor.reload();
      line(`reload done ${countersText(supervisor.counters())}`);
      return ok({ workerPid: supervisor.workerPid, reloaded: report.instances.map((i) => ({ instance: i.instance, workerPid: i.workerPid, oldPid: i.oldPid ?? null, seconds: i.seconds })) });
    },
    reopen: () => {
      const error = supervisor.reopenLog();
      line(error === undefined ? 'log file reopened (requested through the control channel)' : `cannot reopen the log file (${error})`);
      return error === undefined ? ok() : { ok: false as const, error };
    },
  };
}

/** What a running supervisor process reports to `status()`. */
function liveStatus(supervisor: Supervisor, logFile: string, startedAt: Date, sampler: CpuSampler): LiveStatus {
  const cpuSample = sampler.sampleOf(0);
  const s = supervisor.status();
  const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
  const restarting = s.state === 'restarting' || (s.state === 'running' && s.instances.some((i) => i.restarting));
  const exitReport = (e: SupervisorStatusExit): { lastExit?: ExitReport } => (e === undefined ? {} : { lastExit: { ...e, at: iso(e.at) as string } });
  return {
    state: restarting ? 'restarting' : 'running',
    pid: process.pid,
    ...(s.workerPid === undefined ? {} : { workerPid: s.workerPid }),
    startedAt: startedAt.toISOString(),
    ...(s.workerStartedAt === undefined ? {} : { workerStartedAt: iso(s.workerStartedAt) as string }),
    starts: s.counters.starts,
    restarts: s.counters.restarts,
    reloads: s.counters.reloads,
    errors: s.counters.errors,
    maxCount: s.counters.maxCount,
    maxError: s.counters.maxError,
    ready: s.ready,
    ...exitReport(s.lastExit),
    command: s.command,
    logFile,
    instances: s.instances.map((i) => ({
      instance: i.instance,
      ...(i.workerPid === undefined ? {} : { workerPid: i.workerPid }),
      ...(i.workerStartedAt === undefined ? {} : { workerStartedAt: iso(i.workerStartedAt) as string }),
      ready: i.ready,
      restarting: i.restarting,
      starts: i.counters.starts,
      restarts: i.counters.restarts,
      reloads: i.counters.reloads,
      errors: i.counters.errors,
      ...exitReport(i.lastExit),
      ...optional('cpuSample', s.instances.length > 1 ? sampler.sampleOf(i.instance) : undefined),
    })),
    reloading: s.reloading,
    listen: s.listen,
    ...(cpuSample === undefined ? {} : { cpuSample }),
  };
}

type SupervisorStatusExit = ReturnType<Supervisor['status']>['lastExit'];

/** `{ [key]: value }`, or nothing when `value` is undefined. */
function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

/** A supervisor that cannot begin: tell the launcher (or stderr), exit 1. */
function fail(handshake: HandshakeSender, mode: SuperviseMode, message: string): never {
  handshake.send({ kind: 'failed', message });
  // In the foreground stderr is the terminal; detached, it is the log file.
  process.stderr.write(`xdaemon${mode === 'detached' ? ' supervisor' : ''}: ${message}\n`);
  process.exit(1);
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

/**
 * The supervise loop, and a public class for programs that supervise another command from their
 * own process (as forever-monitor users do): start the worker, wait for it, ask the policy, start
 * it again; stop its whole tree on request; restart it on request; tell whether it is ready.
 * The supervisor process of `Daemon.run()` and of the CLI is this same class (see ./supervise).
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { XDaemonError, messageOf } from '../errors.js';
import { createLogSink } from '../log/log-sink.js';
import { unusedLogSetting } from '../log/log-mode.js';
import { type DaemonSettings, SETTINGS, checkOptionKeys, checkSettings } from '../options.js';
import type { LogSink } from '../log/log-sink.js';
import type { ProcessId } from '../process/process-tree.js';
import { spawnDetached } from '../process/spawn-child.js';
import { stopProcess } from '../process/stop-process.js';
import { findTree, identify, stopTree } from '../process/stop-tree.js';
import { resolveCommand } from '../process/which.js';
import { tracer } from '../trace.js';
import { READY_FD_ENV } from '../worker/ready.js';
import { newTreePrefix } from './tree-token.js';
import { type GiveUpReason, type RestartHistory, FRESH, decide, exited, startFailed, started } from './policy.js';
import { type Procedure, type ProcedureContext, startProcedures } from './procedures.js';
import type { Counters, SupervisorEnd, SupervisorEvents, SupervisorHooks, SupervisorOptions, SupervisorStatus } from './supervisor-api.js';

export type { Counters, SupervisorEnd, SupervisorEvents, SupervisorHooks, SupervisorOptions, SupervisorStatus } from './supervisor-api.js';

const trace = tracer('supervisor');

export { TREE_ENV } from './tree-token.js';

/** A started worker. */
interface Worker {
  child: ChildProcess & { pid: number };
  id: ProcessId;
  /** Its tree token (`XDAEMON_TREE=…`), which its descendants inherit. */
  token: string;
  /** Monotonic ms and Date.now() of its start. */
  startedMono: number;
  startedAt: number;
  ready: boolean;
  readyTimer: NodeJS.Timeout | undefined;
  /** Why the supervisor is stopping it, if it is. */
  stopping: 'stop' | 'restart' | 'not-ready' | undefined;
  /** Resolves once it has exited and the loop has seen it. */
  exited: Promise<void>;
  /** Resolves once its output has been read to the end (piped mode; at once in direct mode). */
  drained: Promise<void>;
}

/** A promise with its resolvers. */
interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const OWN_OPTIONS = ['command', 'args', 'cwd', 'env', 'logFile'];

/**
 * Runs a command under Go's restart policy (and the opt-in extras) until the policy ends it or
 * {@link Supervisor.stop} is called.
 *
 * @example
 * ```ts
 * const sup = new Supervisor({ command: 'node', args: ['server.js'], logFile: 'server.log', restartDelay: 1000 });
 * sup.on('exit', ({ pid, code, signal }) => console.log(`worker ${pid} exited with ${code ?? signal}`));
 * const { workerPid } = await sup.start();
 * // ...
 * await sup.stop();
 * ```
 */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  /**
   * What every worker's tree token starts with: `XDAEMON_TREE=<supervisor id>.`; each worker gets
   * this plus its own sequence number, so a stop never takes a later worker for an earlier one's.
   */
  readonly treePrefix: string;
  private treeSeq = 0;
  /** Resolves when supervision has ended (never rejects). */
  readonly ended: Promise<SupervisorEnd>;
  /** The settings in force (defaults applied). */
  readonly settings: Omit<DaemonSettings, 'pidFile'>;
  private readonly file: string;
  private readonly args: readonly string[];
  private readonly cwd: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly output: LogSink;
  private readonly envForStart: ((start: number) => NodeJS.ProcessEnv) | undefined;
  private history: RestartHistory = FRESH;
  private restarts = 0;
  private everReady = false;
  private phase: SupervisorStatus['state'] = 'idle';
  private worker: Worker | undefined;
  private pending: NodeJS.Timeout | undefined;
  /** The stop of what the last worker left running, while it goes on. */
  private cleaning: Promise<void> | undefined;
  private startedAt: number | undefined;
  private lastExit: SupervisorStatus['lastExit'];
  private readonly end = deferred<SupervisorEnd>();
  private firstStart: Deferred<{ workerPid: number }> | undefined;
  private requested: Deferred<{ workerPid: number }> | undefined;
  /** The memory check, cron and watch restarts (./procedures), while supervising. */
  private readonly procedureContext: ProcedureContext;
  private procedures: Procedure | undefined;

  /**
   * @throws TypeError or RangeError for a bad option; XDaemonError when the command cannot be found.
   */
  constructor(options: SupervisorOptions, hooks: SupervisorHooks = {}) {
    super();
    if (typeof options !== 'object' || options === null) throw new TypeError('xdaemon: Supervisor options must be an object');
    checkOptionKeys(options, [...OWN_OPTIONS, ...Object.keys(SETTINGS).filter((k) => k !== 'pidFile')]);
    const { command, args = [], cwd = process.cwd(), env = process.env, logFile = '' } = options;
    if (typeof command !== 'string') throw new TypeError('xdaemon: command must be a string');
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new TypeError('xdaemon: args must be an array of strings');
    if (typeof cwd !== 'string') throw new TypeError('xdaemon: cwd must be a string');
    if (typeof env !== 'object' || env === null) throw new TypeError('xdaemon: env must be an object');
    if (typeof logFile !== 'string') throw new TypeError('xdaemon: logFile must be a string');
    const { pidFile: _unused, ...settings } = checkSettings(options);
    const unused = hooks.output === undefined ? unusedLogSetting(logFile, settings, options.maxFiles !== undefined) : undefined;
    if (unused !== undefined) throw new RangeError(`xdaemon: ${unused}`);
    this.settings = settings;
    this.cwd = cwd;
    this.env = env;
    this.args = args;
    this.file = hooks.resolved === true ? command : resolveCommand(command, env, cwd);
    this.output =
      hooks.output ??
      createLogSink({ logFile, errFile: settings.errFile, timestamps: settings.timestamps, maxSize: settings.maxSize, maxFiles: settings.maxFiles, echo: false });
    this.envForStart = hooks.envForStart;
    this.treePrefix = hooks.treePrefix ?? newTreePrefix();
    this.ended = this.end.promise;
    this.procedureContext = { cwd, ignoredPaths: [logFile, settings.errFile, ...(hooks.ignoredPaths ?? [])], clock: hooks.clock };
  }

  /** The running worker's pid, if one runs. */
  get workerPid(): number | undefined {
    return this.worker?.child.pid;
  }

  /** The running worker's identity and tree token, if one runs (for a last-resort signal to its tree). */
  get workerTree(): { id: ProcessId; mark: { entry: string } } | undefined {
    const w = this.worker;
    return w === undefined ? undefined : { id: w.id, mark: { entry: w.token } };
  }

  /** The counters now. */
  counters(): Counters {
    const { starts, errors } = this.history;
    return { starts, restarts: this.restarts, errors, maxCount: this.settings.maxCount, maxError: this.settings.maxError };
  }

  /** What the supervisor is doing now. */
  status(): SupervisorStatus {
    const w = this.worker;
    return {
      state: this.phase,
      workerPid: w?.child.pid,
      startedAt: this.startedAt,
      workerStartedAt: w?.startedAt,
      ready: w?.ready ?? false,
      counters: this.counters(),
      lastExit: this.lastExit,
      command: [this.file, ...this.args],
    };
  }

  /**
   * Starts supervising. Resolves with the first worker's pid once it has started (with
   * `waitReady`: once it is ready); a first worker that runs and then dies does not undo that (the
   * end of supervision is told by `giveup` and {@link ended}). Rejects if supervision ends before
   * any worker was up (every start failed, or the first worker was never ready). Calling it again
   * returns the same promise.
   */
  start(): Promise<{ workerPid: number }> {
    if (this.firstStart !== undefined) return this.firstStart.promise;
    this.firstStart = deferred();
    this.firstStart.promise.catch(() => undefined);
    this.phase = 'running';
    this.startedAt = Date.now();
    this.procedures = startProcedures(this, this.settings, this.procedureContext);
    this.next();
    return this.firstStart.promise;
  }

  /**
   * Stops: no further restarts; a pending restart is cancelled at once; the running worker's
   * whole tree (killMode 'group': its process group and, on Linux, every process it started, also
   * those that left the group; killMode 'process': the worker alone) gets `signal`, then SIGKILL
   * after killTimeout. Resolves once all of it is gone.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<SupervisorEnd> {
    if (this.phase === 'ended' || this.phase === 'stopping') return this.ended;
    this.phase = 'stopping';
    this.procedures?.stop();
    clearTimeout(this.pending);
    this.pending = undefined;
    const worker = this.worker;
    this.emit('stopping', { signal, pid: worker?.child.pid });
    const survivors = worker === undefined ? [] : await this.stopWorker(worker, 'stop', signal);
    // What an exited worker left is being stopped: the stop is done once that is gone too.
    if (this.cleaning !== undefined) await this.cleaning;
    this.requested?.reject(new XDaemonError('the supervisor stopped before the restarted worker was up'));
    this.emit('stop', { survivors, counters: this.counters() });
    this.finish({ code: 0, reason: 'stop' });
    return this.ended;
  }

  /**
   * Restarts the worker now: its tree is stopped gracefully (SIGTERM, killTimeout, SIGKILL) and a
   * new worker starts at once. Counted in `restarts`, never in `starts` or `errors`, so it never
   * makes the supervisor reach maxCount or maxError. During a restart delay, the pending start
   * happens now. Resolves with the new worker's pid once it runs (with `waitReady`: is ready).
   */
  restart(): Promise<{ workerPid: number }> {
    if (this.phase === 'idle') return Promise.reject(new XDaemonError('the supervisor has not been started'));
    if (this.phase === 'ended' || this.phase === 'stopping') return Promise.reject(new XDaemonError('the supervisor is stopping'));
    if (this.requested !== undefined) return this.requested.promise;
    const requested = deferred<{ workerPid: number }>();
    this.requested = requested;
    const worker = this.worker;
    if (worker === undefined) {
      // Waiting out a restart delay: the pending start happens now.
      clearTimeout(this.pending);
      this.pending = undefined;
      this.launch(true);
    } else {
      this.restarts += 1;
      this.phase = 'restarting';
      this.emit('restarting', { pid: worker.child.pid, counters: this.counters() });
      void this.stopWorker(worker, 'restart', 'SIGTERM').then(() => {
        if (this.phase !== 'restarting') return;
        this.phase = 'running';
        this.launch(false);
      });
    }
    return requested.promise;
  }

  /** Stops a worker's tree and waits until the loop has seen its exit; returns what survived SIGKILL. */
  private async stopWorker(worker: Worker, why: 'stop' | 'restart' | 'not-ready', signal: NodeJS.Signals): Promise<number[]> {
    worker.stopping ??= why;
    clearTimeout(worker.readyTimer);
    const killTimeout = this.settings.killTimeout;
    const onKill = (pids: number[]): void => void this.emit('kill', { pid: worker.child.pid, pids, killTimeout });
    let survivors: number[];
    if (this.settings.killMode === 'process') {
      survivors = await stopProcess(worker.child, signal, killTimeout, onKill);
    } else {
      survivors = (await stopTree(worker.id, { signal, killTimeout, mark: { entry: worker.token }, onKill })).survivors;
    }
    await worker.exited;
    return survivors;
  }

  private next(): void {
    if (this.phase !== 'running') return;
    const decision = decide(this.settings, this.history);
    trace('decision %o with %o', decision, this.history);
    if (decision.action === 'exit') {
      this.giveUp(decision.code, decision.reason);
      return;
    }
    if (decision.delay > 0) {
      this.pending = setTimeout(() => {
        this.pending = undefined;
        this.launch(true);
      }, decision.delay);
      // After the timer exists: a listener that calls stop() clears it.
      this.emit('restart', { delay: decision.delay, counters: this.counters() });
    } else {
      this.launch(true);
    }
  }

  /** Starts a worker; `counted` starts count toward maxCount (a requested restart does not). */
  private launch(counted: boolean): void {
    if (this.phase !== 'running') return;
    if (counted) this.history = started(this.history);
    let child: ChildProcess & { pid: number };
    const token = `${this.treePrefix}${++this.treeSeq}`;
    try {
      const [name, value] = splitEntry(token);
      const stdio = this.output.stdioForWorker();
      try {
        child = spawnDetached({
          file: this.file,
          args: this.args,
          cwd: this.cwd,
          // The tree token first: it stays within the first bytes of every descendant's environment.
          env: { [name]: value, ...withoutKey(this.env, name), ...this.envForStart?.(this.history.starts), [READY_FD_ENV]: '3' },
          stdout: stdio.stdout,
          stderr: stdio.stderr,
          extraStdio: ['pipe'],
        });
      } finally {
        stdio.release();
      }
    } catch (err) {
      this.history = startFailed(this.history);
      const error = err instanceof Error ? err : new Error(messageOf(err));
      this.emit('start-failed', { error, counters: this.counters() });
      setImmediate(() => this.next());
      return;
    }
    const worker: Worker = {
      child,
      id: identify(child.pid) ?? { pid: child.pid, starttime: 0 },
      token,
      startedMono: now(),
      startedAt: Date.now(),
      ready: false,
      readyTimer: undefined,
      stopping: undefined,
      exited: new Promise<void>((resolve) => child.once('exit', (code, signal) => void this.onExit(worker, code, signal).then(resolve))),
      drained: this.output.attach(child),
    };
    this.worker = worker;
    this.watchReady(worker);
    this.emit('start', { pid: child.pid, counters: this.counters() });
    if (this.settings.waitReady === 0) this.started(worker);
  }

  /** Listens for the worker's ready line; with waitReady, stops a worker that is late. */
  private watchReady(worker: Worker): void {
    const pipe = worker.child.stdio[3] as NodeJS.ReadableStream;
    pipe.setEncoding('utf8');
    pipe.on('error', () => undefined);
    // Read to the end (a writer must never get SIGPIPE); the first complete line is the signal.
    pipe.on('data', (chunk: string) => {
      if (worker.ready || worker.stopping !== undefined || !chunk.includes('\n')) return;
      worker.ready = true;
      clearTimeout(worker.readyTimer);
      this.everReady = true;
      this.emit('ready', { pid: worker.child.pid, seconds: (now() - worker.startedMono) / 1000, counters: this.counters() });
      if (this.settings.waitReady > 0) this.started(worker);
    });
    const waitReady = this.settings.waitReady;
    if (waitReady > 0) {
      worker.readyTimer = setTimeout(() => {
        if (worker.ready || worker.stopping !== undefined) return;
        this.emit('not-ready', { pid: worker.child.pid, waitReady });
        void this.stopWorker(worker, 'not-ready', 'SIGTERM');
      }, waitReady);
    }
  }

  /** A worker is up (started, or ready with waitReady): settle whoever waits for it. */
  private started(worker: Worker): void {
    const result = { workerPid: worker.child.pid };
    this.firstStart?.resolve(result);
    const requested = this.requested;
    this.requested = undefined;
    requested?.resolve(result);
  }

  private async onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    clearTimeout(worker.readyTimer);
    const seconds = (now() - worker.startedMono) / 1000;
    // Piped mode: the worker's last lines go before the line of its exit (unless something it
    // started holds its pipes open: then those are read on in the background).
    await atMost(worker.drained, DRAIN_WAIT_MS);
    if (this.worker === worker) this.worker = undefined;
    this.lastExit = { code, signal, seconds, at: Date.now() };
    const why = worker.stopping;
    if (why !== 'stop' && why !== 'restart') {
      this.history = why === 'not-ready' ? startFailed(this.history) : exited(this.settings, this.history, seconds, { code, signal });
    }
    this.emit('exit', { pid: worker.child.pid, code, signal, seconds, counters: this.counters() });
    if (why === 'stop' || why === 'restart') return;
    if (!worker.ready && this.settings.waitReady > 0) {
      const message =
        why === 'not-ready'
          ? `worker pid ${worker.child.pid} did not call ready() within ${this.settings.waitReady} ms`
          : `worker pid ${worker.child.pid} exited with ${signal ?? `code ${code}`} before it was ready`;
      this.requested?.reject(new XDaemonError(message));
      this.requested = undefined;
      if (!this.everReady) {
        // The first worker never came up: a failed start, never "online anyway".
        this.giveUp(1, 'not-ready', message);
        return;
      }
    }
    if (this.settings.killMode === 'group') {
      this.cleaning = this.cleanUp(worker);
      await this.cleaning;
      this.cleaning = undefined;
    }
    this.next();
  }

  /** Stops what an exited worker left running in its group or tree, before the next start. */
  private async cleanUp(worker: Worker): Promise<void> {
    const left = findTree(worker.id, { entry: worker.token });
    if (left.length === 0) return;
    this.emit('cleanup', { pid: worker.child.pid, pids: left.map((p) => p.pid) });
    const killTimeout = this.settings.killTimeout;
    await stopTree(worker.id, {
      killTimeout,
      mark: { entry: worker.token },
      onKill: (pids) => this.emit('kill', { pid: worker.child.pid, pids, killTimeout }),
    });
  }

  private giveUp(code: number, reason: GiveUpReason | 'not-ready', message?: string): void {
    if (this.phase === 'ended') return;
    this.emit('giveup', { code, reason, counters: this.counters() });
    const why = message ?? `supervision ended (${reason}) before a worker was up`;
    this.firstStart?.reject(new XDaemonError(why));
    this.requested?.reject(new XDaemonError(why));
    this.finish({ code, reason });
  }

  private finish(end: SupervisorEnd): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.procedures?.stop();
    this.firstStart?.reject(new XDaemonError('the supervisor stopped before a worker was up'));
    this.end.resolve(end);
  }
}

function splitEntry(entry: string): [string, string] {
  const at = entry.indexOf('=');
  return [entry.slice(0, at), entry.slice(at + 1)];
}

function withoutKey(env: NodeJS.ProcessEnv, key: string): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy[key];
  return copy;
}

/** How long an exit waits for the worker's output to be read to the end, at most. */
const DRAIN_WAIT_MS = 250;

/** Waits for `promise`, or `ms` at most; the timer goes as soon as the promise settles. */
async function atMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Monotonic milliseconds (no perf_hooks load in the supervisor). */
function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

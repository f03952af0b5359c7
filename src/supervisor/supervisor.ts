/**
 * The supervise loop, and a public class for programs that supervise another command from their
 * own process (as forever-monitor users do): start the worker, wait for it, ask the policy, start
 * it again; stop its whole tree on request; restart it on request; tell whether it is ready.
 * The supervisor process of `Daemon.run()` and of the CLI is this same class (see ./supervise).
 */
import { EventEmitter } from 'node:events';
import { XDaemonError, messageOf } from '../errors.js';
import { createLogSink } from '../log/log-sink.js';
import { type DaemonSettings, SETTINGS, checkOptionKeys, checkSettings } from '../options.js';
import type { LogSink } from '../log/log-sink.js';
import type { ProcessId } from '../process/process-tree.js';
import { resolveCommand } from '../process/which.js';
import { tracer } from '../trace.js';
import { REOPEN_LINE } from '../worker/log-follow.js';
import { Spare, withToken } from './spare.js';
import { newTreePrefix } from './tree-token.js';
import { type GiveUpReason, type RestartHistory, FRESH, decide, exited, startFailed, started } from './policy.js';
import { type StopReason, type WorkerExit, WorkerRun, type WorkerRunHooks } from './worker-run.js';
import type { Counters, SupervisorEnd, SupervisorEvents, SupervisorHooks, SupervisorOptions, SupervisorStatus } from './supervisor-api.js';

export type { Counters, SupervisorEnd, SupervisorEvents, SupervisorHooks, SupervisorOptions, SupervisorStatus } from './supervisor-api.js';

const trace = tracer('supervisor');

export { TREE_ENV } from './tree-token.js';

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
  private worker: WorkerRun | undefined;
  private pending: NodeJS.Timeout | undefined;
  private startedAt: number | undefined;
  private lastExit: SupervisorStatus['lastExit'];
  private readonly end = deferred<SupervisorEnd>();
  private firstStart: Deferred<{ workerPid: number }> | undefined;
  private requested: Deferred<{ workerPid: number }> | undefined;
  /** With prewarm: the idle node that becomes the next worker. */
  private readonly spare: Spare | undefined;

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
    this.spare = settings.prewarm
      ? new Spare({
          file: this.file,
          args,
          cwd,
          env,
          output: this.output,
          newToken: () => this.newToken(),
          onDeath: (pid, code, signal) => void this.emit('spare-exit', { pid, code, signal }),
        })
      : undefined;
  }

  /** The waiting spare's pid (prewarm), if one waits. */
  get sparePid(): number | undefined {
    return this.spare?.pid;
  }

  /** A tree token no worker had: `XDAEMON_TREE=<supervisor id>.<sequence number>`. */
  private newToken(): string {
    return `${this.treePrefix}${++this.treeSeq}`;
  }

  /** The running worker's pid, if one runs. */
  get workerPid(): number | undefined {
    return this.worker?.pid;
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
      workerPid: w?.pid,
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
   * `waitReady`: once it is ready); rejects if supervision ends before that (it gave up, or the
   * first worker was never ready). Calling it again returns the same promise.
   */
  start(): Promise<{ workerPid: number }> {
    if (this.firstStart !== undefined) return this.firstStart.promise;
    this.firstStart = deferred();
    this.firstStart.promise.catch(() => undefined);
    this.phase = 'running';
    this.startedAt = Date.now();
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
    this.spare?.end();
    clearTimeout(this.pending);
    this.pending = undefined;
    const worker = this.worker;
    this.emit('stopping', { signal, pid: worker?.pid });
    const survivors = worker === undefined ? [] : await this.stopWorker(worker, 'stop', signal);
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
      this.emit('restarting', { pid: worker.pid, counters: this.counters() });
      void this.stopWorker(worker, 'restart', 'SIGTERM').then(() => {
        if (this.phase !== 'restarting') return;
        this.phase = 'running';
        this.launch(false);
      });
    }
    return requested.promise;
  }

  /** Stops a worker's tree and waits until the loop has seen its exit; returns what survived SIGKILL. */
  /**
   * Reopens the log file(s) (after an external rotation: SIGHUP, logrotate's postrotate); a Node
   * worker in direct mode is told to follow, and its later output goes to the new file too.
   * Returns why the reopen failed, if it did.
   */
  reopenLog(): string | undefined {
    const error = this.output.reopen();
    if (error === undefined) this.worker?.tell(REOPEN_LINE);
    return error;
  }

  private stopWorker(worker: WorkerRun, why: StopReason, signal: NodeJS.Signals): Promise<number[]> {
    return worker.stop(why, signal);
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
      this.emit('restart', { delay: decision.delay, counters: this.counters() });
      this.pending = setTimeout(() => {
        this.pending = undefined;
        this.launch(true);
      }, decision.delay);
    } else {
      this.launch(true);
    }
  }

  /** Starts a worker; `counted` starts count toward maxCount (a requested restart does not). */
  private launch(counted: boolean): void {
    if (this.phase !== 'running') return;
    if (counted) this.history = started(this.history);
    // A waiting spare becomes this worker, keeping its tree token.
    const spare = this.spare?.take();
    const token = spare?.token ?? this.newToken();
    let worker: WorkerRun;
    try {
      worker = WorkerRun.start(
        {
          file: this.file,
          args: this.args,
          cwd: this.cwd,
          env: { ...withToken(this.env, token), ...this.envForStart?.(this.history.starts) },
          token,
          spare,
        },
        this.output,
        this.settings,
        this.workerHooks,
      );
    } catch (err) {
      this.history = startFailed(this.history);
      const error = err instanceof Error ? err : new Error(messageOf(err));
      this.emit('start-failed', { error, counters: this.counters() });
      setImmediate(() => this.next());
      return;
    }
    this.worker = worker;
    this.emit('start', { pid: worker.pid, fromSpare: worker.fromSpare, counters: this.counters() });
    // The next spare boots once this start is done, off its critical path.
    if (this.spare !== undefined) setImmediate(() => this.spare?.boot());
    if (this.settings.waitReady === 0) this.started(worker);
  }

  /** What the loop does when a worker it started says something. */
  private readonly workerHooks: WorkerRunHooks = {
    ready: (worker, seconds) => {
      this.everReady = true;
      this.emit('ready', { pid: worker.pid, seconds, counters: this.counters() });
      if (this.settings.waitReady > 0) this.started(worker);
    },
    notReady: (worker) => void this.emit('not-ready', { pid: worker.pid, waitReady: this.settings.waitReady }),
    kill: (worker, pids) => void this.emit('kill', { pid: worker.pid, pids, killTimeout: this.settings.killTimeout }),
    exit: (worker, exit) => this.onExit(worker, exit),
  };

  /** A worker is up (started, or ready with waitReady): settle whoever waits for it. */
  private started(worker: WorkerRun): void {
    const result = { workerPid: worker.pid };
    this.firstStart?.resolve(result);
    const requested = this.requested;
    this.requested = undefined;
    requested?.resolve(result);
  }

  private async onExit(worker: WorkerRun, exit: WorkerExit): Promise<void> {
    const { code, signal, seconds } = exit;
    if (this.worker === worker) this.worker = undefined;
    this.lastExit = { code, signal, seconds, at: Date.now() };
    const why = exit.stopping;
    if (why !== 'stop' && why !== 'restart') {
      this.history = why === 'not-ready' ? startFailed(this.history) : exited(this.settings, this.history, seconds, { code, signal });
    }
    this.emit('exit', { pid: worker.pid, code, signal, seconds, counters: this.counters() });
    if (why === 'stop' || why === 'restart') return;
    if (!exit.ready && this.settings.waitReady > 0) {
      const message =
        why === 'not-ready'
          ? `worker pid ${worker.pid} did not call ready() within ${this.settings.waitReady} ms`
          : `worker pid ${worker.pid} exited with ${signal ?? `code ${code}`} before it was ready`;
      this.requested?.reject(new XDaemonError(message));
      this.requested = undefined;
      if (!this.everReady) {
        // The first worker never came up: a failed start, never "online anyway".
        this.giveUp(1, 'not-ready', message);
        return;
      }
    }
    if (this.settings.killMode === 'group') await this.cleanUp(worker);
    this.next();
  }

  /** Stops what an exited worker left running in its group or tree, before the next start. */
  private async cleanUp(worker: WorkerRun): Promise<void> {
    const left = worker.leftovers();
    if (left.length === 0) return;
    this.emit('cleanup', { pid: worker.pid, pids: left });
    await worker.stopLeftovers();
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
    this.spare?.end();
    this.firstStart?.reject(new XDaemonError('the supervisor stopped before a worker was up'));
    this.end.resolve(end);
  }
}


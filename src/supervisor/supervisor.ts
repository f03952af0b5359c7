/**
 * The supervise loop, and a public class for programs that supervise another command from their
 * own process (as forever-monitor users do): start the workers, wait for them, ask the policy,
 * start them again; stop their whole trees on request; restart or reload them on request; tell
 * whether they are ready. It holds the listening sockets (../socket/socket-holder) and the table
 * of instance slots (./slot), each with its own worker (./worker-run) and policy history; the
 * reload is its own procedure (./reload). The supervisor process of `Daemon.run()` and of the CLI
 * is this same class (see ../daemon-process/supervise).
 */
import { EventEmitter } from 'node:events';
import { XDaemonError, messageOf, optionError } from '../errors.js';
import { createLogSink } from '../log/log-sink.js';
import { checkOptionKeys, checkSettings } from '../settings/check.js';
import { SUPERVISOR_SETTING_NAMES, supervisorSettings } from '../settings/derived.js';
import type { SupervisorSettings } from '../settings/types.js';
import type { LogSink } from '../log/log-sink.js';
import type { ProcessId } from '../process/process-tree.js';
import { HAS_PROC } from '../process/proc.js';
import { identify } from '../process/stop-tree.js';
import { resolveCommand } from '../process/which.js';
import { SocketHolder } from '../socket/socket-holder.js';
import { ClusterSockets } from '../socket/cluster-sockets.js';
import { listenAddresses } from '../settings/listen.js';
import { incrementProblem, instanceEnv } from './instance-env.js';
import { whyNoSpare } from '../process/node-command.js';
import { REOPEN_LINE } from '../worker/log-follow.js';
import { withToken } from './spare.js';
import { newTreePrefix } from './tree-token.js';
import type { GiveUpReason } from './policy.js';
import { type ReloadHost, type ReloadReport, reloadSlots } from './reload.js';
import { Slot, type SlotHost, restartSlot } from './slot.js';
import { GroupGuard } from './group-guard.js';
import { listenSpec } from './listen-spec.js';
import type { WorkerRunSpec } from './worker-run.js';
import type { Counters, InstanceStatus, SupervisorEnd, SupervisorEvents, SupervisorHooks, SupervisorOptions, SupervisorStatus } from './supervisor-api.js';
import { type Deferred, deferred } from './deferred.js';
import { OperationLock } from './operation-lock.js';
import { type ProcedureContext, type Procedures, startProcedures } from './procedures.js';
import type { CheckedWorker, SharedSocket } from './health/health-check.js';
import { STARTING } from './health/health-state.js';
import { socketInode } from '../process/accepting.js';

export type { Counters, InstanceStatus, SupervisorEnd, SupervisorEvents, SupervisorHooks, SupervisorOptions, SupervisorStatus } from './supervisor-api.js';
export type { ReloadReport } from './reload.js';

export { TREE_ENV } from './tree-token.js';

const OWN_OPTIONS = ['command', 'args', 'cwd', 'env', 'logFile'];

/** Variables of systemd's socket protocol: the supervisor's own never reach a worker. */
const LISTEN_VARS = ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES'];

/**
 * Runs a command under Go's restart policy (and the opt-in extras) until the policy ends it or
 * {@link Supervisor.stop} is called; with `instances`, that many copies side by side, and with
 * `listen`, the sockets they all accept on.
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
  readonly settings: SupervisorSettings;
  private readonly file: string;
  private readonly args: readonly string[];
  private readonly cwd: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly output: LogSink;
  private readonly envForStart: ((start: number) => NodeJS.ProcessEnv) | undefined;
  private readonly slots: readonly Slot[];
  private phase: 'idle' | 'running' | 'stopping' | 'ended' = 'idle';
  private startedAt: number | undefined;
  private sockets: SocketHolder | undefined;
  /** Cluster mode: the sockets the workers' listen() asked for (../socket/cluster-sockets). */
  private clusterSockets: ClusterSockets | undefined;
  /** Where systemd's socket activation variables are read. */
  private readonly socketEnv: NodeJS.ProcessEnv;
  private readonly end = deferred<SupervisorEnd>();
  private firstStart: Deferred<{ workerPid: number }> | undefined;
  /** The restart, reload or replacement under way: one at a time (./operation-lock). */
  private readonly lock = new OperationLock();
  /** The memory check, cron and watch restarts (./procedures), while supervising. */
  private readonly procedureContext: ProcedureContext;
  private procedures: Procedures | undefined;
  /** The held sockets' inodes, once read. */
  private inodes: SharedSocket[] | undefined;
  /** Stops the workers' process groups, and what left them, if this process dies without a word (./group-guard). */
  private readonly guard: GroupGuard;
  /** Whether the guard is this supervisor's own (else a host's, shared: never closed here). */
  private readonly ownsGuard: boolean;

  /**
   * @throws TypeError or RangeError for a bad option; XDaemonError when the command cannot be found.
   */
  constructor(options: SupervisorOptions, hooks: SupervisorHooks = {}) {
    super();
    if (typeof options !== 'object' || options === null) throw new TypeError('xdaemon: Supervisor options must be an object');
    checkOptionKeys(options, [...OWN_OPTIONS, ...SUPERVISOR_SETTING_NAMES]);
    const { command, args = [], cwd = process.cwd(), env = process.env, logFile = '' } = options;
    if (typeof command !== 'string') throw new TypeError('xdaemon: command must be a string');
    if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new TypeError('xdaemon: args must be an array of strings');
    if (typeof cwd !== 'string') throw new TypeError('xdaemon: cwd must be a string');
    if (typeof env !== 'object' || env === null) throw new TypeError('xdaemon: env must be an object');
    if (typeof logFile !== 'string') throw new TypeError('xdaemon: logFile must be a string');
    // Whether the output goes to a file is known only without the supervisor process's own log.
    const settings = supervisorSettings(checkSettings(options, { logged: hooks.output === undefined ? logFile !== '' : undefined, ...(hooks.defaults === undefined ? {} : { defaults: hooks.defaults }) }));
    this.settings = settings;
    this.cwd = cwd;
    this.env = { ...env };
    for (const name of LISTEN_VARS) delete this.env[name];
    this.args = args;
    this.file = hooks.resolved === true ? command : resolveCommand(command, env, cwd);
    this.output =
      hooks.output ??
      createLogSink({ logFile, errFile: settings.errFile, timestamps: settings.timestamps, maxSize: settings.maxSize, maxFiles: settings.maxFiles, echo: false });
    this.envForStart = hooks.envForStart;
    this.treePrefix = hooks.treePrefix ?? newTreePrefix();
    this.ownsGuard = hooks.guard === undefined;
    if (hooks.guard !== undefined) this.guard = hooks.guard;
    else {
      const self = HAS_PROC ? identify(process.pid) : undefined;
      this.guard = new GroupGuard(self === undefined ? undefined : { prefix: this.treePrefix, since: self.starttime });
    }
    this.ended = this.end.promise;
    const noSpare = settings.prewarm ? whyNoSpare(this.file, this.args) : undefined;
    if (noSpare !== undefined) throw new XDaemonError(noSpare);
    const increment = incrementProblem(settings, this.env, listenAddresses(settings.listen));
    if (increment !== undefined) throw optionError(RangeError, `incrementVar: ${increment}`, { option: 'incrementVar', reason: increment });
    const host = this.slotHost();
    this.slots = Array.from({ length: settings.instances }, (_, i) => new Slot(i, host));
    this.socketEnv = hooks.socketEnv ?? process.env;
    this.procedureContext = { cwd, ignoredPaths: [logFile, settings.errFile, ...(hooks.ignoredPaths ?? [])], clock: hooks.clock, env: this.env };
  }

  /** The running worker's pid (instance 0), if one runs. */
  get workerPid(): number | undefined {
    return this.slots[0]?.worker?.pid;
  }

  /** Every running worker's identity and tree token (for a last-resort signal to their trees). */
  get workerTrees(): { id: ProcessId; mark: { entry: string } }[] {
    return this.slots.flatMap((s) => s.workers()).map((w) => ({ id: w.id, mark: { entry: w.token } }));
  }

  /** The first running worker's identity and tree token, if one runs. */
  get workerTree(): { id: ProcessId; mark: { entry: string } } | undefined {
    return this.workerTrees[0];
  }

  /** Each instance's serving worker (not a reload's replacement, nor an old one being stopped), if one runs. */
  get instanceWorkers(): { instance: number; tree: { id: ProcessId; mark: { entry: string } }; startedAt: number; ready: boolean }[] {
    return this.slots.flatMap((s) => {
      const w = s.worker;
      return w === undefined ? [] : [{ instance: s.index, tree: { id: w.id, mark: { entry: w.token } }, startedAt: w.startedAt, ready: w.ready }];
    });
  }

  /** Every worker a health check looks at: each instance's serving worker, and a reload's replacement. */
  get checkedWorkers(): CheckedWorker[] {
    return this.slots.flatMap((s) =>
      [s.worker, s.candidate].flatMap((w) =>
        w === undefined || w.stopping !== undefined || w.exit !== undefined ? [] : [{ instance: s.index, pid: w.pid, startedAt: w.startedAt, ready: w.ready, serving: w === s.worker }],
      ),
    );
  }

  /** The sockets held for the workers, by inode (Linux; none before they are bound). */
  sharedSockets(): SharedSocket[] {
    const sockets = this.sockets?.sockets ?? [];
    if (this.inodes === undefined && sockets.length > 0) {
      this.inodes = sockets.flatMap((s) => {
        const inode = socketInode(s.fd);
        return inode === undefined ? [] : [{ inode, port: s.port }];
      });
    }
    return this.inodes ?? [];
  }

  /** Makes worker `pid` ready (its first passing health check), wherever it serves. */
  markReady(pid: number): void {
    for (const slot of this.slots) for (const w of [slot.worker, slot.candidate]) if (w?.pid === pid) w.markReady('check');
  }

  /** The counters now, summed over the instances (errors: the most of any instance). */
  counters(): Counters {
    const all = this.slots.map((s) => s.counters());
    const sum = (key: 'starts' | 'restarts' | 'reloads'): number => all.reduce((n, c) => n + c[key], 0);
    return {
      starts: sum('starts'),
      restarts: sum('restarts'),
      reloads: sum('reloads'),
      errors: Math.max(0, ...all.map((c) => c.errors)),
      maxCount: this.settings.maxCount,
      maxError: this.settings.maxError,
    };
  }

  /** What the supervisor is doing now. */
  status(): SupervisorStatus {
    const first = this.slots[0] as Slot;
    const w = first.worker;
    const instances = this.slots.map((s): InstanceStatus => {
      const worker = s.worker;
      return {
        instance: s.index,
        workerPid: worker?.pid,
        workerStartedAt: worker?.startedAt,
        ready: worker?.ready ?? false,
        restarting: s.isRestarting,
        counters: s.counters(),
        lastExit: s.lastWorkerExit,
        ...(worker === undefined || this.settings.health === '' ? {} : { health: this.procedures?.healthOf(worker.pid) ?? STARTING }),
      };
    });
    const restarting = this.phase === 'running' && this.slots.some((s) => s.inRestart);
    return {
      state: restarting ? 'restarting' : this.phase,
      workerPid: w?.pid,
      startedAt: this.startedAt,
      workerStartedAt: w?.startedAt,
      ready: instances.every((i) => i.ready),
      counters: this.counters(),
      lastExit: first.lastWorkerExit,
      command: [this.file, ...this.args],
      instances,
      reloading: this.lock.current === 'reload',
      listen: [
        ...(this.sockets?.sockets.map((s) => ({ name: s.name, address: s.address })) ?? []),
        ...(this.clusterSockets?.addresses().map((address) => ({ name: 'cluster', address })) ?? []),
      ],
    };
  }

  /**
   * Starts supervising: binds the `listen` addresses, then starts every instance. Resolves with
   * the first instance's worker pid once every instance has started (with `waitReady`: is ready);
   * a first worker that runs and then dies does not undo that (the end of supervision is told by
   * `giveup` and {@link ended}). Rejects if supervision ends before that (a bind failed, every
   * start failed, or a first worker was never ready). Calling it again returns the same promise.
   */
  start(): Promise<{ workerPid: number }> {
    if (this.firstStart !== undefined) return this.firstStart.promise;
    const firstStart = deferred<{ workerPid: number }>();
    this.firstStart = firstStart;
    this.phase = 'running';
    this.startedAt = Date.now();
    this.procedures = startProcedures(this, this.settings, this.procedureContext);
    const begin = (): void => {
      const ups = this.slots.map((s) => s.nextUp());
      for (const slot of this.slots) slot.begin();
      Promise.all(ups).then(
        (workers) => firstStart.resolve({ workerPid: (workers[0] as { pid: number }).pid }),
        (err: Error) => firstStart.reject(err),
      );
    };
    // Without sockets the first workers start at once, within this call.
    if (this.settings.listen.length === 0 && !activated(this.socketEnv)) begin();
    else void this.openSockets().then((ok) => ok && this.phase === 'running' && begin());
    return firstStart.promise;
  }

  /** Binds the sockets; a failure ends supervision (exit 1) naming the address. */
  private async openSockets(): Promise<boolean> {
    try {
      this.sockets = await SocketHolder.open(this.settings.listen, this.socketEnv);
      if (this.phase !== 'running') this.sockets.close();
      else this.emit('listening', { sockets: this.sockets.sockets.map((s) => ({ name: s.name, address: s.address, fd: s.fd })) });
      return true;
    } catch (err) {
      this.emit('giveup', { code: 1, reason: 'listen', counters: this.counters() });
      this.firstStart?.reject(err instanceof Error ? err : new XDaemonError(messageOf(err)));
      this.finish({ code: 1, reason: 'listen' });
      return false;
    }
  }

  /**
   * Stops: no further restarts; a pending restart is cancelled at once; every worker's whole tree
   * (killMode 'group': its process group and, on Linux, every process it started, also those
   * that left the group; killMode 'process': the worker alone), a reload's replacement too, gets
   * `signal`, then SIGKILL after killTimeout. Resolves once all of it is gone.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<SupervisorEnd> {
    if (this.phase === 'ended' || this.phase === 'stopping') return this.ended;
    this.phase = 'stopping';
    this.procedures?.stop();
    for (const slot of this.slots) {
      slot.cancelPending();
      slot.endSpare();
    }
    this.emit('stopping', { signal, pid: this.workerPid, pids: this.slots.flatMap((s) => s.workers()).map((w) => w.pid) });
    const survivors = await this.stopAll(signal);
    // What an exited worker left is being stopped: the stop is done once that is gone too.
    await Promise.all(this.slots.map((slot) => slot.cleaning));
    const stopped = new XDaemonError('the supervisor stopped before the restarted worker was up');
    for (const slot of this.slots) slot.fail(stopped);
    this.emit('stop', { survivors, counters: this.counters() });
    this.finish({ code: 0, reason: 'stop' });
    return this.ended;
  }

  /** Stops every worker of every slot; returns what survived SIGKILL. */
  private async stopAll(signal: NodeJS.Signals): Promise<number[]> {
    const workers = this.slots.flatMap((s) => s.workers());
    return (await Promise.all(workers.map((w) => w.stop('stop', signal)))).flat();
  }

  /**
   * Restarts the workers now: each instance's tree is stopped gracefully (SIGTERM, killTimeout,
   * SIGKILL) and a new worker starts at once. Counted in `restarts`, never in `starts` or
   * `errors`, so it never makes the supervisor reach maxCount or maxError. During a restart delay,
   * the pending start happens now. Resolves with the first instance's new worker pid once every
   * instance runs again (with `waitReady`: is ready). A restart asked for meanwhile joins this
   * one; during a reload or a replacement it is refused (a BusyError: `code: 'EBUSY'`).
   */
  restart(): Promise<{ workerPid: number }> {
    return this.refusal() ?? this.lock.run('restart', () => Promise.all(this.slots.map(restartSlot)).then((workers) => workers[0] as { workerPid: number }));
  }

  /**
   * Reloads: for each instance in turn, starts its replacement, waits until it is ready (with
   * `waitReady`; without it, `reloadGrace` ms or its ready(), whichever comes first), and only
   * then stops the old worker gracefully, so that every instance serves throughout. A replacement
   * that dies or is not ready in time is stopped, the old worker keeps running, the instances
   * after it are not touched, and the promise rejects naming the instance. Counted in `reloads`,
   * never in `starts` or `errors`. One restart, reload or replacement at a time: another one
   * meanwhile is refused (a BusyError: `code: 'EBUSY'`, naming both).
   */
  reload(): Promise<ReloadReport> {
    return this.refusal() ?? this.lock.run('reload', () => reloadSlots(this.slots, this.reloadHost()));
  }

  /**
   * Replaces one instance's worker gracefully, the others untouched (the memory limit's remedy).
   * Where the daemon can reload ({@link reloadable}), by the reload procedure for that instance
   * alone: its replacement first, ready, then the old worker stopped, so that every instance
   * serves throughout; else that instance's worker is stopped and started again. Counted in the
   * instance's `restarts`, never in `reloads`, `starts` or `errors`. One restart, reload or
   * replacement at a time: rejects with `code: 'EBUSY'` while another is under way (see {@link busy}).
   */
  replaceInstance(instance: number): Promise<{ workerPid: number }> {
    const slot = this.slots[instance];
    if (slot === undefined) return Promise.reject(new RangeError(`xdaemon: there is no instance ${instance}`));
    return (
      this.refusal() ??
      this.lock.run('replace', () =>
        this.reloadable ? reloadSlots([slot], this.reloadHost(), 'restarts').then((r) => ({ workerPid: (r.instances[0] as { workerPid: number }).workerPid })) : restartSlot(slot),
      )
    );
  }

  /** Why no operation can run now (the supervisor is not running), if so. */
  private refusal(): Promise<never> | undefined {
    if (this.phase === 'running') return undefined;
    return Promise.reject(new XDaemonError(this.phase === 'idle' ? 'the supervisor has not been started' : 'the supervisor is stopping'));
  }

  /** Whether a restart, a reload or an instance's replacement is under way. */
  get busy(): boolean {
    return this.lock.current !== undefined;
  }

  /**
   * Whether the daemon can reload without refusing a connection: it holds sockets for its workers
   * (`listen`, or systemd's), so that a replacement accepts beside the old worker.
   */
  get reloadable(): boolean {
    return (this.sockets?.sockets.length ?? 0) > 0 || (this.clusterSockets?.size ?? 0) > 0;
  }

  /** What the reload procedure asks of the supervisor. */
  private reloadHost(): ReloadHost {
    return {
      settings: this.settings,
      active: () => this.phase === 'running',
      emit: (event, ...args) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
    };
  }

  /**
   * Reopens the log file(s) (after an external rotation: SIGHUP, logrotate's postrotate); every
   * Node worker in direct mode is told to follow, and its later output goes to the new file too; a
   * waiting spare with the old file is replaced. Returns why the reopen failed, if it did.
   */
  reopenLog(): string | undefined {
    const error = this.output.reopen();
    if (error !== undefined) return error;
    for (const worker of this.slots.flatMap((s) => s.workers())) worker.tell(REOPEN_LINE);
    for (const slot of this.slots) slot.refreshSpare();
    return undefined;
  }

  /** The waiting spares' pids (prewarm; one per instance at most). */
  get sparePids(): number[] {
    return this.slots.map((s) => s.sparePid).filter((pid): pid is number => pid !== undefined);
  }

  /** What the slots ask of their supervisor. */
  private slotHost(): SlotHost {
    return {
      settings: this.settings,
      output: this.output,
      guard: this.guard,
      active: () => this.phase === 'running',
      spec: (slot, start, token) => this.spec(slot, start, token),
      emit: (event, ...args) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
      socketFor: (request) => {
        if (this.phase !== 'running') return Promise.resolve({ errno: -125, code: 'ECANCELED', address: '' });
        this.clusterSockets ??= new ClusterSockets();
        return this.clusterSockets.socketFor(request);
      },
      lastCheckOf: (pid) => this.procedures?.lastAnswerOf(pid),
      giveUp: (_slot, code, reason, message) => this.giveUp(code, reason, message),
    };
  }

  /** What a slot's next worker is started with; `token`: the one it keeps (a spare's), else a new one. */
  private spec(slot: Slot, start: number, token: string = `${this.treePrefix}${++this.treeSeq}`): WorkerRunSpec {
    const env: NodeJS.ProcessEnv = {
      ...withToken(this.env, token),
      ...this.envForStart?.(start),
      ...instanceEnv(this.settings, this.env, slot.index),
    };
    const base = { file: this.file, args: this.args, cwd: this.cwd, env, token, parentDeath: this.settings.killMode === 'process' };
    return listenSpec(base, this.sockets?.sockets ?? [], this.settings.cluster);
  }

  private giveUp(code: number, reason: GiveUpReason | 'not-ready', message?: string): void {
    if (this.phase !== 'running') return;
    this.emit('giveup', { code, reason, counters: this.counters() });
    const why = new XDaemonError(message ?? `supervision ended (${reason}) before a worker was up`);
    this.firstStart?.reject(why);
    for (const slot of this.slots) {
      slot.cancelPending();
      slot.fail(why);
    }
    const others = this.slots.flatMap((s) => s.workers());
    if (others.length === 0) {
      this.finish({ code, reason });
      return;
    }
    // The other instances go too: a daemon runs all of its instances or none.
    this.phase = 'stopping';
    void this.stopAll('SIGTERM').then(() => this.finish({ code, reason }));
  }

  private finish(end: SupervisorEnd): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    for (const slot of this.slots) slot.endSpare();
    this.sockets?.close();
    this.clusterSockets?.close();
    this.procedures?.stop();
    this.firstStart?.reject(new XDaemonError('the supervisor stopped before a worker was up'));
    // Supervision has ended once its own group guard is gone too.
    const guardGone = this.ownsGuard ? this.guard.close() : undefined;
    if (guardGone === undefined) this.end.resolve(end);
    else void guardGone.then(() => this.end.resolve(end));
  }

  /** Closes the listening sockets now (the process exits): removes unix socket files. */
  closeSockets(): void {
    this.sockets?.close();
    this.clusterSockets?.close();
  }

  /**
   * Kills the group guard now, unused (the process exits through its own code, which signals the
   * workers' trees itself): nothing of the supervisor outlives it.
   */
  closeGuard(): void {
    if (this.ownsGuard) void this.guard.close();
  }
}

/** Whether systemd passed this process sockets. */
function activated(env: NodeJS.ProcessEnv): boolean {
  return env.LISTEN_PID === String(process.pid) && env.LISTEN_FDS !== undefined;
}


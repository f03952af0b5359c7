/**
 * One worker's life, from its spawn to the end of its exit's bookkeeping: the process, its
 * readiness watch, its stop, how it ended. The supervisor keeps the loop and the policy and holds
 * one of these per running worker (as Node's cluster keeps `worker.js` apart from `primary.js`).
 *
 * Every timer of a worker has one owner, the run's timer set, emptied once its exit has been handled
 * (execa's one abort signal per child, without loading AbortController and EventTarget into the
 * supervisor: ~0.3 MB of RSS): nothing of a worker can fire after it is gone, and no timer is
 * cleared by hand.
 */
import type { ChildProcess } from 'node:child_process';
import type { LogSink, WorkerStdio } from '../log/log-sink.js';
import type { ProcessId } from '../process/process-tree.js';
import { spawnDetached } from '../process/spawn-child.js';
import { stopProcess } from '../process/stop-process.js';
import { findTree, identify, stopTree } from '../process/stop-tree.js';
import { READY_FD_ENV } from '../worker/ready.js';
import { DRAINED_LINE, DRAIN_LINE, LISTENING_LINE, LISTEN_CMD, type ListenMessage, SOCKET_CMD, type SocketMessage, type SocketRequest } from '../socket/cluster-protocol.js';
import type { SocketAnswer } from '../socket/cluster-sockets.js';
import type { GroupGuard } from './group-guard.js';
import { type ReadySettings, readyWithin } from './health/health-settings.js';

/**
 * Everything one worker process is created from. Descriptors 0..2 are stdin (none), `stdout` and
 * `stderr`; `extraFds` follow from 3 on, in order (inherited descriptors, or a pipe to this process).
 */
export interface WorkerProcessSpec {
  file: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: number | 'pipe' | 'ignore';
  stderr: number | 'pipe' | 'ignore';
  extraFds: readonly (number | 'pipe')[];
  /** An IPC channel after `extraFds` (cluster mode: `process.send`, and the sockets it asks for). */
  ipc: boolean;
  /** Start it with the kernel's parent-death signal (see {@link WorkerRunSpec.parentDeath}). */
  parentDeath: boolean;
  /** A booted spare to become this worker instead of a new process (./spare), if there is one. */
  spare?: SpareHandover | undefined;
}

/** A spare node process that can become a worker (./spare). */
export interface SpareHandover {
  /** Its tree token (the worker it becomes keeps it). */
  readonly token: string;
  /** Hands it the order to become the worker `spec` describes; undefined if it is gone already. */
  become(spec: WorkerProcessSpec): (ChildProcess & { pid: number }) | undefined;
  /** The process it became, once it did. */
  readonly became: ChildProcess | undefined;
}

/**
 * Creates one worker process: the single place every worker (and spare) is spawned from. A spare,
 * when the spec brings one, becomes the worker; otherwise a process is started, through the
 * parent-death wrapper when the spec asks for it. Throws an XDaemonError naming the executable and
 * the cause when it cannot be started.
 */
export function spawnWorkerProcess(spec: WorkerProcessSpec): ChildProcess & { pid: number } {
  const fromSpare = spec.spare?.become(spec);
  if (fromSpare !== undefined) return fromSpare;
  return spawnDetached({
    file: spec.file,
    args: spec.args,
    cwd: spec.cwd,
    env: spec.env,
    stdout: spec.stdout,
    stderr: spec.stderr,
    extraStdio: spec.ipc ? [...spec.extraFds, 'ipc'] : spec.extraFds,
    parentDeath: spec.parentDeath,
  });
}

/** What a worker is started with. */
export interface WorkerRunSpec {
  file: string;
  args: readonly string[];
  cwd: string;
  /** Its environment (the readiness variable is added). */
  env: NodeJS.ProcessEnv;
  /** Its tree token (`XDAEMON_TREE=…`), which its descendants inherit. */
  token: string;
  /** Descriptors it inherits at 3, 4, … (listening sockets); the readiness pipe comes after them. */
  inherit?: readonly number[];
  /** An IPC channel (cluster mode, a Node worker: ./listen-spec). */
  ipc?: boolean;
  /** A spare to become it (its token is then `token`). */
  spare?: SpareHandover | undefined;
  /** Its instance, for a log that labels its lines. */
  instance?: number | undefined;
  /**
   * Whether the kernel sends it SIGTERM when the supervisor dies (Linux, setpriv: ../process/
   * parent-death): for workers no group guard watches, i.e. under killMode 'process'. Under 'group'
   * the guard ends the worker's whole group (SIGTERM, then SIGKILL) and this would only cost an exec.
   */
  parentDeath?: boolean | undefined;
}

/** The process spec of a worker: its environment with the log's and the readiness variables, its descriptors. */
export function workerProcessSpec(spec: WorkerRunSpec, stdio: WorkerStdio): WorkerProcessSpec {
  const inherit = spec.inherit ?? [];
  return {
    file: spec.file,
    args: spec.args,
    cwd: spec.cwd,
    env: { ...spec.env, ...stdio.env, [READY_FD_ENV]: String(3 + inherit.length) },
    stdout: stdio.stdout,
    stderr: stdio.stderr,
    extraFds: [...inherit, 'pipe'],
    ipc: spec.ipc === true,
    parentDeath: spec.parentDeath === true,
    spare: spec.spare,
  };
}

/** The settings one worker's life depends on. */
export interface WorkerRunSettings extends ReadySettings {
  killMode: 'group' | 'process';
  killTimeout: number;
}

/** Why the supervisor is stopping a worker. */
export type StopReason = 'stop' | 'restart' | 'reload' | 'not-ready';

/** How a worker ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** How long it ran. */
  seconds: number;
  /** Why the supervisor stopped it, if it did. */
  stopping: StopReason | undefined;
  /** Whether it had said it was ready. */
  ready: boolean;
}

/**
 * How a worker said it is ready: `ready()` (or `READY=1` on its channel), its first `listen()` on a
 * socket the supervisor holds (without waitReady or a health check), pm2's `process.send('ready')`
 * (cluster mode), or its first passing health check.
 */
export type ReadyVia = 'ready' | 'listening' | 'message' | 'check';

/** How a worker's drain ended: it said it had drained, it exited, or killTimeout passed first. */
export type DrainOutcome = 'drained' | 'exited' | 'timeout';

/** What a worker tells its owner, as it happens. */
export interface WorkerRunHooks {
  /** It said it is ready, `seconds` after its start. */
  ready(run: WorkerRun, seconds: number, via: ReadyVia): void;
  /** It asks for the socket of `request` (cluster mode). */
  socketFor(run: WorkerRun, request: SocketRequest): Promise<SocketAnswer>;
  /** Its drain before a stop ended, `seconds` after it began. */
  drained(run: WorkerRun, seconds: number, outcome: DrainOutcome): void;
  /** It was not ready within waitReady (or, with a health check, its start period): it is being stopped. */
  notReady(run: WorkerRun): void;
  /** Processes of its tree still alive after killTimeout get SIGKILL. */
  kill(run: WorkerRun, pids: number[]): void;
  /** It exited (its output read to the end, or 250 ms later); its bookkeeping waits for this. */
  exit(run: WorkerRun, exit: WorkerExit): Promise<void> | void;
}

/** A started worker. */
export class WorkerRun {
  readonly child: ChildProcess & { pid: number };
  readonly id: ProcessId;
  readonly token: string;
  /** Monotonic ms and Date.now() of its start. */
  readonly startedMono: number;
  readonly startedAt: number;
  /** It was a spare that became this worker (no process was started for it). */
  readonly fromSpare: boolean;
  ready = false;
  /** It listens on a socket the supervisor holds (it said so): it is drained before a swap stops it. */
  listening = false;
  /** Why the supervisor is stopping it, if it is. */
  stopping: StopReason | undefined;
  /** How it ended, once it has. */
  exit: WorkerExit | undefined;
  /** Resolves once it has exited and its owner has handled the exit. */
  readonly done: Promise<void>;
  /** Resolves once it says it is ready (never, if it does not). */
  readonly whenReady: Promise<void>;
  private saidReady: () => void = () => undefined;
  /** Resolves when the worker says it has drained. */
  private readonly whenDrained: Promise<void>;
  private saidDrained: () => void = () => undefined;
  /** The stops of its tree under way (killMode 'group'), which may outlast its exit. */
  private readonly treeStops = new Set<Promise<unknown>>();
  /** The worker's pending timers; undefined once its life is over. */
  private timers: Set<NodeJS.Timeout> | undefined = new Set();
  /** The supervisor's end of the readiness socketpair (it reads READY=1 and writes lines the other way). */
  private readonly channel: NodeJS.ReadWriteStream;
  private readonly settings: WorkerRunSettings;
  private readonly hooks: WorkerRunHooks;

  /**
   * Spawns a worker. Throws (an XDaemonError naming the cause) when it cannot be started or its
   * log cannot be opened; nothing is left behind then.
   */
  static start(spec: WorkerRunSpec, output: LogSink, settings: WorkerRunSettings, hooks: WorkerRunHooks, guard?: GroupGuard): WorkerRun {
    const inherit = spec.inherit ?? [];
    const stdio = output.stdioForWorker();
    let child: ChildProcess & { pid: number };
    try {
      child = spawnWorkerProcess(workerProcessSpec(spec, stdio));
    } finally {
      stdio.release();
    }
    const fromSpare = spec.spare?.became === child;
    // If the supervisor dies, the guard stops the worker's whole group, the worker first (it leads
    // the group: pgid = pid, a spare's too); killMode 'process' leaves what a worker started
    // running, by design, and the worker gets the parent-death signal instead.
    const guarded = guard !== undefined && settings.killMode === 'group' ? guard : undefined;
    guarded?.add(child.pid);
    const run = new WorkerRun(child, spec.token, 3 + inherit.length, output, settings, hooks, fromSpare, spec.instance);
    if (guarded !== undefined) void run.settled().then(() => guarded.remove(child.pid));
    return run;
  }

  private constructor(
    child: ChildProcess & { pid: number },
    token: string,
    readyFd: number,
    output: LogSink,
    settings: WorkerRunSettings,
    hooks: WorkerRunHooks,
    fromSpare: boolean,
    instance: number | undefined,
  ) {
    this.fromSpare = fromSpare;
    this.child = child;
    this.id = identify(child.pid) ?? { pid: child.pid, starttime: 0 };
    this.token = token;
    this.startedMono = now();
    this.startedAt = Date.now();
    this.settings = settings;
    this.hooks = hooks;
    this.whenReady = new Promise<void>((resolve) => (this.saidReady = resolve));
    this.whenDrained = new Promise<void>((resolve) => (this.saidDrained = resolve));
    const drained = output.attach(child, instance);
    this.done = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        const exit: WorkerExit = { code, signal, seconds: (now() - this.startedMono) / 1000, stopping: this.stopping, ready: this.ready };
        this.exit = exit;
        // Handled in a turn of the loop of its own, not in this callback: libuv calls it from its
        // SIGCHLD dispatch, which reads the signal pipe on while a read comes back full (32
        // messages), and Node runs the microtasks it queues right there, so the next worker used
        // to be spawned from inside it (in direct mode nothing on that way waits for I/O). Workers
        // that die at once then sent SIGCHLDs faster than they were read (4 instances: ~4 in per
        // one out): the dispatch never ended, the loop never polled (no control request read, no
        // handle closed: 2,600 descriptors after 40 s), and SIGTERM waited behind the backlog
        // (handled 104 s after it was sent; dropped, were the 64 KB pipe full). It costs a
        // restart one turn of the loop.
        setImmediate(() => void this.onExit(exit, drained).then(resolve));
      });
    });
    this.channel = child.stdio[readyFd] as unknown as NodeJS.ReadWriteStream;
    this.watchReady(this.channel);
    if (typeof child.send === 'function') this.serveIpc(child);
  }

  /** Writes one line to the worker's side of its channel (src/worker/supervisor-channel.ts). */
  tell(line: string): void {
    if (this.exit === undefined) this.channel.write(`${line}\n`);
  }

  get pid(): number {
    return this.child.pid;
  }

  /**
   * Stops its tree (killMode 'group') or the worker alone (killMode 'process'): `signal`, then
   * SIGKILL after killTimeout. Resolves with what survived SIGKILL, once its exit has been handled.
   */
  async stop(why: StopReason, signal: NodeJS.Signals): Promise<number[]> {
    this.stopping ??= why;
    // A swap (a reload, a restart) lets a worker on a held socket finish what it serves first.
    if ((why === 'reload' || why === 'restart') && this.listening && this.exit === undefined) await this.drain();
    const { killMode, killTimeout } = this.settings;
    const onKill = (pids: number[]): void => this.hooks.kill(this, pids);
    let survivors: number[];
    if (killMode === 'process') {
      survivors = await stopProcess(this.child, signal, killTimeout, onKill);
    } else {
      survivors = (await this.track(stopTree(this.id, { signal, killTimeout, mark: { entry: this.token }, onKill }))).survivors;
    }
    await this.done;
    return survivors;
  }

  /** The processes an exited worker left running in its group or tree. */
  leftovers(): number[] {
    return findTree(this.id, { entry: this.token }).map((p) => p.pid);
  }

  /** Stops what an exited worker left running in its group or tree. */
  async stopLeftovers(): Promise<void> {
    const { killTimeout } = this.settings;
    await this.track(stopTree(this.id, { killTimeout, mark: { entry: this.token }, onKill: (pids) => this.hooks.kill(this, pids) }));
  }

  /** Resolves once it has exited, its exit has been handled and no stop of its tree is under way. */
  async settled(): Promise<void> {
    await this.done;
    while (this.treeStops.size > 0) await Promise.allSettled([...this.treeStops]);
  }

  /** Counts `stop` among the stops of its tree under way, until it settles. */
  private track<T>(stop: Promise<T>): Promise<T> {
    this.treeStops.add(stop);
    const untrack = (): void => void this.treeStops.delete(stop);
    stop.then(untrack, untrack);
    return stop;
  }

  /** Runs `fn` after `ms`, unless the worker's life is over by then. */
  private after(ms: number, fn: () => void): void {
    const timers = this.timers;
    if (timers === undefined) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  }

  /** The end of the worker's life: every timer it still has goes. */
  private endLife(): void {
    for (const timer of this.timers ?? []) clearTimeout(timer);
    this.timers = undefined;
  }

  /**
   * Asks the worker to stop accepting and finish what it serves (../worker/drain); resolves when it
   * has, when it exits, or after killTimeout.
   */
  private async drain(): Promise<void> {
    const began = now();
    this.tell(DRAIN_LINE);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      this.whenDrained.then(() => 'drained' as const),
      this.done.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.settings.killTimeout))),
    ]);
    clearTimeout(timer);
    this.hooks.drained(this, (now() - began) / 1000, outcome);
  }

  /**
   * Makes the worker ready (`via`: its ready() line, its first listen() on a held socket, pm2's
   * process.send('ready'), or with a health check its first passing check), once. Nothing happens
   * for a worker that is being stopped or has exited.
   */
  markReady(via: ReadyVia = 'check'): void {
    if (this.ready || this.stopping !== undefined || this.exit !== undefined) return;
    this.ready = true;
    this.saidReady();
    this.hooks.ready(this, (now() - this.startedMono) / 1000, via);
  }

  /** Cluster mode: the sockets its listen() asks for, and pm2's `process.send('ready')`. */
  private serveIpc(child: ChildProcess): void {
    // A send to a worker that has just exited fails with EPIPE: its exit is handled elsewhere.
    child.on('error', () => undefined);
    child.on('message', (message: unknown) => {
      if (message === 'ready') this.markReady('message');
    });
    child.on('internalMessage', (message: ListenMessage) => {
      if (message?.cmd !== LISTEN_CMD) return;
      void this.hooks.socketFor(this, message.request).then((answer) => {
        if (!child.connected) return;
        const reply: SocketMessage = { cmd: SOCKET_CMD, id: message.id };
        if ('errno' in answer) child.send({ ...reply, errno: answer.errno });
        else child.send(reply, answer.handle as unknown as import('node:net').Server);
      });
    });
  }

  /** Reads the worker's lines: ready, listening, drained; with waitReady, stops a worker that is late. */
  private watchReady(pipe: NodeJS.ReadWriteStream): void {
    pipe.setEncoding('utf8');
    pipe.on('error', () => undefined);
    let partial = '';
    // Read to the end (a writer must never get SIGPIPE). The first line other than ours is `ready`
    // (READY=1, or anything a program of another language writes).
    pipe.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith(LISTENING_LINE)) {
          this.listening = true;
          if (readyWithin(this.settings) === 0) this.markReady('listening');
        } else if (line === DRAINED_LINE) this.saidDrained();
        else this.markReady('ready');
      }
    });
    const waitReady = readyWithin(this.settings);
    if (waitReady > 0) {
      this.after(waitReady, () => {
        if (this.ready || this.stopping !== undefined || this.exit !== undefined) return;
        this.hooks.notReady(this);
        void this.stop('not-ready', 'SIGTERM');
      });
    }
  }

  private async onExit(exit: WorkerExit, drained: Promise<void>): Promise<void> {
    // Piped mode: the worker's last lines go before the line of its exit (unless something it
    // started holds its pipes open: then those are read on in the background).
    await new Promise<void>((resolve) => {
      void drained.then(resolve);
      this.after(DRAIN_WAIT_MS, resolve);
    });
    exit.stopping = this.stopping;
    try {
      await this.hooks.exit(this, exit);
    } finally {
      this.endLife();
    }
  }
}

/** How long an exit waits for the worker's output to be read to the end, at most. */
const DRAIN_WAIT_MS = 250;

/** Monotonic milliseconds (no perf_hooks load in the supervisor). */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

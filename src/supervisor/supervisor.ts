/**
 * The supervise loop: start the worker, wait for it, ask the policy, start it again. An
 * EventEmitter, so a program can supervise any command in-process; the supervisor process of
 * `Daemon.run()` is this class driven by ./supervise.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { messageOf } from '../errors.js';
import type { ProcessId } from '../process/process-tree.js';
import { identify, stopTree } from '../process/stop-tree.js';
import { spawnDetached } from '../process/spawn-child.js';
import { tracer } from '../trace.js';
import { type GiveUpReason, type RestartHistory, type RestartPolicy, FRESH, decide, exited, startFailed, started } from './policy.js';

const trace = tracer('supervisor');

/** The environment variable every worker (and, by inheritance, its descendants) carries. */
export const TREE_ENV = 'XDAEMON_TREE';

/** What to supervise and how. */
export interface SuperviseSpec {
  /** Executable and arguments of the worker. */
  file: string;
  args: readonly string[];
  cwd: string;
  /** Environment of the worker; `XW_DAEMON_IDX`-style markers come from `envForStart`. */
  env: NodeJS.ProcessEnv;
  /** Extra environment for the n-th start (1-based), e.g. the generation marker. */
  envForStart?: (start: number) => NodeJS.ProcessEnv;
  /**
   * Descriptor for the worker's stdout and stderr, asked anew for every start (`undefined`
   * discards). May throw: the start then fails, as in Go when the log cannot be opened.
   */
  outputFd: () => number | undefined;
  policy: RestartPolicy;
  /** Milliseconds between the stop signal and SIGKILL. */
  killTimeout: number;
}

/** Counters shown in every report, as Go shows them. */
export interface Counters {
  starts: number;
  maxCount: number;
  errors: number;
  maxError: number;
}

/** Events of a {@link Supervisor}. */
export interface SupervisorEvents {
  start: [info: { pid: number; counters: Counters }];
  'start-failed': [info: { error: Error; counters: Counters }];
  exit: [info: { pid: number; seconds: number; code: number | null; signal: NodeJS.Signals | null; counters: Counters }];
  restart: [info: { delay: number; counters: Counters }];
  giveup: [info: { code: 0 | 1; reason: GiveUpReason; counters: Counters }];
  stopping: [info: { signal: NodeJS.Signals; pid: number | undefined }];
  kill: [info: { pid: number; pids: number[]; killTimeout: number }];
  stop: [info: { counters: Counters; survivors: number[] }];
}

/** A started worker. */
interface Worker {
  child: ChildProcess & { pid: number };
  id: ProcessId;
  startedAt: number;
  exited: Promise<void>;
}

/** Runs a worker under the restart policy until the policy gives up or {@link Supervisor.stop} is called. */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  /** The tree token of this supervisor's workers (`XDAEMON_TREE=<id>`). */
  readonly treeToken = `${TREE_ENV}=${process.pid}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}`;
  private history: RestartHistory = FRESH;
  private worker: Worker | undefined;
  private pending: NodeJS.Timeout | undefined;
  private stopping = false;
  private settle: ((code: number) => void) | undefined;

  constructor(private readonly spec: SuperviseSpec) {
    super();
  }

  /** The running worker's pid, if one runs. */
  get workerPid(): number | undefined {
    return this.worker?.child.pid;
  }

  /** The running worker's identity, if one runs (for a last-resort signal to its tree). */
  get workerId(): ProcessId | undefined {
    return this.worker?.id;
  }

  /** The counters now. */
  counters(): Counters {
    const { starts, errors } = this.history;
    return { starts, maxCount: this.spec.policy.maxCount, errors, maxError: this.spec.policy.maxError };
  }

  /** Starts the loop. Resolves with the exit code the supervisor should end with. */
  run(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.settle = resolve;
      this.next();
    });
  }

  /**
   * Stops: no further restarts; a pending restart is cancelled at once; the running worker's
   * whole tree (its process group and, on Linux, every process it started, also those that left
   * the group) gets `signal`, then SIGKILL after `killTimeout`. Resolves the loop with exit code 0
   * once all of it is gone.
   */
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.pending);
    this.pending = undefined;
    const worker = this.worker;
    this.emit('stopping', { signal, pid: worker?.child.pid });
    if (worker === undefined) {
      this.finish(0, []);
      return;
    }
    void this.stopWorker(worker, signal).then((survivors) => this.finish(0, survivors));
  }

  /** Stops a worker's tree and waits for the worker's exit event; returns what survived SIGKILL. */
  private async stopWorker(worker: Worker, signal: NodeJS.Signals): Promise<number[]> {
    const killTimeout = this.spec.killTimeout;
    const result = await stopTree(worker.id, {
      signal,
      killTimeout,
      token: this.treeToken,
      onKill: (pids) => this.emit('kill', { pid: worker.child.pid, pids, killTimeout }),
    });
    await worker.exited;
    return result.survivors;
  }

  private next(): void {
    if (this.stopping) return;
    const decision = decide(this.spec.policy, this.history);
    trace('decision %o with %o', decision, this.history);
    if (decision.action === 'exit') {
      this.emit('giveup', { code: decision.code, reason: decision.reason, counters: this.counters() });
      this.finish(decision.code);
      return;
    }
    if (decision.delay > 0) {
      this.emit('restart', { delay: decision.delay, counters: this.counters() });
      this.pending = setTimeout(() => {
        this.pending = undefined;
        this.launch();
      }, decision.delay);
    } else {
      this.launch();
    }
  }

  private launch(): void {
    if (this.stopping) return;
    this.history = started(this.history);
    const spec = this.spec;
    let child: ChildProcess & { pid: number };
    try {
      const [name, value] = splitEntry(this.treeToken);
      child = spawnDetached({
        file: spec.file,
        args: spec.args,
        cwd: spec.cwd,
        // The tree token first: it stays within the first bytes of every descendant's environment.
        env: { [name]: value, ...withoutKey(spec.env, name), ...spec.envForStart?.(this.history.starts) },
        outputFd: spec.outputFd(),
      });
    } catch (err) {
      this.history = startFailed(this.history);
      const error = err instanceof Error ? err : new Error(messageOf(err));
      this.emit('start-failed', { error, counters: this.counters() });
      setImmediate(() => this.next());
      return;
    }
    const startedAt = now();
    const done = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        const seconds = (now() - startedAt) / 1000;
        if (this.worker?.child === child) this.worker = undefined;
        if (!this.stopping) this.history = exited(spec.policy, this.history, seconds);
        this.emit('exit', { pid: child.pid, seconds, code, signal, counters: this.counters() });
        resolve();
        this.next();
      });
    });
    this.worker = { child, id: identify(child.pid) ?? { pid: child.pid, starttime: 0 }, startedAt, exited: done };
    this.emit('start', { pid: child.pid, counters: this.counters() });
  }

  private finish(code: number, survivors: number[] = []): void {
    const settle = this.settle;
    this.settle = undefined;
    if (settle === undefined) return;
    if (this.stopping) this.emit('stop', { counters: this.counters(), survivors });
    settle(code);
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

/** Monotonic milliseconds (no perf_hooks load in the supervisor). */
function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

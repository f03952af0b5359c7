/**
 * The supervise loop: start the worker, wait for it, ask the policy, start it again. An
 * EventEmitter, so a program can supervise any command in-process; the detached supervisor of
 * `Daemon.run()` is this class driven by `supervisor-main`.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { messageOf } from '../errors.js';
import { type GiveUpReason, type RestartHistory, type RestartPolicy, FRESH, decide, exited, startFailed, started } from './policy.js';
import { groupAlive, signalGroup } from '../process/process-group.js';
import { spawnDetached } from '../process/spawn-child.js';
import { tracer } from '../trace.js';

const trace = tracer('supervisor');

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
  /** Descriptor for the worker's stdout and stderr (read on every start); `undefined` discards. */
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
  kill: [info: { pid: number; killTimeout: number }];
  stop: [info: { counters: Counters }];
}

/** Runs a worker under the restart policy until the policy gives up or {@link Supervisor.stop} is called. */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  private history: RestartHistory = FRESH;
  private child: (ChildProcess & { pid: number }) | undefined;
  private startedAt = 0;
  private pending: NodeJS.Timeout | undefined;
  private stopping = false;
  private settle: ((code: number) => void) | undefined;

  constructor(private readonly spec: SuperviseSpec) {
    super();
  }

  /** The running worker's pid, if one runs. */
  get workerPid(): number | undefined {
    return this.child?.pid;
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
   * Stops: no further restarts; a pending restart is cancelled at once; a running worker's process
   * group gets `signal`, then SIGKILL after `killTimeout`. Resolves the loop with exit code 0.
   */
  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.pending);
    this.pending = undefined;
    const child = this.child;
    this.emit('stopping', { signal, pid: child?.pid });
    if (child === undefined) {
      this.finish(0, 'stop');
      return;
    }
    signalGroup(child.pid, signal);
    const started = now();
    let killed = false;
    const kill = (): void => {
      if (killed) return;
      killed = true;
      this.emit('kill', { pid: child.pid, killTimeout: this.spec.killTimeout });
      signalGroup(child.pid, 'SIGKILL');
    };
    const timer = setTimeout(kill, this.spec.killTimeout);
    child.once('exit', () => {
      // The worker is gone; members of its process group (grandchildren) may not be. Where zombies
      // cannot be told apart, a group left with only those gets one more second after SIGKILL.
      const sweep = (): void => {
        const waited = now() - started;
        if (!groupAlive(child.pid) || (killed && waited > this.spec.killTimeout + 1000)) {
          clearTimeout(timer);
          this.finish(0, 'stop');
        } else {
          if (!killed && waited >= this.spec.killTimeout) kill();
          setTimeout(sweep, 20);
        }
      };
      sweep();
    });
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
      child = spawnDetached({
        file: spec.file,
        args: spec.args,
        cwd: spec.cwd,
        env: { ...spec.env, ...spec.envForStart?.(this.history.starts) },
        outputFd: spec.outputFd(),
      });
    } catch (err) {
      this.history = startFailed(this.history);
      const error = err instanceof Error ? err : new Error(messageOf(err));
      this.emit('start-failed', { error, counters: this.counters() });
      setImmediate(() => this.next());
      return;
    }
    this.child = child;
    this.startedAt = now();
    this.emit('start', { pid: child.pid, counters: this.counters() });
    child.once('exit', (code, signal) => {
      const seconds = (now() - this.startedAt) / 1000;
      this.child = undefined;
      if (!this.stopping) this.history = exited(spec.policy, this.history, seconds);
      this.emit('exit', { pid: child.pid, seconds, code, signal, counters: this.counters() });
      this.next();
    });
  }

  private finish(code: number, event?: 'stop'): void {
    const settle = this.settle;
    this.settle = undefined;
    if (settle === undefined) return;
    if (event === 'stop') this.emit('stop', { counters: this.counters() });
    settle(code);
  }
}

/** Monotonic milliseconds (no perf_hooks load in the supervisor). */
function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

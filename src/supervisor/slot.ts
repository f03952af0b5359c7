/**
 * One instance slot of a supervisor: its worker (and, during a reload, the worker that replaces
 * it), its own restart history under the policy, its instance number (`XDAEMON_INSTANCE`, and
 * pm2's `NODE_APP_INSTANCE`). With `instances: N` the supervisor holds N of these; each is
 * restarted on its own, so a crash of one never touches the others.
 */
import { XDaemonError, withFields } from '../errors.js';
import type { SupervisorSettings } from '../settings/types.js';
import { type GiveUpReason, type RestartHistory, FRESH, decide, exited, startFailed, started } from './policy.js';
import type { Counters, SupervisorEvents, SupervisorStatus } from './supervisor-api.js';
import { Spare } from './spare.js';
import { type ReadyVia, type WorkerExit, WorkerRun, type WorkerRunHooks, type WorkerRunSpec } from './worker-run.js';
import type { SocketRequest } from '../socket/cluster-protocol.js';
import type { SocketAnswer } from '../socket/cluster-sockets.js';
import type { LogSink } from '../log/log-sink.js';
import type { GroupGuard } from './group-guard.js';
import { tracer } from '../trace.js';
import { readyHow, readyWithin } from './health/health-settings.js';

const trace = tracer('supervisor');

/** Milliseconds after a start at most before the slot's next spare boots (sooner once the worker is ready). */
const SPARE_BOOT_DELAY_MS = 250;

/** What a slot asks of the supervisor that holds it. */
export interface SlotHost {
  readonly settings: SupervisorSettings;
  readonly output: LogSink;
  /** The watcher of its workers' process groups for when the supervisor dies (./group-guard). */
  readonly guard: GroupGuard;
  /** Whether workers may start (the supervisor runs: it is neither stopping nor ended). */
  active(): boolean;
  /**
   * What the slot's next worker is started with (`start`: the slot's start count so far; `token`:
   * the tree token it keeps, a spare's, else a new one).
   */
  spec(slot: Slot, start: number, token?: string): WorkerRunSpec;
  emit<E extends keyof SupervisorEvents>(event: E, ...args: SupervisorEvents[E]): boolean;
  /** Cluster mode: the socket a worker's listen() asks for. */
  socketFor(request: SocketRequest): Promise<SocketAnswer>;
  /** What the last health check of worker `pid` answered, when it failed (for the not-ready line). */
  lastCheckOf?(pid: number): string | undefined;
  /** The slot's first worker was never ready, or its policy ended: supervision ends. */
  giveUp(slot: Slot, code: number, reason: GiveUpReason | 'not-ready', message?: string): void;
}

/** A promise with its resolvers. */
interface Waiter {
  resolve: (worker: WorkerRun) => void;
  reject: (error: Error) => void;
}

/** One instance of the daemon. */
export class Slot {
  private history: RestartHistory = FRESH;
  private restarts = 0;
  private reloads = 0;
  private everReady = false;
  /** The worker that serves for this slot. */
  worker: WorkerRun | undefined;
  /** During a reload: the replacement, until it is ready (or has failed). */
  candidate: WorkerRun | undefined;
  /** Old workers a reload is stopping. */
  readonly retiring = new Set<WorkerRun>();
  private pending: NodeJS.Timeout | undefined;
  /** The stop of what the last worker left running, while it goes on. */
  cleaning: Promise<void> | undefined;
  private restarting = false;
  private lastExit: SupervisorStatus['lastExit'];
  private waiters: Waiter[] = [];
  private readonly hooks: WorkerRunHooks;
  /** With prewarm: the idle node that becomes this slot's next worker. */
  private readonly spare: Spare | undefined;

  constructor(
    readonly index: number,
    private readonly host: SlotHost,
  ) {
    this.hooks = {
      ready: (worker, seconds, via) => this.onReady(worker, seconds, via),
      socketFor: (worker, request) =>
        host.socketFor(request).then((answer) => {
          const address = answer.address;
          this.host.emit('socket', { instance: this.index, pid: worker.pid, address, bound: 'handle' in answer && answer.bound, ...('code' in answer ? { error: answer.code } : {}) });
          return answer;
        }),
      drained: (worker, seconds, outcome) => void this.host.emit('drained', { instance: this.index, pid: worker.pid, seconds, outcome }),
      notReady: (worker) => {
        const lastCheck = this.host.lastCheckOf?.(worker.pid);
        this.host.emit('not-ready', { instance: this.index, pid: worker.pid, waitReady: readyWithin(this.host.settings), how: readyHow(this.host.settings), ...(lastCheck === undefined ? {} : { lastCheck }) });
      },
      kill: (worker, pids) => void this.host.emit('kill', { instance: this.index, pid: worker.pid, pids, killTimeout: this.host.settings.killTimeout }),
      exit: (worker, exit) => this.onExit(worker, exit),
    };
    this.spare = host.settings.prewarm
      ? new Spare({
          spec: () => host.spec(this, this.history.starts),
          output: host.output,
          onDeath: (pid, code, signal) => void host.emit('spare-exit', { instance: index, pid, code, signal }),
        })
      : undefined;
  }

  /** The waiting spare's pid (prewarm), if one waits. */
  get sparePid(): number | undefined {
    return this.spare?.pid;
  }

  /**
   * Boots the next spare once `worker` is off to a start: when it says it is ready, when it exits,
   * or {@link SPARE_BOOT_DELAY_MS} after its start, whichever comes first, so that the spare's own
   * boot does not take CPU from the worker's.
   */
  private bootSpareAfter(worker: WorkerRun): void {
    let timer: NodeJS.Timeout | undefined;
    const boot = (): void => {
      clearTimeout(timer);
      this.spare?.boot();
    };
    timer = setTimeout(boot, SPARE_BOOT_DELAY_MS);
    timer.unref();
    void worker.whenReady.then(boot);
    void worker.done.then(boot);
  }

  /** No more spares (a stop, a give-up): the waiting one is killed. */
  endSpare(): void {
    this.spare?.end();
  }

  /** The log was reopened: a waiting spare that writes to a moved file is replaced. */
  refreshSpare(): void {
    this.spare?.refresh();
  }

  /**
   * Starts a worker for this slot: the waiting spare becomes it when there is one (and the next
   * spare boots once this start is done, off its critical path).
   */
  private startWorker(): WorkerRun {
    const spare = this.spare?.take();
    const spec = { ...this.host.spec(this, this.history.starts, spare?.token), spare, instance: this.index };
    const worker = WorkerRun.start(spec, this.host.output, this.host.settings, this.hooks, this.host.guard);
    if (this.spare !== undefined) this.bootSpareAfter(worker);
    return worker;
  }

  /** This slot's counters. */
  counters(): Counters {
    const { starts, errors } = this.history;
    const { maxCount, maxError } = this.host.settings;
    return { starts, restarts: this.restarts, reloads: this.reloads, errors, maxCount, maxError };
  }

  /** Whether a requested restart is under way. */
  get inRestart(): boolean {
    return this.restarting;
  }

  /** Whether it waits out a restart delay or a requested restart. */
  get isRestarting(): boolean {
    return this.restarting || (this.worker === undefined && this.host.active());
  }

  /** How the slot's last worker ended. */
  get lastWorkerExit(): SupervisorStatus['lastExit'] {
    return this.lastExit;
  }

  /** Starts the slot: its first worker, as the policy says. */
  begin(): void {
    this.next();
  }

  /** Resolves with the slot's next worker that is up (started; with waitReady: ready); rejects if it fails first. */
  nextUp(): Promise<WorkerRun> {
    const promise = new Promise<WorkerRun>((resolve, reject) => this.waiters.push({ resolve, reject }));
    promise.catch(() => undefined);
    return promise;
  }

  /** Rejects whoever waits for this slot's next worker. */
  fail(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  /** Cancels a pending restart (a stop). */
  cancelPending(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
  }

  /** Every worker of the slot that runs: the current one, a replacement, old ones being stopped. */
  workers(): WorkerRun[] {
    return [this.worker, this.candidate, ...this.retiring].filter((w): w is WorkerRun => w !== undefined);
  }

  /**
   * A requested restart: the worker's tree is stopped gracefully and a new worker starts at once
   * (not counted toward maxCount); during a restart delay, the pending start happens now.
   */
  restart(): void {
    const worker = this.worker;
    if (worker === undefined) {
      this.cancelPending();
      this.launch(true);
      return;
    }
    this.restarts += 1;
    this.restarting = true;
    this.host.emit('restarting', { instance: this.index, pid: worker.pid, counters: this.counters() });
    void worker.stop('restart', 'SIGTERM').then(() => {
      this.restarting = false;
      this.launch(false);
    });
  }

  /** Starts a replacement for a reload: not a start under the policy, and not yet the slot's worker. */
  startCandidate(): WorkerRun {
    const worker = this.startWorker();
    this.candidate = worker;
    return worker;
  }

  /**
   * A ready replacement becomes the slot's worker; the old one is returned for the reload to stop.
   * Counted in `reloads`, or in `restarts` for a replacement the supervisor decided on (memory).
   */
  adopt(candidate: WorkerRun, counted: 'reloads' | 'restarts' = 'reloads'): WorkerRun | undefined {
    const old = this.worker;
    this.candidate = undefined;
    this.worker = candidate;
    this[counted] += 1;
    if (candidate.ready) this.everReady = true;
    if (old !== undefined) this.retiring.add(old);
    return old;
  }

  private next(): void {
    if (!this.host.active()) return;
    const decision = decide(this.host.settings, this.history);
    trace('decision %o with %o (instance %d)', decision, this.history, this.index);
    if (decision.action === 'exit') {
      this.host.giveUp(this, decision.code, decision.reason);
      return;
    }
    if (decision.delay > 0) {
      this.pending = setTimeout(() => {
        this.pending = undefined;
        this.launch(true);
      }, decision.delay);
      // After the timer exists: a listener that calls stop() clears it.
      this.host.emit('restart', { instance: this.index, delay: decision.delay, counters: this.counters() });
    } else {
      this.launch(true);
    }
  }

  /** Starts the slot's worker; `counted` starts count toward maxCount (a requested restart does not). */
  private launch(counted: boolean): void {
    // A reload may have given the slot its worker while a restart delay ran.
    if (!this.host.active() || this.worker !== undefined) return;
    if (counted) this.history = started(this.history);
    let worker: WorkerRun;
    try {
      worker = this.startWorker();
    } catch (err) {
      this.history = startFailed(this.history);
      const error = withFields(err, { instance: this.index });
      this.host.emit('start-failed', { instance: this.index, error, counters: this.counters() });
      setImmediate(() => this.next());
      return;
    }
    this.worker = worker;
    this.host.emit('start', { instance: this.index, pid: worker.pid, fromSpare: worker.fromSpare, counters: this.counters() });
    if (readyWithin(this.host.settings) === 0) this.up(worker);
  }

  private onReady(worker: WorkerRun, seconds: number, via: ReadyVia): void {
    this.host.emit('ready', { instance: this.index, pid: worker.pid, seconds, counters: this.counters(), via });
    if (worker !== this.worker) return;
    this.everReady = true;
    if (readyWithin(this.host.settings) > 0) this.up(worker);
  }

  /** A worker is up (started, or ready with waitReady): settle whoever waits for it. */
  private up(worker: WorkerRun): void {
    for (const waiter of this.waiters.splice(0)) waiter.resolve(worker);
  }

  private async onExit(worker: WorkerRun, exit: WorkerExit): Promise<void> {
    const { code, signal, seconds } = exit;
    const info = { instance: this.index, pid: worker.pid, code, signal, seconds, counters: this.counters() };
    if (worker !== this.worker) {
      // A replacement that failed, or an old worker a reload stopped: no business of the policy.
      if (worker === this.candidate) this.candidate = undefined;
      else this.lastExit = { code, signal, seconds, at: Date.now() };
      this.retiring.delete(worker);
      this.host.emit('exit', info);
      if (this.host.settings.killMode === 'group' && exit.stopping === undefined) await this.cleanUp(worker);
      return;
    }
    this.worker = undefined;
    this.lastExit = { code, signal, seconds, at: Date.now() };
    const why = exit.stopping;
    if (why !== 'stop' && why !== 'restart') {
      this.history = why === 'not-ready' ? startFailed(this.history) : exited(this.host.settings, this.history, seconds, { code, signal });
    }
    this.host.emit('exit', { ...info, counters: this.counters() });
    if (why === 'stop' || why === 'restart') return;
    // What it left goes first, whatever comes next (a give-up included: nothing outlives it).
    if (this.host.settings.killMode === 'group') {
      this.cleaning = this.cleanUp(worker);
      await this.cleaning;
      this.cleaning = undefined;
    }
    if (!exit.ready && readyWithin(this.host.settings) > 0) {
      const reason = why === 'not-ready' ? `did not ${readyHow(this.host.settings)} within ${readyWithin(this.host.settings)} ms` : `exited with ${signal ?? `code ${code}`} before it was ready`;
      const message = `worker pid ${worker.pid} ${reason}`;
      this.fail(new XDaemonError(message, { reason, instance: this.index, pid: worker.pid }));
      if (!this.everReady) {
        // The first worker never came up: a failed start, never "online anyway".
        this.host.giveUp(this, 1, 'not-ready', message);
        return;
      }
    }
    this.next();
  }

  /** Stops what an exited worker left running in its group or tree, before the next start. */
  private async cleanUp(worker: WorkerRun): Promise<void> {
    const left = worker.leftovers();
    if (left.length === 0) return;
    this.host.emit('cleanup', { instance: this.index, pid: worker.pid, pids: left });
    await worker.stopLeftovers();
  }
}

/**
 * Restarts `slot` alone (its worker's tree stopped gracefully, a new worker started at once);
 * resolves with the new worker's pid once it is up (with waitReady: ready).
 */
export function restartSlot(slot: Slot): Promise<{ workerPid: number }> {
  const up = slot.nextUp();
  slot.restart();
  return up.then((worker) => ({ workerPid: worker.pid }));
}

/**
 * The health check procedure: runs the daemon's `health` check against each of its workers, from
 * the supervisor, beside the memory check. A starting worker (a new one, a reload's replacement)
 * is checked often enough that its first pass is seen within about a tenth of its start-up
 * (./health-state), and that pass makes it ready; with sockets held for the workers (on Linux),
 * only once the worker itself is seen accepting on them (../../process/accepting), since a check
 * through the shared port may be answered by the worker it replaces. A ready worker is checked
 * every `healthInterval`; `healthRetries` failures in a row make it unhealthy, and it is replaced
 * the way the memory limit replaces one (its replacement ready first when the daemon reloads,
 * else a graceful restart), counted in `restarts`. All of it runs on one timer, armed for the
 * earliest check due, so the supervisor wakes once per check and never for nothing.
 */
import { acceptingOn, listeningInodes } from '../../process/accepting.js';
import { HAS_PROC } from '../../process/proc.js';
import type { DaemonSettings } from '../../settings/types.js';
import type { Procedure } from '../restart-target.js';
import type { SupervisorEvents } from '../supervisor-api.js';
import { checkTimeout } from './health-settings.js';
import { type HealthSpec, checkedPort, parseHealth } from './health-spec.js';
import { STARTING, type WorkerHealth, judge, nextCheckIn } from './health-state.js';
import { type ProbeResult, probe } from './probe.js';

/** A worker to check, as the procedure sees it. */
export interface CheckedWorker {
  instance: number;
  pid: number;
  /** Date.now() of its start. */
  startedAt: number;
  /** Whether it is ready (its ready(), or an earlier pass). */
  ready: boolean;
  /** Whether it serves for its instance (false: a reload's replacement, not yet ready). */
  serving: boolean;
}

/** A socket the supervisor holds for its workers. */
export interface SharedSocket {
  inode: number;
  /** Its TCP port (0: a unix socket). */
  port: number;
}

/** The events of the health check (declared with the supervisor's: ../supervisor-api). */
export type HealthEvents = Pick<SupervisorEvents, 'healthy' | 'health-failed' | 'unhealthy'>;

/** What the procedure asks of the supervisor. */
export interface HealthTarget {
  /** Every worker to check: each instance's serving worker and a reload's replacement. */
  workers(): CheckedWorker[];
  /** The sockets held for the workers (none: no `listen`), known once they are bound. */
  sockets(): SharedSocket[];
  /** Makes worker `pid` ready (its first pass). */
  markReady(pid: number): void;
  busy(): boolean;
  /** Replaces the worker of `instance` gracefully, saying why. */
  replaceInstance(instance: number, message: string): Promise<unknown>;
  emit<E extends keyof HealthEvents>(event: E, ...args: HealthEvents[E]): void;
  /** Calls `listener` when a worker starts (its first checks are due at once). */
  onWorkerStart(listener: () => void): void;
  /** The environment and working directory of a command check. */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

type HealthSettings = Pick<DaemonSettings, 'health' | 'healthInterval' | 'healthTimeout' | 'healthRetries' | 'healthStartPeriod'>;

/** One worker's checks. */
interface Watch {
  health: WorkerHealth;
  /** Date.now() its next check is due. */
  due: number;
  running: boolean;
  /** How it was seen accepting on the checked socket, once it was. */
  accepting: string | undefined;
  /** Why no check was made yet: it is not seen accepting (for the line of a worker never ready). */
  waiting: string | undefined;
}

/** A running health check; `healthOf` tells a worker's health for `status()`. */
export interface HealthProcedure extends Procedure {
  healthOf(pid: number): WorkerHealth | undefined;
  /** What the last check of a worker found wrong: its answer, or that the worker is not seen accepting yet. */
  lastAnswerOf(pid: number): string | undefined;
}

/** Starts checking `target`'s workers with `settings.health`. */
export function startHealthCheck(target: HealthTarget, settings: HealthSettings): HealthProcedure {
  const spec = parseHealth(settings.health);
  const timeout = checkTimeout(settings);
  const watches = new Map<number, Watch>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let replacing = false;

  /** Re-arms the one timer for the earliest check due; forgets workers that are gone. */
  const arm = (): void => {
    if (stopped) return;
    clearTimeout(timer);
    const now = Date.now();
    const live = new Set<number>();
    for (const w of target.workers()) {
      live.add(w.pid);
      if (!watches.has(w.pid)) watches.set(w.pid, { health: STARTING, due: w.startedAt + 5, running: false, accepting: undefined, waiting: undefined });
    }
    let due = Infinity;
    for (const [pid, watch] of watches) {
      if (!live.has(pid)) watches.delete(pid);
      else if (!watch.running) due = Math.min(due, watch.due);
    }
    if (due === Infinity) return;
    timer = setTimeout(tick, Math.max(0, due - now));
    timer.unref();
  };

  const tick = (): void => {
    const now = Date.now();
    for (const w of target.workers()) {
      const watch = watches.get(w.pid);
      if (watch === undefined || watch.running || watch.due > now) continue;
      watch.running = true;
      void checkOnce(w, watch).finally(() => {
        watch.running = false;
        arm();
      });
    }
    arm();
  };

  const checkOnce = async (w: CheckedWorker, watch: Watch): Promise<void> => {
    const began = Date.now();
    const gate = watch.health.state === 'starting' ? gateOf(spec, target.sockets()) : undefined;
    if (gate !== undefined && watch.accepting === undefined) watch.accepting = acceptingOn(w.pid, typeof gate === 'number' ? listeningInodes(w.pid, gate) : gate);
    if (gate !== undefined && watch.accepting === undefined) {
      // Not taking connections yet: a check now would be answered by another worker, if at all.
      watch.waiting = `not seen accepting on ${typeof gate === 'number' ? `port ${gate}` : 'the held socket'}`;
      watch.due = began + nextCheckIn(watch.health, began - w.startedAt, settings.healthInterval);
      return;
    }
    const result: ProbeResult = await probe(spec, timeout, { env: target.env, cwd: target.cwd, instance: w.instance, workerPid: w.pid });
    if (stopped || !watches.has(w.pid)) return;
    const now = Date.now();
    const current = target.workers().find((x) => x.pid === w.pid) ?? w;
    const { health, effect } = judge(watch.health, result, {
      now,
      startedAt: w.startedAt,
      saidReady: current.ready,
      healthRetries: settings.healthRetries,
      healthStartPeriod: settings.healthStartPeriod,
    });
    watch.health = health;
    watch.due = began + nextCheckIn(health, now - w.startedAt, settings.healthInterval);
    const seconds = (now - w.startedAt) / 1000;
    switch (effect) {
      case 'ready':
        target.emit('healthy', { instance: w.instance, pid: w.pid, seconds, recovered: false, ...(watch.accepting === undefined ? {} : { accepting: watch.accepting }) });
        if (!current.ready) target.markReady(w.pid);
        break;
      case 'recovered':
        target.emit('healthy', { instance: w.instance, pid: w.pid, seconds, recovered: true });
        break;
      case 'failed':
        target.emit('health-failed', { instance: w.instance, pid: w.pid, failures: health.failures, retries: settings.healthRetries, answer: result.answer });
        break;
      case 'unhealthy':
        // A replacement's readiness is the reload's business; only a serving worker is replaced.
        if (!current.serving) break;
        target.emit('unhealthy', { instance: w.instance, pid: w.pid, failures: health.failures, answer: result.answer });
        if (replacing || target.busy()) break;
        replacing = true;
        void target
          .replaceInstance(w.instance, `health: replacing worker pid ${w.pid} (${health.failures} failed checks in a row, the last: ${result.answer})`)
          .then(
            () => void (replacing = false),
            () => void (replacing = false),
          );
        break;
    }
  };

  target.onWorkerStart(() => arm());
  arm();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    healthOf: (pid) => watches.get(pid)?.health,
    lastAnswerOf: (pid) => {
      const watch = watches.get(pid);
      return watch?.health.lastFailure?.answer ?? watch?.waiting;
    },
  };
}

/**
 * What a starting worker must be seen accepting on before a pass makes it ready: the inodes of held
 * sockets, or a port it listens on itself (undefined: no such gate). A check through a held port
 * may reach another worker (the one a reload replaces): the gate is that port's socket; an `exec`
 * check may go through any held one: any. A check of a port the supervisor does not hold may be
 * answered by the old worker while it still runs: the gate is a socket of this worker's own,
 * listening on that port. An `exec` check without held sockets has none (it may check anything).
 * Without /proc there is no gate either (the README says what is then inexact).
 */
export function gateOf(spec: HealthSpec, sockets: readonly SharedSocket[]): Set<number> | number | undefined {
  if (!HAS_PROC) return undefined;
  const port = checkedPort(spec);
  const held = port === undefined ? sockets : sockets.filter((s) => s.port === port);
  if (held.length > 0) return new Set(held.map((s) => s.inode));
  return port;
}

/**
 * The reload procedure (socketmaster's, einhorn's): for each instance slot in turn, start its
 * replacement, wait until it is ready, and only then stop the old worker gracefully (a Node worker
 * on a held socket drains first: it stops accepting and answers what it has in flight), so that at
 * every moment every instance has a worker that accepts (on the sockets they share, when there
 * are any). The old worker's stop overlaps the next instance's replacement. A replacement that
 * dies or is late is stopped and the old worker stays: pm2 kills the old one anyway, this never
 * does. The supervisor allows one reload at a time.
 */
import { XDaemonError, messageOf } from '../errors.js';
import type { DaemonSettings } from '../settings/types.js';
import type { Slot } from './slot.js';
import type { SupervisorEvents } from './supervisor-api.js';
import { type WorkerRun, now } from './worker-run.js';
import { readyHow, readyWithin } from './health/health-settings.js';

/** What a reload did, per instance. */
export interface ReloadReport {
  instances: { instance: number; workerPid: number; oldPid: number | undefined; seconds: number }[];
}

/** What the procedure needs of the supervisor. */
export interface ReloadHost {
  readonly settings: Pick<DaemonSettings, 'waitReady' | 'reloadGrace' | 'health' | 'healthStartPeriod'>;
  /** Whether the supervisor still runs (a stop ends the reload). */
  active(): boolean;
  emit<E extends keyof SupervisorEvents>(event: E, ...args: SupervisorEvents[E]): boolean;
}

/**
 * Reloads `slots` one by one. Rejects with an XDaemonError naming the instance and why when a
 * replacement fails (the instances after it are not touched), or when the supervisor stops.
 * `counted`: where each replacement counts (`restarts` for one the supervisor decided on, the
 * memory limit's; else `reloads`).
 */
export async function reloadSlots(slots: readonly Slot[], host: ReloadHost, counted: 'reloads' | 'restarts' = 'reloads'): Promise<ReloadReport> {
  const report: ReloadReport = { instances: [] };
  host.emit('reloading', { instances: slots.length });
  // An old worker drains and stops while the next instance's replacement starts: once its
  // replacement serves, it no longer counts among those that do. The reload ends when all are gone.
  const stops: Promise<void>[] = [];
  try {
    for (const slot of slots) {
      const instance = slot.index;
      if (!host.active()) throw new XDaemonError('reload: the supervisor is stopping', { reason: 'the supervisor is stopping', instance });
      const old = slot.worker;
      const keeps = old === undefined ? 'no old worker was running' : `the old worker pid ${old.pid} keeps running`;
      const began = now();
      slot.cancelPending();
      let candidate: WorkerRun;
      try {
        candidate = slot.startCandidate();
      } catch (err) {
        const reason = `the replacement did not start (${messageOf(err)})`;
        const message = `reload: instance ${instance}: ${reason}; ${keeps}`;
        host.emit('reload-failed', { instance, message });
        throw new XDaemonError(message, { cause: err, reason, instance });
      }
      host.emit('reload-start', { instance, pid: candidate.pid, oldPid: old?.pid });
      const failure = await waitUp(candidate, host.settings);
      if (!host.active()) throw new XDaemonError('reload: the supervisor is stopping', { reason: 'the supervisor is stopping', instance });
      if (failure !== undefined) {
        await candidate.stop('reload', 'SIGTERM');
        const message = `reload: instance ${instance}: the replacement pid ${candidate.pid} ${failure}; ${keeps}`;
        host.emit('reload-failed', { instance, message });
        throw new XDaemonError(message, { code: 'ERELOAD', reason: failure, instance, pid: candidate.pid });
      }
      const seconds = (now() - began) / 1000;
      const retired = slot.adopt(candidate, counted);
      host.emit('reload-ready', { instance, pid: candidate.pid, oldPid: retired?.pid, seconds, ready: candidate.ready });
      report.instances.push({ instance, workerPid: candidate.pid, oldPid: retired?.pid, seconds });
      const stopped = retired === undefined ? Promise.resolve([]) : retired.stop('reload', 'SIGTERM');
      stops.push(stopped.then(() => void host.emit('reloaded', { instance, pid: candidate.pid, oldPid: retired?.pid, seconds: (now() - began) / 1000 })));
    }
  } finally {
    await Promise.all(stops);
  }
  return report;
}

/**
 * Waits until `worker` is ready (with waitReady or a health check: its ready() or its first
 * passing check, within waitReady or the check's start period; else its ready(), its first listen()
 * on a held socket, or reloadGrace ms, whichever comes first). Returns why it is not, if it is not.
 */
async function waitUp(worker: WorkerRun, settings: ReloadHost['settings']): Promise<string | undefined> {
  let grace: NodeJS.Timeout | undefined;
  const within = readyWithin(settings);
  const outcomes: Promise<'ready' | 'exited' | 'grace'>[] = [worker.whenReady.then(() => 'ready' as const), worker.done.then(() => 'exited' as const)];
  if (within === 0) outcomes.push(new Promise((resolve) => (grace = setTimeout(() => resolve('grace'), settings.reloadGrace))));
  const outcome = await Promise.race(outcomes);
  clearTimeout(grace);
  if (outcome !== 'exited') return undefined;
  const exit = worker.exit;
  if (exit?.stopping === 'not-ready') return `did not ${readyHow(settings)} within ${within} ms`;
  if (exit?.stopping === 'stop') return 'was stopped';
  const how = exit === undefined ? 'exited' : `exited with ${exit.signal ?? `code ${exit.code}`}`;
  return within > 0 ? `${how} before it was ready` : `${how} within the reload grace of ${settings.reloadGrace} ms`;
}

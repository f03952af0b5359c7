/**
 * A daemon's status as the faces that show instances read it (`monit`'s rows, the exporter's
 * series): one view per instance with its state in the words a user reads everywhere (running,
 * ready, restarting, reloading, errored, stopped, dead), its health where checks are set, its
 * restarts of every cause and its usage. Pure, so that the live view and the exporter cannot
 * disagree on what a word or a count means.
 */
import type { DaemonStatus, InstanceHealth } from '../control/daemon-status.js';
import type { DaemonUsage } from '../control/usage.js';
import { type RestartCauses, restartCauses } from './restart-count.js';

/** What a daemon or one of its instances is doing, in the words a user reads. */
export type StateWord =
  /** Its worker runs (and has not said it is ready, or has no way to). */
  | 'running'
  /** Its worker runs and said it is ready. */
  | 'ready'
  /** Waiting out a restart delay, or a restart under way. */
  | 'restarting'
  /** A reload is replacing the daemon's workers. */
  | 'reloading'
  /** It gave up (or its supervisor ended otherwise than by a stop): it will not come back by itself. */
  | 'errored'
  /** Stopped on request, or never started. */
  | 'stopped'
  /** Its supervisor was killed: a pid file is left (`xdaemon stop` cleans up). */
  | 'dead';

/** An instance's health word, where health checks are set. */
export type HealthWord = InstanceHealth['state'];

/** One instance of a named daemon, as a face shows it. */
export interface InstanceView {
  name: string;
  instance: number;
  state: StateWord;
  /** The supervisor runs but did not answer (stopped with SIGSTOP, overloaded). */
  unresponsive: boolean;
  health?: HealthWord;
  workerPid?: number;
  /** ISO time. */
  workerStartedAt?: string;
  ready: boolean;
  starts: number;
  /** Consecutive failures. */
  errors: number;
  restarts: RestartCauses;
  /** What its worker's tree uses (the daemon's, with one instance). */
  usage?: DaemonUsage;
}

/** The word of a whole daemon (its instances may say more). Pure. */
export function daemonWord(status: Pick<DaemonStatus, 'state' | 'ended' | 'reloading'>): StateWord {
  switch (status.state) {
    case 'dead':
      return 'dead';
    case 'stopped':
      // A supervisor that ended with code 0 was stopped (or reached maxCount); any other end gave up.
      return status.ended !== undefined && status.ended.code !== 0 ? 'errored' : 'stopped';
    case 'restarting':
      return status.reloading === true ? 'reloading' : 'restarting';
    default:
      return status.reloading === true ? 'reloading' : 'running';
  }
}

/** The health word of an instance's report, tolerating a bare word. Pure. */
export function healthWord(health: InstanceHealth | HealthWord | undefined): HealthWord | undefined {
  if (health === undefined) return undefined;
  return typeof health === 'string' ? health : health.state;
}

/**
 * The instances of a daemon: one view each while its supervisor runs (at least one: a supervisor
 * older than instances reports none), one for the daemon when it does not. Pure.
 */
export function instanceViews(status: DaemonStatus & { name: string }): InstanceView[] {
  const word = daemonWord(status);
  const unresponsive = status.unresponsive === true;
  const live = status.state === 'running' || status.state === 'restarting';
  const reports = live ? (status.instances ?? []) : [];
  if (reports.length === 0) {
    return [
      {
        name: status.name,
        instance: 0,
        state: live && status.ready === true && word === 'running' ? 'ready' : word,
        unresponsive,
        ...(status.workerPid === undefined ? {} : { workerPid: status.workerPid }),
        ...(live && status.workerStartedAt !== undefined ? { workerStartedAt: status.workerStartedAt } : {}),
        ready: live && status.ready === true,
        starts: status.starts,
        errors: status.errors,
        restarts: restartCauses(status),
        ...(status.usage === undefined ? {} : { usage: status.usage }),
      },
    ];
  }
  const several = reports.length > 1;
  return reports.map((i): InstanceView => {
    const health = healthWord(i.health);
    const usage = several ? i.usage : status.usage;
    const state: StateWord = word === 'reloading' ? 'reloading' : i.restarting ? 'restarting' : i.ready ? 'ready' : 'running';
    return {
      name: status.name,
      instance: i.instance,
      state,
      unresponsive,
      ...(health === undefined ? {} : { health }),
      ...(i.workerPid === undefined ? {} : { workerPid: i.workerPid }),
      ...(i.workerStartedAt === undefined ? {} : { workerStartedAt: i.workerStartedAt }),
      ready: i.ready,
      starts: i.starts,
      errors: i.errors,
      restarts: restartCauses(i),
      ...(usage === undefined ? {} : { usage }),
    };
  });
}

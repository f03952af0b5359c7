/**
 * How many times a daemon's workers were replaced, of every cause, as every face shows it (`list`,
 * `monit`, the Prometheus exporter): one pure function, so that the count a person reads in the
 * table and the one an alert fires on are the same number, and the day the status tells more
 * causes apart (a health replacement, say) one place changes.
 *
 * The status counts three things per instance: `starts` (Go's count: the first start, each start
 * after an exit or a failed start), `restarts` (a restart someone asked for, and the supervisor's
 * own replacements without a held socket: the memory limit, cron, watch), and `reloads` (a reload
 * someone asked for, and cron or watch with a held socket). Every start but the first is a restart
 * after an exit.
 */
import type { DaemonStatus, InstanceReport } from '../control/daemon-status.js';

/** The restarts of an instance (or a daemon) by cause, as far as the status tells them apart. */
export interface RestartCauses {
  /** The worker exited (a crash, a kill, a successful end under `restart: always`) or failed to start, and was started again. */
  exit: number;
  /** Restarted on request, or by the supervisor's own remedy without a held socket (memory limit, cron, watch). */
  restart: number;
  /** Replaced by a reload: on request, or cron or watch with a held socket. */
  reload: number;
}

/** The causes, in the order faces list them. */
export const RESTART_CAUSES: readonly (keyof RestartCauses)[] = ['exit', 'restart', 'reload'];

/** The counters of one instance (or of a daemon without instance reports). */
type Counts = Pick<InstanceReport, 'starts' | 'restarts'> & { reloads?: number | undefined };

/** The restarts of one instance's counters, by cause. Pure. */
export function restartCauses(counts: Counts): RestartCauses {
  return { exit: Math.max(0, counts.starts - 1), restart: counts.restarts, reload: counts.reloads ?? 0 };
}

/** Every restart of one instance's counters, whatever its cause. Pure. */
export function instanceRestarts(counts: Counts): number {
  const c = restartCauses(counts);
  return c.exit + c.restart + c.reload;
}

/**
 * Every restart of a daemon, whatever its cause: the sum over its instances (each instance's
 * first start is no restart). A daemon that does not run counts what its last supervisor's end
 * record kept (a daemon that gave up: the restarts before it did), or 0. Pure.
 */
export function restartsOfEveryCause(status: Pick<DaemonStatus, 'starts' | 'restarts' | 'reloads' | 'instances'>): number {
  const instances = status.instances ?? [];
  if (instances.length === 0) return instanceRestarts(status);
  return instances.reduce((n, i) => n + instanceRestarts(i), 0);
}

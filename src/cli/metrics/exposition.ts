/**
 * The Prometheus text format (0.0.4) of what the exporter sees: per daemon and instance, whether it
 * runs and is ready (and healthy, where checks are set), its restarts by cause (the count every
 * face shows: src/fleet/restart-count.ts), worker starts, the CPU time and memory of the worker's
 * whole tree, start times, the memory limit; per exporter, the daemons it sees and what the scrape
 * cost. Names follow Prometheus' conventions (base units, `_total` for counters); the labels are
 * `name` and `instance`. Pure: the server (./server) gathers the statuses, this writes them.
 */
import type { DaemonStatus } from '../../control/daemon-status.js';
import { type StateWord, daemonWord, instanceViews } from '../../fleet/instance-view.js';
import { RESTART_CAUSES } from '../../fleet/restart-count.js';

/** A daemon as the exporter sees it: its status, and its memory limit (bytes) when it has one. */
export interface ScrapedDaemon {
  status: DaemonStatus & { name: string };
  memoryLimit?: number | undefined;
}

/** What one scrape found. */
export interface Scrape {
  daemons: readonly ScrapedDaemon[];
  /** Daemons whose status could not be told (their supervisor refused, a record unreadable). */
  failures: number;
}

type Labels = Readonly<Record<string, string>>;

/** One metric family: its name, type, help, and samples. */
interface Family {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  samples: { labels: Labels; value: number }[];
}

/** Every metric the exporter writes, with its type and help: the README's list is this table. */
export const METRICS = {
  xdaemon_supervisor_up: { type: 'gauge', help: "Whether the daemon's supervisor runs (1) or not (0)." },
  xdaemon_daemon_state: { type: 'gauge', help: "The daemon's state: 1 for the state it is in (running, restarting, reloading, errored, stopped, dead), 0 for the others." },
  xdaemon_supervisor_start_time_seconds: { type: 'gauge', help: "Start time of the daemon's supervisor, seconds since the Unix epoch." },
  xdaemon_supervisor_resident_memory_bytes: { type: 'gauge', help: "The supervisor's own resident set size, bytes." },
  xdaemon_memory_limit_bytes: { type: 'gauge', help: "The daemon's memory limit (maxMemory): an instance whose worker tree's RSS is above it is replaced, bytes." },
  xdaemon_worker_up: { type: 'gauge', help: 'Whether a worker of the instance runs (1) or not (0: waiting out a restart delay, say).' },
  xdaemon_worker_ready: { type: 'gauge', help: "Whether the instance's worker said it is ready (1) or not (0)." },
  xdaemon_worker_healthy: { type: 'gauge', help: "Whether the instance's health checks pass (1) or not (0: starting or unhealthy); only where checks are set." },
  xdaemon_restarts_total: { type: 'counter', help: "Restarts of the instance's worker by cause: exit (it exited or failed to start), restart (a request, or the memory limit, cron or watch), reload." },
  xdaemon_worker_starts_total: { type: 'counter', help: "Worker starts of the instance (Go's count: the first start, and each start after an exit or a failed start)." },
  xdaemon_worker_consecutive_failures: { type: 'gauge', help: 'Consecutive failed runs of the instance (the supervisor gives up past maxError).' },
  xdaemon_worker_start_time_seconds: { type: 'gauge', help: "Start time of the instance's current worker, seconds since the Unix epoch." },
  xdaemon_worker_cpu_seconds_total: { type: 'counter', help: "CPU time used by the instance's worker's whole tree (its processes and their waited-for children), seconds; it starts again with each worker." },
  xdaemon_worker_resident_memory_bytes: { type: 'gauge', help: "Summed resident set sizes of the instance's worker's whole tree, bytes." },
  xdaemon_worker_proportional_memory_bytes: { type: 'gauge', help: "Summed proportional set sizes (PSS) of the instance's worker's whole tree, bytes (Linux)." },
  xdaemon_worker_processes: { type: 'gauge', help: "Processes in the instance's worker's tree." },
  xdaemon_exporter_daemons: { type: 'gauge', help: 'Daemons the exporter sees (those with a record in the state directory).' },
  xdaemon_exporter_status_failures: { type: 'gauge', help: 'Daemons whose status could not be told in this scrape.' },
  xdaemon_exporter_scrape_duration_seconds: { type: 'gauge', help: "How long this scrape took the exporter, seconds." },
} as const satisfies Record<string, { type: Family['type']; help: string }>;

type MetricName = keyof typeof METRICS;

/** The daemon states of `xdaemon_daemon_state`, all of them written for each daemon (a state set). */
const STATES: readonly StateWord[] = ['running', 'restarting', 'reloading', 'errored', 'stopped', 'dead'];

/** Seconds since the epoch of an ISO time, or undefined. */
function epochSeconds(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

/** The families of one scrape, before the exporter's own duration. */
function families(scrape: Scrape): Map<MetricName, Family> {
  const out = new Map<MetricName, Family>();
  const add = (name: MetricName, labels: Labels, value: number | undefined): void => {
    if (value === undefined || !Number.isFinite(value)) return;
    let family = out.get(name);
    if (family === undefined) out.set(name, (family = { name, ...METRICS[name], samples: [] }));
    family.samples.push({ labels, value });
  };
  for (const { status, memoryLimit } of scrape.daemons) {
    const name = { name: status.name };
    const live = status.state === 'running' || status.state === 'restarting';
    const word = daemonWord(status);
    add('xdaemon_supervisor_up', name, live ? 1 : 0);
    for (const state of STATES) add('xdaemon_daemon_state', { ...name, state }, state === word ? 1 : 0);
    if (live) {
      add('xdaemon_supervisor_start_time_seconds', name, epochSeconds(status.startedAt));
      add('xdaemon_supervisor_resident_memory_bytes', name, status.usage?.supervisorRss);
    }
    if (memoryLimit !== undefined && memoryLimit > 0) add('xdaemon_memory_limit_bytes', name, memoryLimit);
    if (!live) continue;
    for (const view of instanceViews(status)) {
      const labels = { name: status.name, instance: String(view.instance) };
      const running = view.workerPid !== undefined;
      add('xdaemon_worker_up', labels, running ? 1 : 0);
      add('xdaemon_worker_ready', labels, view.ready ? 1 : 0);
      if (view.health !== undefined) add('xdaemon_worker_healthy', labels, view.health === 'healthy' ? 1 : 0);
      for (const cause of RESTART_CAUSES) add('xdaemon_restarts_total', { ...labels, cause }, view.restarts[cause]);
      add('xdaemon_worker_starts_total', labels, view.starts);
      add('xdaemon_worker_consecutive_failures', labels, view.errors);
      if (!running) continue;
      add('xdaemon_worker_start_time_seconds', labels, epochSeconds(view.workerStartedAt));
      add('xdaemon_worker_cpu_seconds_total', labels, view.usage?.cpuTime);
      add('xdaemon_worker_resident_memory_bytes', labels, view.usage?.rss);
      add('xdaemon_worker_proportional_memory_bytes', labels, view.usage?.pss);
      add('xdaemon_worker_processes', labels, view.usage?.processes);
    }
  }
  add('xdaemon_exporter_daemons', {}, scrape.daemons.length);
  add('xdaemon_exporter_status_failures', {}, scrape.failures);
  return out;
}

/** A label value as the text format writes it: `\`, `"` and newlines escaped. */
function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function familyText(family: Family): string {
  const lines = [`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`];
  for (const { labels, value } of family.samples) {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(v)}"`);
    lines.push(`${family.name}${pairs.length === 0 ? '' : `{${pairs.join(',')}}`} ${value}`);
  }
  return lines.join('\n');
}

/**
 * The text of `scrape`, in the order of {@link METRICS}; `duration()` is asked last, so that the
 * scrape's own duration covers the writing too (seconds).
 */
export function exposition(scrape: Scrape, duration: () => number): string {
  const all = families(scrape);
  const text = (Object.keys(METRICS) as MetricName[]).flatMap((name) => {
    const family = all.get(name);
    return family === undefined ? [] : [familyText(family)];
  });
  text.push(familyText({ name: 'xdaemon_exporter_scrape_duration_seconds', ...METRICS.xdaemon_exporter_scrape_duration_seconds, samples: [{ labels: {}, value: duration() }] }));
  return `${text.join('\n')}\n`;
}

/** The metrics' names, types and helps (for the README's list and `xdaemon metrics --help`). */
export function metricList(): { name: string; type: string; help: string }[] {
  return (Object.entries(METRICS) as [MetricName, { type: string; help: string }][]).map(([name, m]) => ({ name, ...m }));
}

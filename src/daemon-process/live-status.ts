/**
 * The one mapping from the loop's own status (the `Supervisor`'s, with times as milliseconds) to
 * the status a running supervisor process tells the world (../control/daemon-status): its answer
 * to `status`, and its state file's `live` record, which `status()` reads without waking it. Pure.
 */
import type { ExitReport, HostRef, InstanceHealth, InstanceReport, LiveStatus } from '../control/daemon-status.js';
import type { CpuSample } from '../control/protocol.js';
import type { InstanceStatus, SupervisorStatus } from '../supervisor/supervisor-api.js';

/** What the process knows besides the loop's status. */
export interface ProcessFacts {
  pid: number;
  /** The host, for a daemon that one runs. */
  host?: HostRef | undefined;
  pidFile: string;
  startedAt: Date;
  logFile: string;
  /** The CPU sampler's last sample of an instance's worker tree (../supervisor/cpu-sampler). */
  sampleOf(instance: number): CpuSample | undefined;
}

/** The status of a running supervisor process, made from its loop's. */
export function liveStatus(s: SupervisorStatus, facts: ProcessFacts): LiveStatus {
  const restarting = s.state === 'restarting' || (s.state === 'running' && s.instances.some((i) => i.restarting));
  const several = s.instances.length > 1;
  const instances = s.instances.map(
    (i): InstanceReport => ({
      instance: i.instance,
      ...optional('workerPid', i.workerPid),
      ...optional('workerStartedAt', iso(i.workerStartedAt)),
      ready: i.ready,
      restarting: i.restarting,
      starts: i.counters.starts,
      restarts: i.counters.restarts,
      reloads: i.counters.reloads,
      errors: i.counters.errors,
      ...optional('lastExit', exitReport(i.lastExit)),
      ...optional('health', healthReport(i.health)),
      ...optional('cpuSample', several ? facts.sampleOf(i.instance) : undefined),
    }),
  );
  return {
    state: restarting ? 'restarting' : 'running',
    pidFile: facts.pidFile,
    pid: facts.pid,
    ...optional('host', facts.host),
    ...optional('workerPid', s.workerPid),
    startedAt: facts.startedAt.toISOString(),
    ...optional('workerStartedAt', iso(s.workerStartedAt)),
    starts: s.counters.starts,
    restarts: s.counters.restarts,
    reloads: s.counters.reloads,
    errors: s.counters.errors,
    maxCount: s.counters.maxCount,
    maxError: s.counters.maxError,
    ready: s.ready,
    ...optional('health', daemonHealth(instances)),
    ...optional('lastExit', exitReport(s.lastExit)),
    command: s.command,
    logFile: facts.logFile,
    instances,
    reloading: s.reloading,
    listen: s.listen,
    ...optional('cpuSample', facts.sampleOf(0)),
  };
}

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function healthReport(h: InstanceStatus['health']): InstanceHealth | undefined {
  if (h === undefined) return undefined;
  const { state, failures, lastFailure } = h;
  return { state, failures, ...(lastFailure === undefined ? {} : { lastFailure: { at: new Date(lastFailure.at).toISOString(), reason: lastFailure.answer } }) };
}

/** The worst health of the instances (unhealthy, starting, healthy), with its failures and the last failure. */
export function daemonHealth(instances: readonly InstanceReport[]): InstanceHealth | undefined {
  const reports = instances.flatMap((i) => (i.health === undefined ? [] : [i.health]));
  const rank = { unhealthy: 0, starting: 1, healthy: 2 } as const;
  return reports.sort((a, b) => rank[a.state] - rank[b.state])[0];
}

function exitReport(e: SupervisorStatus['lastExit']): ExitReport | undefined {
  return e === undefined ? undefined : { ...e, at: new Date(e.at).toISOString() };
}

/** `{ [key]: value }`, or nothing when `value` is undefined. */
function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

/** `status(pidFile)`: what the daemon behind a pid file is doing, from any process. */
import { XDaemonError } from '../errors.js';
import { HAS_PROC, isZombie, readProc } from '../process/proc.js';
import { findTree } from '../process/stop-tree.js';
import { controlCall } from './call.js';
import type { DaemonStatus, LiveStatus } from './daemon-status.js';
import { type FoundDaemon, callOperation, findDaemon } from './find-daemon.js';
import { OPERATIONS } from './operations.js';
import type { StateRecord } from './state-file.js';
import { type UsageMemory, measureUsage, sumUsage } from './usage.js';
import { tracer } from '../trace.js';

const trace = tracer('control');

export type { DaemonState, DaemonStatus, InstanceStatusReport } from './daemon-status.js';
export type { DaemonUsage } from './usage.js';

/** Options of {@link status}. */
export interface StatusOptions {
  /** Milliseconds to wait for the supervisor's answer (default 2000). */
  timeout?: number;
  /**
   * Whether `usage` has `pss` (default true). The kernel walks every page table of a process for
   * it: a few ms for a node process, which a client that asks every second leaves out.
   */
  pss?: boolean;
}

/**
 * What the daemon behind `pidFile` is doing: `running` or `restarting` (with the supervisor's own
 * figures), `stopped` (no pid file) or `dead` (a pid file whose supervisor is gone). Never hangs
 * past its timeout.
 *
 * @throws XDaemonError when a supervisor answers but refuses the request (the state file beside
 *   the pid file belongs to someone else, or cannot be read).
 */
export function status(pidFile: string, options: StatusOptions = {}): Promise<DaemonStatus> {
  return controlCall(({ signal }) => statusOf(findDaemon(pidFile), options.timeout ?? OPERATIONS.status.timeout, options.pss === false ? 'rss' : 'pss', signal));
}

async function statusOf(daemon: FoundDaemon, timeout: number, memory: UsageMemory, signal: AbortSignal): Promise<DaemonStatus> {
  const recorded = fromStateFile(daemon.record, daemon, memory);
  if (recorded !== undefined) {
    trace('status of %s: %s, from its state file', daemon.pidFile, recorded.state);
    return recorded;
  }
  const answer = await callOperation(daemon, 'status', {}, timeout, signal);
  // No supervisor (any more): the files as they are now, not as they were before the request.
  if (answer === 'unreachable') return notRunning(findDaemon(daemon.pidFile));
  const { record } = daemon;
  if (answer === 'unresponsive') {
    return { ...fromRecord(record), state: 'running', pidFile: daemon.pidFile, ...(record === undefined ? {} : { pid: record.pid }), unresponsive: true };
  }
  const { response } = answer;
  if (!response.ok) throw new XDaemonError(`the supervisor of ${daemon.pidFile} refused the status request: ${response.error}`, { code: response.code, reason: response.error });
  return withUsage(response.status, daemon.pidFile, memory);
}

/**
 * The status a running supervisor last recorded in its state file, when that is certain to be
 * its own (Linux: the recorded pid is alive with the recorded start time, so it is that very
 * supervisor, not a reused pid). Reading it wakes no supervisor: `xdaemon list` of twenty daemons
 * costs twenty small reads. A supervisor that is stopped (SIGSTOP, a debugger) is reported as
 * unresponsive. Undefined when the file cannot tell; the control channel is asked then.
 */
function fromStateFile(record: StateRecord | undefined, daemon: { pidFile: string; hasPidFile: boolean }, memory: UsageMemory): DaemonStatus | undefined {
  if (!HAS_PROC || record?.live === undefined || record.ended !== undefined || !daemon.hasPidFile) return undefined;
  const proc = readProc(record.pid);
  if (proc === undefined || proc.starttime !== record.starttime || isZombie(proc.state)) return undefined;
  const stopped = proc.state === 'T' || proc.state === 't';
  return { ...withUsage(record.live, daemon.pidFile, memory), ...(stopped ? { unresponsive: true as const } : {}) };
}

/** A daemon whose lock no supervisor holds: stopped without a pid file, dead with one. */
function notRunning(daemon: FoundDaemon): DaemonStatus {
  const { record } = daemon;
  if (!daemon.hasPidFile) return { ...fromRecord(record), state: record?.ended?.gaveUp === true ? 'errored' : 'stopped', pidFile: daemon.pidFile };
  const leftovers = record === undefined || record.ended !== undefined ? [] : leftoversOf(record);
  return {
    ...fromRecord(record),
    state: 'dead',
    pidFile: daemon.pidFile,
    ...(record === undefined ? {} : { pid: record.pid }),
    ...(leftovers.length === 0 ? {} : { leftovers }),
  };
}

/**
 * A running supervisor's record as `status()` reports it: the pid file as this client names it,
 * the usage read now instead of the supervisor's CPU samples.
 */
function withUsage(live: LiveStatus, pidFile: string, memory: UsageMemory): DaemonStatus {
  const { cpuSample, instances = [], ...rest } = live;
  if (instances.length < 2) {
    const usage = measureUsage(live.pid, live.workerPid, cpuSample, Date.now(), memory);
    return { ...rest, instances: instances.map(({ cpuSample: _sample, ...i }) => i), pidFile, ...(usage === undefined ? {} : { usage }) };
  }
  // Several instances: each one's tree, and the daemon's the sum of theirs.
  const measured = instances.map(({ cpuSample: sample, ...i }) => {
    const usage = measureUsage(live.pid, i.workerPid, sample, Date.now(), memory);
    return { ...i, ...(usage === undefined ? {} : { usage }) };
  });
  const usage = sumUsage(measured.map((i) => i.usage));
  return { ...rest, instances: measured, pidFile, ...(usage === undefined ? {} : { usage }) };
}

/**
 * What a state file tells of a daemon that does not run: how its last run ended, and its counters
 * as the supervisor last recorded them (the restarts of an errored daemon, say).
 */
function fromRecord(record: StateRecord | undefined): Omit<DaemonStatus, 'state' | 'pidFile'> {
  const live = record?.ended === undefined ? undefined : record.live;
  return {
    starts: live?.starts ?? 0,
    restarts: live?.restarts ?? 0,
    // Its counters, not its workers: they are gone.
    ...(live === undefined ? {} : { reloads: live.reloads, instances: live.instances.map(({ cpuSample: _s, workerPid: _p, workerStartedAt: _t, ...i }) => ({ ...i, ready: false, restarting: false })) }),
    errors: live?.errors ?? 0,
    maxCount: live?.maxCount ?? 0,
    maxError: live?.maxError ?? 0,
    ...(live?.lastExit === undefined ? {} : { lastExit: live.lastExit }),
    command: record?.command ?? [],
    logFile: record?.logFile ?? '',
    ...(record?.ended === undefined ? {} : { ended: record.ended }),
  };
}

/** Live processes carrying the tree token of a supervisor that is gone (Linux). */
export function leftoversOf(record: StateRecord): number[] {
  // No root process: only the token (unique to that supervisor) makes a process a member.
  return findTree({ pid: -1, starttime: record.starttime }, { prefix: record.treePrefix }).map((p) => p.pid);
}

/** `status(pidFile)`: what the daemon behind a pid file is doing, from any process. */
import { XDaemonError } from '../errors.js';
import { HAS_PROC, isZombie, readProc } from '../process/proc.js';
import { findTree } from '../process/stop-tree.js';
import { controlCall } from './call.js';
import { type FoundDaemon, ask, findDaemon } from './find-daemon.js';
import type { InstanceReport, LiveStatus } from './protocol.js';
import type { EndRecord, StateRecord } from './state-file.js';
import { type DaemonUsage, measureUsage, sumUsage } from './usage.js';

export type { DaemonUsage } from './usage.js';

/** The state of a daemon. */
export type DaemonState =
  /** Its supervisor runs (a worker may be starting). */
  | 'running'
  /** Its supervisor waits out a restart delay, or restarts the worker on request. */
  | 'restarting'
  /** No pid file: it is not running (`ended` says how the last run ended, if known). */
  | 'stopped'
  /** A pid file, but no supervisor holds the daemon's lock: it was killed (or its pid is reused). */
  | 'dead';

/** One instance of a running daemon, with (several instances, Linux) what its worker's tree uses. */
export interface InstanceStatusReport extends Omit<InstanceReport, 'cpuSample'> {
  usage?: DaemonUsage;
}

/** What `status()` reports. Times are ISO 8601 strings. */
export interface DaemonStatus
  extends Partial<Pick<LiveStatus, 'workerPid' | 'startedAt' | 'workerStartedAt' | 'ready' | 'lastExit' | 'reloads' | 'reloading' | 'listen'>>,
    Pick<LiveStatus, 'starts' | 'restarts' | 'errors' | 'maxCount' | 'maxError' | 'command' | 'logFile'> {
  state: DaemonState;
  /** The absolute pid file. */
  pidFile: string;
  /** The supervisor's pid (running), or the pid the pid file names (dead). */
  pid?: number;
  /** How the last supervisor ended, when it lived to record it (stopped, gave up, …). */
  ended?: EndRecord;
  /** Dead: processes of its workers that still run (Linux; `stop()` ends them). */
  leftovers?: number[];
  /** Running, but the supervisor did not answer in time (stopped with SIGSTOP, overloaded, …). */
  unresponsive?: true;
  /** Running (Linux): CPU and memory of the worker's whole tree (several instances: of all their trees) and the supervisor's RSS, read now. */
  usage?: DaemonUsage;
  /** Every instance (absent from supervisors older than instances). */
  instances?: InstanceStatusReport[];
}

/** Options of {@link status}. */
export interface StatusOptions {
  /** Milliseconds to wait for the supervisor's answer (default 2000). */
  timeout?: number;
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
  return controlCall(({ signal }) => statusOf(findDaemon(pidFile), options.timeout ?? 2000, signal));
}

async function statusOf(daemon: FoundDaemon, timeout: number, signal: AbortSignal): Promise<DaemonStatus> {
  const recorded = fromStateFile(daemon.record, daemon);
  if (recorded !== undefined) return recorded;
  const answer = await ask(daemon, 'status', timeout, signal);
  // No supervisor (any more): the files as they are now, not as they were before the request.
  if (answer === 'unreachable') return notRunning(findDaemon(daemon.pidFile));
  const { record } = daemon;
  if (answer === 'unresponsive') {
    return { ...fromRecord(record), state: 'running', pidFile: daemon.pidFile, ...(record === undefined ? {} : { pid: record.pid }), unresponsive: true };
  }
  if (!answer.response.ok || answer.response.status === undefined) {
    const error = answer.response.ok ? 'no status in the answer' : answer.response.error;
    throw new XDaemonError(`the supervisor of ${daemon.pidFile} refused the status request: ${error}`);
  }
  return fromLive(answer.response.status, daemon.pidFile);
}

/**
 * The status a running supervisor last recorded in its state file, when that is certain to be
 * its own (Linux: the recorded pid is alive with the recorded start time, so it is that very
 * supervisor, not a reused pid). Reading it wakes no supervisor: `xdaemon list` of twenty daemons
 * costs twenty small reads. A supervisor that is stopped (SIGSTOP, a debugger) is reported as
 * unresponsive. Undefined when the file cannot tell; the control channel is asked then.
 */
function fromStateFile(record: StateRecord | undefined, daemon: { pidFile: string; hasPidFile: boolean }): DaemonStatus | undefined {
  if (!HAS_PROC || record?.live === undefined || record.ended !== undefined || !daemon.hasPidFile) return undefined;
  const proc = readProc(record.pid);
  if (proc === undefined || proc.starttime !== record.starttime || isZombie(proc.state)) return undefined;
  const stopped = proc.state === 'T' || proc.state === 't';
  return { ...fromLive(record.live, daemon.pidFile), ...(stopped ? { unresponsive: true as const } : {}) };
}

/** A daemon whose lock no supervisor holds: stopped without a pid file, dead with one. */
function notRunning(daemon: FoundDaemon): DaemonStatus {
  const { record } = daemon;
  if (!daemon.hasPidFile) return { ...fromRecord(record), state: 'stopped', pidFile: daemon.pidFile };
  const leftovers = record === undefined || record.ended !== undefined ? [] : leftoversOf(record);
  return {
    ...fromRecord(record),
    state: 'dead',
    pidFile: daemon.pidFile,
    ...(record === undefined ? {} : { pid: record.pid }),
    ...(leftovers.length === 0 ? {} : { leftovers }),
  };
}

function fromLive(live: LiveStatus, pidFile: string): DaemonStatus {
  const { cpuSample, instances, ...rest } = live;
  if (instances === undefined || instances.length < 2) {
    const usage = measureUsage(live.pid, live.workerPid, cpuSample);
    return { ...rest, ...(instances === undefined ? {} : { instances }), pidFile, ...(usage === undefined ? {} : { usage }) };
  }
  // Several instances: each one's tree, and the daemon's the sum of theirs.
  const measured = instances.map(({ cpuSample: sample, ...i }) => {
    const usage = measureUsage(live.pid, i.workerPid, sample);
    return { ...i, ...(usage === undefined ? {} : { usage }) };
  });
  const usage = sumUsage(measured.map((i) => i.usage));
  return { ...rest, instances: measured, pidFile, ...(usage === undefined ? {} : { usage }) };
}

/** What a state file tells of a daemon that does not run. */
function fromRecord(record: StateRecord | undefined): Omit<DaemonStatus, 'state' | 'pidFile'> {
  return {
    starts: 0,
    restarts: 0,
    errors: 0,
    maxCount: 0,
    maxError: 0,
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

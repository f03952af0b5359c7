/**
 * The one status of a daemon, whoever tells it: the supervisor's answer to a `status` request, the
 * `live` record of its state file, and what `status()` resolves with are the same type. What a
 * running supervisor says of itself is {@link LiveStatus}, the same fields with those it always
 * knows required; a client adds what only it can tell (the absolute pid file as it named it, the
 * usage it reads from /proc, how a run that is over ended, what a dead one left, an unanswered
 * request) as the type's optional members. The supervisor makes its record in one place
 * (../daemon-process/live-status), from its loop's own status.
 */
import type { CpuSample } from './protocol.js';
import type { DaemonUsage } from './usage.js';

/** The state of a daemon. */
export type DaemonState =
  /** Its supervisor runs (a worker may be starting). */
  | 'running'
  /** Its supervisor waits out a restart delay, or restarts the worker on request. */
  | 'restarting'
  /** No pid file: it is not running, stopped on request or done (`ended` says how the last run ended, if known). */
  | 'stopped'
  /** No pid file: its supervisor gave up (too many failures in a row, a first worker never ready, a socket it could not bind): pm2's word. */
  | 'errored'
  /** A pid file, but no supervisor holds the daemon's lock: it was killed (or its pid is reused). */
  | 'dead';

/**
 * The host that runs a daemon, when one does (the daemons `xdaemon start` runs share one process
 * per state directory): its pid, and its own pid file (`<state directory>/.host.pid`).
 */
export interface HostRef {
  pid: number;
  pidFile: string;
}

/** How a worker ended, as the status reports it. */
export interface ExitReport {
  code: number | null;
  signal: string | null;
  /** Seconds it ran. */
  seconds: number;
  /** ISO time of the exit. */
  at: string;
}

/** How a supervisor ended, as its state file records it. */
export interface EndRecord {
  /** ISO time. */
  at: string;
  /** Its exit code, or null when a signal ended it. */
  code: number | null;
  signal: string | null;
  /** Why, in the words of its last log line. */
  reason: string;
  /** The supervisor gave up by itself (its daemon is `errored`); absent from records of versions before it. */
  gaveUp?: boolean;
  /** Lines its log could not take (a full disk), oldest first. */
  unwritten: string[];
}

/** An instance's health, where health checks are set: the checks' verdict, and the last failure. */
export interface InstanceHealth {
  /** `starting` until a first check passes; `unhealthy` after `healthRetries` failures in a row. */
  state: 'starting' | 'healthy' | 'unhealthy';
  /** Failed checks in a row that counted (a starting worker's do not). */
  failures?: number;
  /** The last failed check: when (ISO time) and its answer. */
  lastFailure?: { at: string; reason: string };
}

/** One instance of a running daemon. */
export interface InstanceReport {
  instance: number;
  workerPid?: number;
  workerStartedAt?: string;
  ready: boolean;
  restarting: boolean;
  starts: number;
  restarts: number;
  reloads: number;
  errors: number;
  lastExit?: ExitReport;
  /** Its health, where health checks are set (absent otherwise). */
  health?: InstanceHealth;
  /** Several instances (Linux), from `status()`: what this instance's worker tree uses, read now. */
  usage?: DaemonUsage;
  /**
   * Several instances (Linux), in the supervisor's record only: the CPU time of this instance's
   * worker tree as it last sampled it, from which a client reads `usage` (`status()` leaves it out).
   */
  cpuSample?: CpuSample;
}

/** One instance as `status()` reports it (the same type: the name of earlier versions). */
export type InstanceStatusReport = InstanceReport;

/** What `status()` reports of a daemon. Times are ISO 8601 strings. */
export interface DaemonStatus {
  state: DaemonState;
  /** The absolute pid file. */
  pidFile: string;
  /**
   * The pid of the process that supervises it (running; for a hosted daemon its host's, which
   * `host` names too), or of the one that did (dead).
   */
  pid?: number;
  /** Hosted: the host that runs it (its pid file then names its instance 0's worker). */
  host?: HostRef;
  /** Instance 0's worker, while one runs. */
  workerPid?: number;
  /** When the supervisor started, and its current worker (instance 0's). */
  startedAt?: string;
  workerStartedAt?: string;
  /** Worker starts (Go's count), requested restarts, workers replaced by reloads, consecutive failures. */
  starts: number;
  restarts: number;
  reloads?: number;
  errors: number;
  maxCount: number;
  maxError: number;
  /** Whether every instance's worker has called `ready()` (or passed its first health check). */
  ready?: boolean;
  /**
   * With a health check: the daemon's health, the report of its worst instance (`unhealthy`
   * before `starting` before `healthy`).
   */
  health?: InstanceHealth;
  lastExit?: ExitReport;
  /** The command as run: the resolved executable, then its arguments. */
  command: string[];
  logFile: string;
  /** Every instance (absent from supervisors older than instances). */
  instances?: InstanceReport[];
  /** Whether a reload is under way. */
  reloading?: boolean;
  /** The sockets held for the workers. */
  listen?: { name: string; address: string }[];
  /** Running (Linux): CPU and memory of the worker's whole tree (several instances: of all their trees) and the supervisor's RSS, read now. */
  usage?: DaemonUsage;
  /** How the last supervisor ended, when it lived to record it (stopped, gave up, …). */
  ended?: EndRecord;
  /** Dead: processes of its workers that still run (Linux; `stop()` ends them). */
  leftovers?: number[];
  /** Running, but the supervisor did not answer in time (stopped with SIGSTOP, overloaded, …). */
  unresponsive?: true;
  /**
   * In the supervisor's record only (Linux): the CPU time of instance 0's worker tree as it last
   * sampled it, from which a client reads `usage` (`status()` leaves it out).
   */
  cpuSample?: CpuSample;
}

/**
 * What a running supervisor says of itself (its answer to `status`, its state file's `live`
 * record): a {@link DaemonStatus} with what it always knows made certain.
 */
export interface LiveStatus extends DaemonStatus {
  /** `running`, or `restarting` while a restart delay (or a requested restart) is under way. */
  state: 'running' | 'restarting';
  pid: number;
  startedAt: string;
  reloads: number;
  ready: boolean;
  instances: InstanceReport[];
  reloading: boolean;
  listen: { name: string; address: string }[];
}

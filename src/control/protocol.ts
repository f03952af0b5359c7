/**
 * The control protocol between a client (`status()`, `stop()`, `restart()`, the CLI) and a
 * supervisor: one JSON object per line over the control socket, a request and its answer. Every
 * request carries the daemon's key, which only who can read its state file knows: the socket
 * itself (abstract, on Linux) is reachable by any local user, the key is not.
 */

/** What a client can ask. */
export type ControlOp = 'status' | 'stop' | 'restart' | 'reload' | 'reopen';

/** A request. */
export interface ControlRequest {
  op: ControlOp;
  key: string;
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

/** What a running supervisor says of itself. */
export interface LiveStatus {
  /** `running`, or `restarting` while a restart delay (or a requested restart) is under way. */
  state: 'running' | 'restarting';
  pid: number;
  workerPid?: number;
  /** ISO times. */
  startedAt: string;
  workerStartedAt?: string;
  /** Worker starts (Go's count), requested restarts, workers replaced by reloads, consecutive failures. */
  starts: number;
  restarts: number;
  reloads?: number;
  errors: number;
  maxCount: number;
  maxError: number;
  /** Whether the running worker has called `ready()`. */
  ready: boolean;
  lastExit?: ExitReport;
  command: string[];
  logFile: string;
  /** Every instance (absent from supervisors older than instances). */
  instances?: InstanceReport[];
  /** Whether a reload is under way. */
  reloading?: boolean;
  /** The sockets held for the workers. */
  listen?: { name: string; address: string }[];
  /** The CPU time of the worker's tree as the supervisor last sampled it (Linux; see ../control/usage). */
  cpuSample?: CpuSample;
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
  /** With several instances: the CPU time of this instance's worker tree as the supervisor last sampled it (Linux). */
  cpuSample?: CpuSample;
}

/** What a reload did for one instance. */
export interface ReloadedInstance {
  instance: number;
  workerPid: number;
  oldPid: number | null;
  seconds: number;
}

/**
 * The cumulative CPU time of the worker's whole tree, sampled by the supervisor at an interval, so
 * that a client can tell the CPU use over a recent window from one reading of /proc of its own:
 * no supervisor is woken and no client waits for a second sample.
 */
export interface CpuSample {
  workerPid: number;
  /** The worker's start time (clock ticks after boot): with the pid, its identity. */
  starttime: number;
  /** The worker's tree token (`XDAEMON_TREE=…`), which its descendants carry. */
  token: string;
  /** The last two samples, oldest first: when (ms since the epoch) and the tree's clock ticks then. */
  samples: { at: number; ticks: number }[];
  /**
   * The tree's members at the last sample, `[pid, starttime]`: a client takes them as members
   * (those still alive as the same processes) besides what the process group and parent links
   * show, instead of reading every newer process's environment for the token.
   */
  members: [number, number][];
}

/** An answer. */
export type ControlResponse =
  | { ok: true; status?: LiveStatus; workerPid?: number | undefined; killTimeout?: number; reloaded?: ReloadedInstance[] }
  | { ok: false; error: string };

/** One message as one line. */
export function encodeMessage(message: ControlRequest | ControlResponse): string {
  return `${JSON.stringify(message)}\n`;
}

/** Longest line either side accepts (a status with a long command line fits easily). */
export const MAX_LINE = 1 << 20;

/**
 * The control protocol between a client (`status()`, `stop()`, `events()`, the CLI) and a
 * supervisor: one JSON object per line over the control socket, a request and its answer (and,
 * for a stream, records after it). The requests and answers are the operations table's rows
 * (./operations) put on the wire. Every request carries the daemon's key, which only who can read
 * its state file knows: the socket itself (abstract, on Linux) is reachable by any local user, the
 * key is not.
 */
import type { AnswerOf, OperationName, ParamsOf } from './operations.js';

/** A request of operation `N`. */
export type RequestOf<N extends OperationName> = { op: N; key: string; params?: ParamsOf<N> };

/** A request of any operation. */
export type ControlRequest = { [N in OperationName]: RequestOf<N> }[OperationName];

/** A refusal: the supervisor's error message, and its code when it had one (`EBUSY`, `ERELOAD`, …). */
export interface Refusal {
  ok: false;
  error: string;
  code?: string;
}

/** The answer to a request of `N` (any operation's by default). */
export type ControlResponse<N extends OperationName = OperationName> = ({ ok: true } & AnswerOf<N>) | Refusal;

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

/** One message as one line. */
export function encodeMessage(message: object): string {
  return `${JSON.stringify(message)}\n`;
}

/** Longest line either side accepts (a status with a long command line fits easily). */
export const MAX_LINE = 1 << 20;

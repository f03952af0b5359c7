/**
 * The operations of the control channel, each declared once, as a row: its name, what a request
 * carries, what the answer holds, what becomes of the connection after the answer, and how long a
 * client waits for that answer by default. The wire protocol's types (./protocol), the
 * supervisor's handlers (../daemon-process/control-server: a record with one handler per row, a
 * missing one is a type error), the client call (./operate) and the public wrappers (./api) are
 * derived from it. Adding an operation is a row here and its handler in
 * ../daemon-process/control-surface (and a wrapper in ./api when it is public).
 */
import type { LiveStatus } from './daemon-status.js';

/** What becomes of a request's connection once it is answered. */
export type AfterAnswer =
  /** Closed by the supervisor. */
  | 'close'
  /** Kept open until the supervisor exits: its close tells the client that the supervisor is gone. */
  | 'until-exit'
  /** Kept open for the records that follow the answer, one JSON line each, until either side ends it. */
  | 'stream';

/** One row: its runtime facts; the request's and the answer's types ride along as phantoms. */
export interface Operation<Params, Answer, After extends AfterAnswer = AfterAnswer> {
  readonly after: After;
  /** How long a client waits for the answer by default, ms (a public call's `timeout` default). */
  readonly timeout: number;
  /** Type only: what a request carries besides its name and key. */
  readonly params?: Params;
  /** Type only: what an answer holds besides `ok: true`. */
  readonly answer?: Answer;
}

/** A row whose connection closes after the answer. */
export function answered<Params, Answer>(timeout: number): Operation<Params, Answer, 'close'> {
  return { after: 'close', timeout };
}

/** A row whose connection stays open until the supervisor exits. */
function untilExit<Params, Answer>(timeout: number): Operation<Params, Answer, 'until-exit'> {
  return { after: 'until-exit', timeout };
}

/** A row whose connection carries records after the answer. */
function streamed<Params, Answer>(timeout: number): Operation<Params, Answer, 'stream'> {
  return { after: 'stream', timeout };
}

/** The request of an operation that takes nothing but its name. */
export type NoParams = Record<string, never>;

/** What a reload did for one instance. */
export interface ReloadedInstance {
  instance: number;
  workerPid: number;
  oldPid: number | null;
  seconds: number;
}

/** What a reload did. */
export interface ReloadResult {
  /** Per instance, in the order they were reloaded: its new worker, the old one, how long it took. */
  instances: ReloadedInstance[];
}

/** The table. */
export const OPERATIONS = {
  /** What the supervisor is doing now (a client reads the state file first: see ./status). */
  status: answered<NoParams, { status: LiveStatus }>(2000),
  /** Stop the workers' trees and exit; answered at once with the kill timeout, closed as the supervisor exits. */
  stop: untilExit<NoParams, { killTimeout: number }>(30_000),
  /** Restart the workers; answered once the new ones run (are ready, with waitReady). */
  restart: answered<NoParams, { workerPid: number }>(60_000),
  /** Replace the workers one by one, each old one stopped once its replacement is ready. */
  reload: answered<NoParams, ReloadResult>(120_000),
  /** Reopen the log files at their paths (what SIGHUP does). */
  reopen: answered<NoParams, NoParams>(5000),
  /**
   * Send a signal to every instance's worker (pm2's sendSignal): the supervisor knows its workers'
   * pids, so no pid read from a file is ever signalled. Answered with the pids signalled.
   */
  signal: answered<{ signal: string }, { pids: number[] }>(5000),
  /** Follow the supervisor's events: answered at once, then one record a line as each happens (./daemon-event). */
  events: streamed<NoParams, NoParams>(5000),
};

/** The name of an operation. */
export type OperationName = keyof typeof OPERATIONS;

/** What a request of row `R` (of any table) carries besides its name and key. */
export type RowParams<R> = R extends Operation<infer P, unknown, AfterAnswer> ? P : never;

/** What an answer to row `R` (of any table) holds besides `ok: true`. */
export type RowAnswer<R> = R extends Operation<unknown, infer A, AfterAnswer> ? A : never;

/** What a request of `N` carries besides its name and key. */
export type ParamsOf<N extends OperationName> = RowParams<(typeof OPERATIONS)[N]>;

/** What an answer to `N` holds besides `ok: true`. */
export type AnswerOf<N extends OperationName> = RowAnswer<(typeof OPERATIONS)[N]>;

/** The operations whose connection carries records after the answer. */
export type StreamOperation = { [N in OperationName]: (typeof OPERATIONS)[N]['after'] extends 'stream' ? N : never }[OperationName];

/** Whether `name` is an operation of the table (a request from the wire may name anything). */
export function isOperation(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(OPERATIONS, name);
}

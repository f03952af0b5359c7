/**
 * What an operation over named daemons reports: one result per name, a discriminated union on
 * `outcome`, so that every face (the CLI's lines, a JSON answer, a live view) shows the same facts
 * its own way. An operation over several names asks all of them at once; one that fails is a
 * `failed` result carrying its error, and the others go on.
 */
import { XDaemonError, errorCode, messageOf } from '../errors.js';
import type { DaemonState, ReloadResult } from './control-bundle.js';

/** A daemon started: its supervisor, its log, and its first worker when the start waited for one. */
export interface Started {
  name: string;
  outcome: 'started';
  /** The supervisor's pid. */
  pid: number;
  workerPid?: number | undefined;
  readySeconds?: number | undefined;
  log: string;
  /** Its state before: stopped (or never started), dead (cleaned up first), or running (stopped first, to start anew). */
  was: DaemonState;
  /** `changed`: it ran, but its command line or settings changed, which only a new start applies. */
  note?: 'changed' | undefined;
  /** It did not come up: a first worker exited before it was up, or the supervisor gave up (./wait-up). */
  down?: NotUp | undefined;
}

/** How a started daemon did not come up (its restart policy goes on: it may come up later). */
export interface NotUp {
  /** The first worker that exited before it was up: how, after how long. */
  exit?: { instance: number; pid: number | undefined; code: number | null; signal: string | null; seconds: number };
  /** The supervisor gave up (the daemon is errored). */
  gaveUp: boolean;
  /** No worker was up within the wait (30 s). */
  timedOut: boolean;
  /** The line of its log that says why, if one does. */
  cause?: string;
}

/** A daemon that runs already, left alone. */
export interface AlreadyRunning {
  name: string;
  outcome: 'already-running';
  pid?: number | undefined;
}

/** A running daemon with a new worker (the same supervisor). */
export interface Restarted {
  name: string;
  outcome: 'restarted';
  workerPid: number;
  /** `no-socket`: a reload was asked for, but its workers share no socket, so it was a restart. */
  note?: 'no-socket' | undefined;
}

/** A running daemon whose workers were replaced one by one. */
export interface Reloaded {
  name: string;
  outcome: 'reloaded';
  instances: ReloadResult['instances'];
}

/** A daemon stopped: it ran, or it was dead and what it left was cleaned up. */
export interface Stopped {
  name: string;
  outcome: 'stopped';
  was: Exclude<DaemonState, 'stopped' | 'errored'>;
}

/** A daemon that does not run (nothing to do). */
export interface NotRunning {
  name: string;
  outcome: 'not-running';
}

/** A name without a record (never started here, or deleted). */
export interface NotKnown {
  name: string;
  outcome: 'not-known';
}

/** A daemon forgotten (its record and pid file gone, its log kept), stopped first unless it was stopped. */
export interface Deleted {
  name: string;
  outcome: 'deleted';
  was: DaemonState;
}

/** A daemon's log files emptied. */
export interface Flushed {
  name: string;
  outcome: 'flushed';
  /** The files emptied (the log, and the file of stderr if it has one). */
  files: string[];
  /** Rotated copies deleted, when that was asked. */
  removed?: number | undefined;
  /** Its supervisor ran and reopened them. */
  reopened: boolean;
}

/** A signal sent to a running daemon's workers (by its supervisor). */
export interface Signalled {
  name: string;
  outcome: 'signalled';
  signal: string;
  /** The workers' pids it was sent to. */
  pids: number[];
}

/** A daemon's instance count changed in its record, and a running one started anew with it. */
export interface Scaled {
  name: string;
  outcome: 'scaled';
  from: number;
  to: number;
  /** It ran, and now runs with `to` instances under a new supervisor. */
  restarted: boolean;
}

/** An operation that failed for this name; `error` says why. */
export interface Failed {
  name: string;
  outcome: 'failed';
  error: XDaemonError;
}

/** What an operation did to one named daemon. */
export type DaemonResult = Started | AlreadyRunning | Restarted | Reloaded | Stopped | NotRunning | NotKnown | Deleted | Flushed | Signalled | Scaled | Failed;

/**
 * The failed result of `name`, its error's message naming the daemon: `name: …` put before it,
 * unless (`prefix: 'unless-named'`) the message already names it (`"web"` in it, or `web …` at its
 * start). The error keeps the thrown one's fields, and has it as its cause.
 */
export function failed(name: string, err: unknown, prefix: 'always' | 'unless-named' = 'unless-named'): Failed {
  const message = messageOf(err);
  const named = prefix === 'unless-named' && (message.includes(JSON.stringify(name)) || message.startsWith(`${name} `) || message.startsWith(`${name}:`));
  if (named && err instanceof XDaemonError) return { name, outcome: 'failed', error: err };
  const x = err instanceof XDaemonError ? err : undefined;
  const error = new XDaemonError(named ? message : `${name}: ${message}`, {
    code: x === undefined ? errorCode(err) : x.code,
    option: x?.option,
    reason: x?.reason,
    pid: x?.pid,
    instance: x?.instance,
    cause: err,
  });
  return { name, outcome: 'failed', error };
}

/** Runs `each` for every name at once; the results in the order of `names`, a throw as `failed`. */
export function eachName<R extends DaemonResult>(names: readonly string[], each: (name: string) => Promise<R>): Promise<(R | Failed)[]> {
  return Promise.all(
    names.map(async (name) => {
      try {
        return await each(name);
      } catch (err) {
        return failed(name, err);
      }
    }),
  );
}

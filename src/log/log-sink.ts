/**
 * Where a supervised worker's output and the supervisor's own lines go, in one of two modes:
 *
 * - direct (default, Go's): the worker's stdout and stderr are the log file's descriptor itself,
 *   opened afresh for every start: synchronous, nothing lost even if the supervisor dies;
 * - piped (`timestamps` or `maxSize`): the worker writes into pipes, the supervisor reads them and
 *   is the only writer of the file(s): whole lines, optional time prefixes, rotation by rename,
 *   a reopen that moves everything at once.
 *
 * Without a log file (`toStdio`), the same two modes write to this process's own stdout and stderr.
 */
import type { ChildProcess } from 'node:child_process';
import { DirectLog } from './direct-log.js';
import { isPiped } from './log-mode.js';
import { PipedLog } from './piped-log.js';

/** The stdio of a new worker's stdout and stderr, and what to release once it is spawned. */
export interface WorkerStdio {
  stdout: number | 'pipe' | 'ignore';
  stderr: number | 'pipe' | 'ignore';
  /** Variables the worker gets with them (direct mode: the paths, so that a Node worker follows its log). */
  env?: Record<string, string>;
  /** Closes what the supervisor does not keep (called right after the spawn, failed or not). */
  release(): void;
}

/** The supervisor's log, in either mode. */
export interface LogSink {
  /** Stdio for a new worker; throws an XDaemonError when the log cannot be opened (the start fails). */
  stdioForWorker(): WorkerStdio;
  /**
   * Reads a started worker's output (piped mode); resolves once both of its streams have ended.
   * `instance`: the worker's, for a log that labels its lines (`xdaemon run FILE`).
   */
  attach(child: ChildProcess, instance?: number): Promise<void>;
  /** Writes one supervisor line (`<ISO time> xdaemon[<pid>] <text>`). */
  line(text: string): void;
  /** Reopens the file(s) (SIGHUP); returns why it failed, if it did. */
  reopen(): string | undefined;
  /** Writes what waits now, if it can. */
  flush(): void;
  /** Lines not written (yet), oldest first. */
  unwritten(): string[];
  /** Closes the file(s) at exit. */
  close(): void;
}

/** What a log is made of. */
export interface LogSinkOptions {
  /** Absolute path, or '' to discard the worker's output and the lines. */
  logFile: string;
  /** Absolute path for the worker's stderr, or '' for the log file. */
  errFile: string;
  timestamps: boolean;
  maxSize: number;
  maxFiles: number;
  /** Also write every supervisor line (and log trouble) to stderr: a foreground supervisor. */
  echo: boolean;
  /**
   * No log file: the worker's output goes to this process's own stdout and stderr (`xdaemon run`
   * without `--log`): as they are in direct mode, through the supervisor (time-prefixed) with
   * `timestamps`. Rotation and an errFile cannot apply to a stream; the callers refuse them.
   */
  toStdio?: boolean;
}


/** The log the options ask for. */
export function createLogSink(options: LogSinkOptions): LogSink {
  return isPiped(options) ? new PipedLog(options) : new DirectLog(options);
}

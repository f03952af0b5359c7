/**
 * The log in direct mode (Go's): the file is opened afresh for every worker start, the worker gets
 * that descriptor as its stdout and stderr (stderr: the errFile's, when there is one), and the
 * supervisor's own timestamped lines go to the same, newest, descriptor. So a log moved away by an
 * external rotator is recreated at its path by the next start (or by SIGHUP), as in Go.
 *
 * Writing can fail (a full disk, a directory gone): a line that could not be written is kept
 * (up to {@link MAX_PENDING}) and written again with the next line or on a timer, in order; the
 * supervisor never dies of its log. In the foreground every line is also echoed to stderr, where
 * Go prints it and where journald and `docker logs` read. Without a log file (`toStdio`) the worker
 * writes to this process's own stdout and stderr.
 */
import { closeSync, fstatSync, writeSync } from 'node:fs';
import { messageOf } from '../errors.js';
import { ERR_FILE_ENV, LOG_FILE_ENV } from '../worker/log-follow.js';
import { openLogFile } from './log-file.js';
import type { LogSink, LogSinkOptions, WorkerStdio } from './log-sink.js';

/** Lines kept while the log cannot be written; older ones are dropped (and counted) beyond it. */
export const MAX_PENDING = 1000;
/** Milliseconds between retries of lines that could not be written. */
export const RETRY_MS = 1000;

/** The log file of direct mode and the supervisor's own lines. */
export class DirectLog implements LogSink {
  private fd: number | undefined;
  private readonly pending: string[] = [];
  private dropped = 0;
  private retry: NodeJS.Timeout | undefined;
  private readonly path: string;
  private readonly errFile: string;
  private readonly echo: boolean;
  private readonly toStdio: boolean;

  constructor(options: Pick<LogSinkOptions, 'logFile' | 'errFile' | 'echo' | 'toStdio'>) {
    this.path = options.logFile;
    this.errFile = options.errFile;
    this.echo = options.echo;
    this.toStdio = options.toStdio === true;
  }

  /**
   * Opens the file afresh for a worker start and makes it the file of the supervisor's lines; the
   * worker's stdout is that descriptor, its stderr too (or the errFile's, opened afresh as well).
   * Throws an XDaemonError naming the path and the cause when a file cannot be opened (the start
   * then fails, as in Go).
   */
  stdioForWorker(): WorkerStdio {
    if (this.toStdio) return { stdout: ifOpen(1), stderr: ifOpen(2), release: () => undefined };
    const errFd = this.errFile === '' ? undefined : openLogFile(this.errFile);
    let fd: number | undefined;
    try {
      fd = openLogFile(this.path);
    } catch (err) {
      if (errFd !== undefined) closeSync(errFd);
      throw err;
    }
    this.use(fd);
    const out = fd ?? 'ignore';
    return {
      stdout: out,
      stderr: errFd ?? out,
      env: fd === undefined ? {} : { [LOG_FILE_ENV]: this.path, ...(errFd === undefined ? {} : { [ERR_FILE_ENV]: this.errFile }) },
      release: () => {
        if (errFd !== undefined) closeSync(errFd);
      },
    };
  }

  /** Nothing to read in direct mode: the worker writes to the file itself. */
  attach(): Promise<void> {
    return Promise.resolve();
  }

  /** Reopens the file for the supervisor's lines (SIGHUP); returns the error message if it failed. */
  reopen(): string | undefined {
    try {
      this.use(openLogFile(this.path));
      return undefined;
    } catch (err) {
      return messageOf(err);
    }
  }

  /** Writes one timestamped line (`<ISO time> xdaemon[<pid>] <text>`). */
  line(text: string): void {
    const line = `${new Date().toISOString()} xdaemon[${process.pid}] ${text}\n`;
    if (this.echo) {
      try {
        writeSync(2, line);
      } catch {
        // A closed stderr is no reason to stop.
      }
    }
    if (this.path === '') return;
    this.pending.push(line);
    if (this.pending.length > MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
    this.flush();
  }

  /** Lines not written yet (with a note of dropped ones), oldest first. */
  unwritten(): string[] {
    const lost = this.dropped > 0 ? [`(${this.dropped} earlier lines were dropped: the log could not be written)\n`] : [];
    return [...lost, ...this.pending];
  }

  /** Tries to write the pending lines now, in order; keeps what fails and retries later. */
  flush(): void {
    if (this.fd === undefined && this.path !== '' && this.pending.length > 0) this.reopen();
    while (this.pending.length > 0 && this.fd !== undefined) {
      try {
        writeSync(this.fd, this.pending[0] as string);
      } catch {
        break;
      }
      this.pending.shift();
    }
    if (this.pending.length === 0) {
      clearTimeout(this.retry);
      this.retry = undefined;
    } else {
      this.retry ??= setTimeout(() => {
        this.retry = undefined;
        this.flush();
      }, RETRY_MS).unref();
    }
  }

  /** Closes the descriptor of the lines (at exit). */
  close(): void {
    clearTimeout(this.retry);
    this.use(undefined);
  }

  private use(fd: number | undefined): void {
    const old = this.fd;
    this.fd = fd;
    if (old !== undefined && old !== fd) {
      try {
        closeSync(old);
      } catch {
        // already closed
      }
    }
    if (fd !== undefined && this.pending.length > 0) this.flush();
  }
}

/** One of this process's own descriptors for a worker's, if it is open (otherwise discarded). */
function ifOpen(fd: number): number | 'ignore' {
  try {
    fstatSync(fd);
    return fd;
  } catch {
    return 'ignore';
  }
}

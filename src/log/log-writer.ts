/**
 * The only writer of one log file in piped mode: whole lines, in order, in batches (one
 * `writev` for up to 64 KB), rotated by rename before a line would take the file beyond maxSize,
 * reopened on request (SIGHUP) and when the file at its path is no longer the one it writes to
 * (moved or deleted by someone else). When the file cannot be written (a full disk, a directory
 * that is gone or unwritable) it reports once, keeps the lines (up to a bound), retries with
 * backoff, and after {@link BLOCK_LIMIT_MS} of trouble drops new lines (counted and reported)
 * rather than block the worker forever.
 */
import { closeSync, fstatSync, openSync, renameSync, rmSync, statSync, writevSync } from 'node:fs';
import { messageOf } from '../errors.js';
import { LOG_FILE_MODE } from './log-file.js';
import { needsRotation, rotationPlan } from './rotation.js';

/** Bytes queued beyond which the sources should pause (backpressure). */
export const HIGH_WATER = 1024 * 1024;
/** Bytes written by one call at most. */
const BATCH_BYTES = 64 * 1024;
/** Buffers one writev takes at most (IOV_MAX is 1024 on Linux). */
const BATCH_BUFFERS = 1024;
/** Retry delays while the file cannot be written: from the first to the last, doubling. */
const RETRY_FIRST_MS = 100;
const RETRY_LAST_MS = 5000;
/** How long sources may stay paused by trouble before new lines are dropped instead. */
export const BLOCK_LIMIT_MS = 3000;
/** How often the writer checks that the file at its path is still the one it writes to. */
const CHECK_PATH_MS = 1000;

/** What the writer reports to its owner. */
export interface LogWriterEvents {
  /** Writing started failing ('trouble') or works again ('recovered', with lines dropped meanwhile). */
  onTrouble?: (event: { kind: 'trouble'; message: string } | { kind: 'recovered'; dropped: number; message: string }) => void;
  /** The queue went below the high-water mark again: paused sources may resume. */
  onDrain?: () => void;
}

/** A log file with one writer. */
export class LogWriter {
  private fd: number | undefined;
  private inode = 0;
  private size = 0;
  /** Lines waiting; each entry is the buffers of one line (a prefix and the line, or just the line). */
  private readonly queue: Buffer[][] = [];
  private queued = 0;
  private dropped = 0;
  private troubleSince: number | undefined;
  private retryDelay = RETRY_FIRST_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private rotationBlockedUntil = 0;
  private lastPathCheck = 0;
  private paused = false;

  constructor(
    readonly path: string,
    private readonly maxSize: number,
    private readonly maxFiles: number,
    private readonly events: LogWriterEvents = {},
  ) {}

  /** Opens the file (creating it 0o640); throws when it cannot (the caller reports it). */
  open(): void {
    this.useFd(openSync(this.path, 'a', LOG_FILE_MODE));
  }

  /** Bytes waiting to be written. */
  get pending(): number {
    return this.queued;
  }

  /**
   * Queues lines (each given as its buffers) and writes what it can now. Returns false when the
   * caller should pause its sources until `onDrain`.
   */
  write(lines: Buffer[][]): boolean {
    if (this.troubleSince !== undefined && Date.now() - this.troubleSince > BLOCK_LIMIT_MS) {
      // Trouble for too long: never block the worker forever; count what is lost.
      this.dropped += lines.length;
      return true;
    }
    for (const line of lines) {
      this.queue.push(line);
      this.queued += byteLength(line);
    }
    if (this.troubleSince === undefined) this.drain();
    const full = this.queued > HIGH_WATER;
    if (full) this.paused = true;
    return !full;
  }

  /** Reopens the file at its path (SIGHUP); returns why it failed, if it did. */
  reopen(): string | undefined {
    const error = this.reopenFile();
    if (error === undefined && this.troubleSince === undefined) this.drain();
    return error;
  }

  /** Writes what is queued now, if it can (at exit). */
  flush(): void {
    if (this.troubleSince !== undefined) this.retry();
    else this.drain();
  }

  /** Closes the file; returns the lines still queued (for the exit record). */
  close(): string[] {
    clearTimeout(this.retryTimer);
    this.closeFd();
    return this.queue.map((line) => Buffer.concat(line).toString('utf8'));
  }

  /** Writes queued lines in batches until the queue is empty (true) or something fails (false). */
  private drain(): boolean {
    while (this.queue.length > 0) {
      if (this.fd === undefined || this.pathMoved()) {
        const error = this.reopenFile();
        if (error !== undefined) return this.fail(`cannot open ${this.path}: ${error}`);
      }
      const first = this.queue[0] as Buffer[];
      if (needsRotation(this.size, byteLength(first), this.maxSize) && Date.now() >= this.rotationBlockedUntil) {
        this.rotate();
        continue;
      }
      const { buffers, lines } = this.batch();
      let written: number;
      try {
        written = writevSync(this.fd as number, buffers);
      } catch (err) {
        this.closeFd();
        return this.fail(`cannot write ${this.path}: ${messageOf(err)}`);
      }
      this.size += written;
      this.consume(written, lines);
    }
    if (this.paused && this.queued <= HIGH_WATER / 2) {
      this.paused = false;
      this.events.onDrain?.();
    }
    return true;
  }

  /** The next batch: whole lines, up to the batch size, none that would need a rotation first. */
  private batch(): { buffers: Buffer[]; lines: number } {
    const buffers: Buffer[] = [];
    let bytes = 0;
    let lines = 0;
    for (const line of this.queue) {
      const length = byteLength(line);
      if (lines > 0 && (bytes + length > BATCH_BYTES || buffers.length + line.length > BATCH_BUFFERS)) break;
      if (lines > 0 && needsRotation(this.size + bytes, length, this.maxSize) && Date.now() >= this.rotationBlockedUntil) break;
      buffers.push(...line);
      bytes += length;
      lines++;
    }
    return { buffers, lines };
  }

  /** Removes `written` bytes from the front of the queue (a short write keeps the rest of a line). */
  private consume(written: number, lines: number): void {
    let left = written;
    for (let i = 0; i < lines && left > 0; i++) {
      const line = this.queue[0] as Buffer[];
      const length = byteLength(line);
      if (length <= left) {
        this.queue.shift();
        this.queued -= length;
        left -= length;
        continue;
      }
      // A short write in the middle of a line: keep its unwritten end at the front.
      this.queue[0] = [Buffer.concat(line).subarray(left)];
      this.queued -= left;
      left = 0;
    }
  }

  /** Rotates by rename; if that fails, reports it and goes on writing to the current file for a while. */
  private rotate(): void {
    try {
      for (const step of rotationPlan(this.path, this.maxFiles)) {
        try {
          if (step.op === 'delete') rmSync(step.path, { force: true });
          else renameSync(step.from, step.to);
        } catch (err) {
          // A missing older backup is normal; trouble with the current file is not.
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || (step.op === 'rename' && step.from === this.path)) throw err;
        }
      }
      const error = this.reopenFile();
      if (error !== undefined) throw new Error(error);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        // The file (or its directory) is gone: do not write on into a deleted file; reopen instead.
        this.lastPathCheck = 0;
        return;
      }
      this.rotationBlockedUntil = Date.now() + RETRY_LAST_MS;
      this.events.onTrouble?.({
        kind: 'trouble',
        message: `cannot rotate ${this.path} (${messageOf(err)}); writing on to it, retrying in ${RETRY_LAST_MS / 1000} s`,
      });
    }
  }

  /** Opens the file at its path anew (the old descriptor is closed once the new one is open). */
  private reopenFile(): string | undefined {
    let fd: number;
    try {
      fd = openSync(this.path, 'a', LOG_FILE_MODE);
    } catch (err) {
      return messageOf(err);
    }
    this.closeFd();
    this.useFd(fd);
    return undefined;
  }

  /** True when the path no longer leads to the file being written (checked at most once a second). */
  private pathMoved(): boolean {
    const now = Date.now();
    if (now - this.lastPathCheck < CHECK_PATH_MS) return false;
    this.lastPathCheck = now;
    try {
      return statSync(this.path).ino !== this.inode;
    } catch {
      return true;
    }
  }

  /** Enters (or stays in) trouble: reports once per episode, retries with backoff. Returns false. */
  private fail(message: string): false {
    if (this.troubleSince === undefined) {
      this.troubleSince = Date.now();
      this.retryDelay = RETRY_FIRST_MS;
      this.events.onTrouble?.({ kind: 'trouble', message: `${message}; keeping lines and retrying` });
      // Paused sources may resume once the block limit is reached (new lines are dropped from then on).
      setTimeout(() => this.events.onDrain?.(), BLOCK_LIMIT_MS + 10).unref();
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.retry(), this.retryDelay);
    this.retryTimer.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_LAST_MS);
    return false;
  }

  /** Tries again; on success leaves trouble and reports what was dropped meanwhile. */
  private retry(): void {
    this.lastPathCheck = 0;
    if (!this.drain()) return;
    this.troubleSince = undefined;
    const dropped = this.dropped;
    this.dropped = 0;
    this.events.onTrouble?.({
      kind: 'recovered',
      dropped,
      message: `${this.path} is writable again${dropped > 0 ? `; ${dropped} lines were dropped meanwhile` : ''}`,
    });
  }

  private useFd(fd: number): void {
    const stat = fstatSync(fd);
    this.fd = fd;
    this.inode = stat.ino;
    this.size = stat.size;
    this.lastPathCheck = Date.now();
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }
}

function byteLength(line: Buffer[]): number {
  let n = 0;
  for (const part of line) n += part.length;
  return n;
}

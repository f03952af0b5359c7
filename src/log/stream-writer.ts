/**
 * The writer of piped mode when there is no log file: the worker's lines (time-prefixed) go to
 * this process's own stdout or stderr (`xdaemon run --timestamps` without `--log`, under docker or
 * systemd, whose log collectors read them there). Nothing to rotate or reopen: a stream is not a
 * file. A descriptor that is non-blocking and full keeps the rest and pauses the worker's pipes
 * until it drains; one that is closed (nobody reads any more) discards, as a closed terminal does.
 */
import { fstatSync, writeSync } from 'node:fs';
import type { LogWriterEvents } from './log-writer.js';

/** Milliseconds between tries while a non-blocking descriptor is full. */
const RETRY_MS = 10;
/** Bytes queued beyond which the sources should pause. */
const HIGH_WATER = 1024 * 1024;

/** One of this process's own output streams, as the writer of a piped-mode channel. */
export class StreamWriter {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private paused = false;

  /** @param path What to call it in messages (`stdout`, `stderr`). */
  constructor(
    private readonly fd: number,
    readonly path: string,
    private readonly events: Pick<LogWriterEvents, 'onDrain'> = {},
  ) {}

  /** Checks that the descriptor is open; a closed one discards what it gets. */
  open(): void {
    try {
      fstatSync(this.fd);
    } catch {
      this.closed = true;
    }
  }

  /** Queues `block` (whole lines) and writes what it can now; false: pause until `onDrain`. */
  write(block: Buffer): boolean {
    if (this.closed) return true;
    this.queue.push(block);
    this.queued += block.length;
    this.drain();
    if (this.queued > HIGH_WATER) this.paused = true;
    return !this.paused;
  }

  /** A stream has no path to reopen. */
  reopen(): string | undefined {
    return undefined;
  }

  flush(): void {
    this.drain();
  }

  /** Returns the lines it could not write. */
  close(): string[] {
    clearTimeout(this.retry);
    return this.queue.map((block) => block.toString('utf8'));
  }

  private drain(): void {
    while (this.queue.length > 0 && !this.closed) {
      const block = this.queue[0] as Buffer;
      let written: number;
      try {
        written = writeSync(this.fd, block);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          this.retry ??= setTimeout(() => {
            this.retry = undefined;
            this.drain();
          }, RETRY_MS);
          return;
        }
        // EPIPE, EBADF: nobody reads any more.
        this.closed = true;
        break;
      }
      this.queued -= written;
      if (written === block.length) this.queue.shift();
      else this.queue[0] = block.subarray(written);
    }
    if (this.closed) {
      this.queue.length = 0;
      this.queued = 0;
    }
    if (this.paused && this.queued <= HIGH_WATER / 2) {
      this.paused = false;
      this.events.onDrain?.();
    }
  }
}

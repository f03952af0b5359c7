/**
 * When the supervisor rewrites its state file. The file follows the loop (status() and `xdaemon
 * list` read it without waking the supervisor), and a rewrite is a file written and renamed over
 * the old one: 4.3 ms of wall time a worker start in a crash loop of 4 instances (23 % of the
 * supervisor's time, second only to the spawn). So the rewrites are coalesced: a change is written
 * at once after a quiet while, as before, but within {@link STATE_WRITE_MS} of the last write it
 * waits for the end of that while, with whatever else changed meanwhile (a crash loop writes ten
 * times a second, not once per start). What a client is told must never be newer than the file: a
 * control answer or a handshake message is preceded by a {@link StateWrites.flush}.
 */

/** The least time between two rewrites while changes come fast, ms. */
export const STATE_WRITE_MS = 100;

/** Monotonic milliseconds. */
const clock = (): number => Number(process.hrtime.bigint()) / 1e6;

/** The state file's rewrites of one supervisor. */
export class StateWrites {
  /** When the last rewrite was made (monotonic ms). */
  private lastAt = -Infinity;
  /** A rewrite that waits (for the end of the while, or the loop's next turn). */
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;

  /** `write` rewrites the file with the status now. */
  constructor(private readonly write: () => void) {}

  /** The status changed: written now, or, within {@link STATE_WRITE_MS} of the last write, once that while is over. */
  changed(): void {
    if (this.closed || this.timer !== undefined) return;
    const wait = this.lastAt + STATE_WRITE_MS - clock();
    if (wait <= 0) {
      this.flushNow();
      return;
    }
    clearImmediate(this.immediate);
    this.immediate = undefined;
    this.timer = setTimeout(() => this.flushNow(), wait);
    this.timer.unref();
  }

  /**
   * The status changed in a way that can wait for the loop's next turn: a worker's exit, which the
   * next worker's start writes anyway, off the way from the exit to that start.
   */
  changedSoon(): void {
    if (this.closed || this.timer !== undefined || this.immediate !== undefined) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.changed();
    });
  }

  /** Writes at once what waits, if anything does (before a client is told something). */
  flush(): void {
    if (this.timer !== undefined || this.immediate !== undefined) this.flushNow();
  }

  /** No more rewrites (the last record is written apart). */
  close(): void {
    this.cancel();
    this.closed = true;
  }

  private flushNow(): void {
    this.cancel();
    if (this.closed) return;
    this.lastAt = clock();
    this.write();
  }

  private cancel(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}

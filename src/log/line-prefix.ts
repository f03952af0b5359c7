/**
 * The prefix of a worker's line in piped mode with `timestamps`: the ISO 8601 UTC time of its
 * arrival, in the form of the supervisor's own lines, and the stream it came from:
 * `2026-11-22T15:04:05.123Z out ` or `… err `. The time's text is made once per millisecond,
 * not once per line (a worker writes many thousands of lines a second).
 */

/** The streams of a worker. */
export type StreamName = 'out' | 'err';

/** Makes prefixes, caching the time's text for the current millisecond. */
export class LinePrefixer {
  private ms = -1;
  private out = Buffer.alloc(0);
  private err = Buffer.alloc(0);

  /** The prefix for a line of `stream` arriving at `now` (Date.now()). */
  prefix(stream: StreamName, now: number = Date.now()): Buffer {
    if (now !== this.ms) {
      this.ms = now;
      const time = new Date(now).toISOString();
      this.out = Buffer.from(`${time} out `);
      this.err = Buffer.from(`${time} err `);
    }
    return stream === 'out' ? this.out : this.err;
  }
}

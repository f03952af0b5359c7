/**
 * Cutting a byte stream into whole lines, for piped mode: chunks from a pipe end anywhere, and a
 * line must be written whole (never split between two files, never interleaved with the other
 * stream). A line longer than {@link MAX_LINE} bytes is cut into pieces: each piece but the last
 * ends with {@link CUT_MARKER}, each but the first begins with {@link CONTINUED_MARKER}, so that one
 * runaway line cannot hold the supervisor's memory and the cut is visible.
 */

/** Longest line written as one (bytes, without the newline and markers). */
export const MAX_LINE = 64 * 1024;

/** Ends a piece of a line that was cut. */
export const CUT_MARKER = Buffer.from(' [...]');
/** Begins the piece that continues a cut line. */
export const CONTINUED_MARKER = Buffer.from('[...] ');

const NEWLINE = 0x0a;
const NEWLINE_BUFFER = Buffer.from('\n');

/** Feeds chunks in, takes whole lines (each ending in a newline) out. */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Whether the pending line continues a line that was cut. */
  private continued = false;

  constructor(private readonly maxLine: number = MAX_LINE) {}

  /** The lines `chunk` completes (with what was pending before), each ending with '\n'. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE, start); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      if (this.pendingLength === 0 && !this.continued && end - start <= this.maxLine) {
        // The common case: a whole line inside one chunk.
        lines.push(chunk.subarray(start, end + 1));
      } else {
        this.append(chunk.subarray(start, end), lines);
        this.complete(lines);
      }
      start = end + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start), lines);
    return lines;
  }

  /** The last line, if it has no newline yet, completed with one (at the end of the stream). */
  flush(): Buffer[] {
    const lines: Buffer[] = [];
    if (this.pendingLength > 0) this.complete(lines);
    return lines;
  }

  /** Adds bytes without a newline to the pending line, cutting off pieces beyond the maximum. */
  private append(bytes: Buffer, lines: Buffer[]): void {
    let rest = bytes;
    while (this.pendingLength + rest.length > this.maxLine) {
      const room = cutPoint(rest, this.maxLine - this.pendingLength);
      if (room > 0) this.add(rest.subarray(0, room));
      rest = rest.subarray(room);
      lines.push(this.take([CUT_MARKER, NEWLINE_BUFFER]));
      this.continued = true;
    }
    if (rest.length > 0) this.add(rest);
  }

  /** Emits the pending line, ended with a newline. */
  private complete(lines: Buffer[]): void {
    if (this.pendingLength === 0 && this.continued) {
      // A cut fell exactly at the end of the line: nothing is left to continue.
      this.continued = false;
      return;
    }
    lines.push(this.take([NEWLINE_BUFFER]));
    this.continued = false;
  }

  private add(bytes: Buffer): void {
    this.pending.push(bytes);
    this.pendingLength += bytes.length;
  }

  /** The pending line (with its continuation marker) followed by `tail`; clears it. */
  private take(tail: Buffer[]): Buffer {
    const line = Buffer.concat([...(this.continued ? [CONTINUED_MARKER] : []), ...this.pending, ...tail]);
    this.pending = [];
    this.pendingLength = 0;
    return line;
  }
}

/** How many bytes of `bytes` fit in `room` without cutting a UTF-8 character in two. */
function cutPoint(bytes: Buffer, room: number): number {
  if (room <= 0) return 0;
  let at = Math.min(room, bytes.length);
  // Step back over continuation bytes (10xxxxxx) so that the cut falls before a character's start.
  while (at > 0 && at < bytes.length && ((bytes[at] as number) & 0xc0) === 0x80) at--;
  return at;
}

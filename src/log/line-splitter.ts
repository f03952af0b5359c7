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

/** Receives one complete line: `buffer` bytes from `start` to `end` (exclusive), ending in '\n'. */
export type LineVisitor = (buffer: Buffer, start: number, end: number) => void;

/** Feeds chunks in, takes whole lines (each ending in a newline) out. */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Whether the pending line continues a line that was cut. */
  private continued = false;

  constructor(private readonly maxLine: number = MAX_LINE) {}

  /** Bytes of an incomplete line waiting for its end. */
  get waiting(): number {
    return this.pendingLength;
  }

  /** The lines `chunk` completes (with what was pending before), each ending with '\n'. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    this.visit(chunk, (buffer, start, end) => lines.push(buffer.subarray(start, end)));
    return lines;
  }

  /**
   * Calls `visit` for every line `chunk` completes, in order, without copying a line that lies
   * inside the chunk (the common case); only a line that spans chunks or is cut is assembled.
   */
  visit(chunk: Buffer, visit: LineVisitor): void {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE, start); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      if (this.pendingLength === 0 && !this.continued && end - start <= this.maxLine) {
        visit(chunk, start, end + 1);
      } else {
        this.append(chunk.subarray(start, end), visit);
        this.complete(visit);
      }
      start = end + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start), visit);
  }

  /** The last line, if it has no newline yet, completed with one (at the end of the stream). */
  flush(visit?: LineVisitor): Buffer[] {
    const lines: Buffer[] = [];
    const to: LineVisitor = visit ?? ((buffer, start, end) => lines.push(buffer.subarray(start, end)));
    if (this.pendingLength > 0) this.complete(to);
    return lines;
  }

  /** Adds bytes without a newline to the pending line, cutting off pieces beyond the maximum. */
  private append(bytes: Buffer, visit: LineVisitor): void {
    let rest = bytes;
    while (this.pendingLength + rest.length > this.maxLine) {
      const room = cutPoint(rest, this.maxLine - this.pendingLength);
      if (room > 0) this.add(rest.subarray(0, room));
      rest = rest.subarray(room);
      emit(this.take([CUT_MARKER, NEWLINE_BUFFER]), visit);
      this.continued = true;
    }
    // Kept as a copy: a view would pin the whole chunk it came from.
    if (rest.length > 0) this.add(Buffer.from(rest));
  }

  /** Emits the pending line, ended with a newline. */
  private complete(visit: LineVisitor): void {
    if (this.pendingLength === 0 && this.continued) {
      // A cut fell exactly at the end of the line: nothing is left to continue.
      this.continued = false;
      return;
    }
    emit(this.take([NEWLINE_BUFFER]), visit);
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

function emit(line: Buffer, visit: LineVisitor): void {
  visit(line, 0, line.length);
}

/** How many bytes of `bytes` fit in `room` without cutting a UTF-8 character in two. */
function cutPoint(bytes: Buffer, room: number): number {
  if (room <= 0) return 0;
  let at = Math.min(room, bytes.length);
  // Step back over continuation bytes (10xxxxxx) so that the cut falls before a character's start.
  while (at > 0 && at < bytes.length && ((bytes[at] as number) & 0xc0) === 0x80) at--;
  return at;
}

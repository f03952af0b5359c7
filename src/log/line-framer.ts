/**
 * Framing a chunk of a worker's output for the log in piped mode: its complete lines (see
 * ./line-splitter), each with the time prefix when there is one, copied into one buffer. One
 * buffer a chunk (not an object a line) keeps the supervisor's work and garbage low when a worker
 * writes many thousands of lines a second; lines that lie inside a chunk are never copied twice.
 */
import { CONTINUED_MARKER, CUT_MARKER, LineSplitter, MAX_LINE } from './line-splitter.js';

const NEWLINE = 0x0a;
/** What a cut adds to a line at most: the two markers and a newline. */
const CUT_OVERHEAD = CUT_MARKER.length + CONTINUED_MARKER.length + 1;

/** Turns chunks into blocks of whole, prefixed lines. */
export class LineFramer {
  private readonly splitter: LineSplitter;

  /** @param prefix - Gives the prefix of the lines of one chunk (they arrived at the same time), or undefined for none. */
  constructor(
    private readonly prefix: (() => Buffer) | undefined,
    private readonly maxLine: number = MAX_LINE,
  ) {
    this.splitter = new LineSplitter(maxLine);
  }

  /** The complete lines of `chunk` (with what was pending), framed; undefined when none is complete. */
  frame(chunk: Buffer): Buffer | undefined {
    let newlines = 0;
    for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) newlines++;
    if (newlines === 0 && this.splitter.waiting + chunk.length <= this.maxLine) {
      this.splitter.visit(chunk, noLine);
      return undefined;
    }
    return this.collect(chunk.length, newlines, (visit) => this.splitter.visit(chunk, visit));
  }

  /** A last line without its newline (at the end of the stream), framed. */
  flush(): Buffer | undefined {
    return this.collect(1, 1, (visit) => this.splitter.flush(visit));
  }

  /**
   * Runs `lines` and copies every line it visits, prefixed, into one buffer big enough for
   * what is pending plus `bytes` new bytes holding `newlines` line ends (and any cuts).
   */
  private collect(bytes: number, newlines: number, lines: (visit: (buffer: Buffer, start: number, end: number) => void) => void): Buffer | undefined {
    const prefix = this.prefix?.();
    const p = prefix?.length ?? 0;
    const length = this.splitter.waiting + bytes;
    const cuts = Math.ceil(length / this.maxLine) + 1;
    const out = Buffer.allocUnsafe(length + (newlines + cuts) * p + cuts * CUT_OVERHEAD);
    let at = 0;
    lines((buffer, start, end) => {
      if (prefix !== undefined) at += prefix.copy(out, at);
      at += buffer.copy(out, at, start, end);
    });
    return at === 0 ? undefined : out.subarray(0, at);
  }
}

function noLine(): void {
  throw new Error('a chunk without a newline completed a line');
}

/**
 * The stdout and stderr of `xdaemon run FILE`, shared by the logs of every app it runs: a
 * container's log is this one pair of streams, so each app's lines are labelled (./line-format)
 * and written whole, one writer per stream for all apps, so that lines of two apps never mix. A
 * stream that falls behind (a full non-blocking pipe) pauses the reading of every app's output
 * until it drains, as a log file's writer does (./stream-writer).
 */
import type { Readable } from 'node:stream';
import { type AppLine, type LineLabels, formatLine } from './line-format.js';
import { StreamWriter } from './stream-writer.js';

/** The two streams, and the apps' output pipes being read into them. */
export class ConsoleLines {
  private readonly out: StreamWriter;
  private readonly err: StreamWriter;
  private readonly sources = new Set<Readable>();
  private paused = false;

  constructor(readonly labels: LineLabels) {
    const events = { onDrain: () => this.resume() };
    this.out = new StreamWriter(1, 'stdout', events);
    this.err = new StreamWriter(2, 'stderr', events);
    this.out.open();
    this.err.open();
  }

  /** Writes `lines` (of one stream: stdout for a worker's stdout, stderr for the rest). */
  write(lines: readonly AppLine[]): void {
    const [first] = lines;
    if (first === undefined) return;
    const writer = first.stream === 'out' ? this.out : this.err;
    const text = lines.map((line) => formatLine(line, this.labels)).join('');
    if (!writer.write(Buffer.from(text))) this.pause();
  }

  /** Writes `block`, whole lines already formatted, to stdout (`out`) or stderr. */
  writeBlock(stream: 'out' | 'err', block: Buffer): void {
    if (!(stream === 'out' ? this.out : this.err).write(block)) this.pause();
  }

  /** Reads of `source` are paused while a stream is behind. */
  follow(source: Readable): void {
    this.sources.add(source);
    if (this.paused) source.pause();
  }

  /** `source` has ended. */
  forget(source: Readable): void {
    this.sources.delete(source);
  }

  /** Writes what waits, if it can. */
  flush(): void {
    this.out.flush();
    this.err.flush();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    for (const source of this.sources) source.pause();
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const source of this.sources) source.resume();
  }
}

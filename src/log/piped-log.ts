/**
 * The log in piped mode: each worker writes its stdout and stderr into pipes, the supervisor reads
 * them, cuts them into whole lines (so the two streams never interleave inside a line), prefixes
 * them with the time when `timestamps` is set, and is the only writer of the log file (and of the
 * errFile): rotation by rename, reopen on SIGHUP. A writer that falls behind pauses the pipes, so a
 * worker that writes faster than the disk is slowed, not buffered without bound.
 */
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { writeSync } from 'node:fs';
import { XDaemonError, messageOf } from '../errors.js';
import { tracer } from '../trace.js';
import { type StreamName, LinePrefixer } from './line-prefix.js';
import { LineSplitter } from './line-splitter.js';
import type { LogSink, LogSinkOptions, WorkerStdio } from './log-sink.js';
import { LogWriter } from './log-writer.js';

const trace = tracer('log');

/** The log of piped mode. */
export class PipedLog implements LogSink {
  private readonly log: LogWriter;
  private readonly err: LogWriter;
  private readonly prefixer = new LinePrefixer();
  /** Streams being read (of the current worker and any that still hold its pipes), to pause and resume. */
  private readonly sources = new Set<Readable>();
  private paused = false;

  /** @throws XDaemonError when the log file (or errFile) cannot be opened. */
  constructor(private readonly options: LogSinkOptions) {
    const events = { onTrouble: (e: { message: string; kind: string }) => this.trouble(e), onDrain: () => this.resume() };
    this.log = new LogWriter(options.logFile, options.maxSize, options.maxFiles, events);
    this.err = options.errFile === '' ? this.log : new LogWriter(options.errFile, options.maxSize, options.maxFiles, events);
    for (const writer of new Set([this.log, this.err])) {
      try {
        writer.open();
      } catch (err) {
        throw new XDaemonError(`cannot open log file ${JSON.stringify(writer.path)}: ${messageOf(err)}`, { cause: err });
      }
    }
  }

  /** The worker writes into pipes. */
  stdioForWorker(): WorkerStdio {
    return { stdout: 'pipe', stderr: 'pipe', release: () => undefined };
  }

  /** Reads the worker's pipes into the log; resolves once both have ended. */
  attach(child: ChildProcess): Promise<void> {
    const streams: [Readable | null, StreamName, LogWriter][] = [
      [child.stdout, 'out', this.log],
      [child.stderr, 'err', this.err],
    ];
    return Promise.all(streams.map(([stream, name, writer]) => (stream === null ? undefined : this.read(stream, name, writer)))).then(() => undefined);
  }

  line(text: string): void {
    const line = `${new Date().toISOString()} xdaemon[${process.pid}] ${text}\n`;
    if (this.options.echo) echo(line);
    this.log.write([[Buffer.from(line)]]);
  }

  reopen(): string | undefined {
    const errors = [...new Set([this.log, this.err])].map((w) => w.reopen()).filter((e): e is string => e !== undefined);
    return errors.length === 0 ? undefined : errors.join('; ');
  }

  flush(): void {
    for (const writer of new Set([this.log, this.err])) writer.flush();
  }

  unwritten(): string[] {
    return [];
  }

  close(): void {
    for (const writer of new Set([this.log, this.err])) writer.close();
  }

  /** Reads one stream line by line into `writer`; resolves at its end. */
  private read(stream: Readable, name: StreamName, writer: LogWriter): Promise<void> {
    const splitter = new LineSplitter();
    const timestamps = this.options.timestamps;
    const put = (lines: Buffer[]): void => {
      if (lines.length === 0) return;
      const prefix = timestamps ? this.prefixer.prefix(name) : undefined;
      const framed = lines.map((line) => (prefix === undefined ? [line] : [prefix, line]));
      if (!writer.write(framed)) this.pause();
    };
    this.sources.add(stream);
    if (this.paused) stream.pause();
    return new Promise((resolve) => {
      stream.on('data', (chunk: Buffer) => put(splitter.push(chunk)));
      stream.on('error', (err) => trace('reading the worker %s failed: %O', name, err));
      stream.once('close', () => {
        put(splitter.flush());
        this.sources.delete(stream);
        resolve();
      });
    });
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    trace('log writer behind: pausing %d stream(s)', this.sources.size);
    for (const s of this.sources) s.pause();
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    for (const s of this.sources) s.resume();
  }

  /** Trouble with a file: said on stderr (where a foreground supervisor's lines go) and traced; recovery goes into the log. */
  private trouble(event: { message: string; kind: string }): void {
    trace('%s: %s', event.kind, event.message);
    if (event.kind === 'trouble') echo(`${new Date().toISOString()} xdaemon[${process.pid}] log: ${event.message}\n`);
    else this.line(`log: ${event.message}`);
  }
}

function echo(line: string): void {
  try {
    writeSync(2, line);
  } catch {
    // A closed stderr is no reason to stop.
  }
}

/**
 * The log of an app that `xdaemon run FILE` runs: nothing is written to a file unless the app
 * asks for one. Without a log file its workers write into pipes of their own (one per worker, so
 * that each line is known by its instance), which are read, cut into whole lines (./line-splitter)
 * and written labelled to run's stdout and stderr (./console-lines), with the supervisor's own
 * lines about the app; with a log file the app's log is the usual one (./log-sink), and only the
 * supervisor's lines are also shown, labelled, on run's stderr.
 */
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { ConsoleLines } from './console-lines.js';
import { type AppLine, textPrefix } from './line-format.js';
import { LineFramer } from './line-framer.js';
import { LineSplitter } from './line-splitter.js';
import { type LogSink, type LogSinkOptions, type WorkerStdio, createLogSink } from './log-sink.js';

/** The log of app `app`, by its options: on run's streams, or its own file and a copy of the supervisor's lines. */
export function consoleLogSink(app: string, options: LogSinkOptions, console: ConsoleLines): LogSink {
  if (options.logFile === '') return new ConsoleLog(app, console);
  const own = createLogSink({ ...options, echo: false, toStdio: false });
  const line = (text: string): void => {
    own.line(text);
    console.write([supervisorLine(app, text)]);
  };
  return { ...bound(own), line };
}

/** The methods of `sink`, bound to it (a copy with one of them replaced must still call the others on it). */
function bound(sink: LogSink): LogSink {
  return {
    stdioForWorker: () => sink.stdioForWorker(),
    attach: (child, instance) => sink.attach(child, instance),
    line: (text) => sink.line(text),
    reopen: () => sink.reopen(),
    flush: () => sink.flush(),
    unwritten: () => sink.unwritten(),
    close: () => sink.close(),
  };
}

/** A supervisor's line about `app`. */
function supervisorLine(app: string, text: string): AppLine {
  return { app, instance: null, stream: 'xdaemon', line: `xdaemon[${process.pid}] ${text}`, time: Date.now() };
}

/** An app's workers and supervisor lines, on run's own stdout and stderr. */
class ConsoleLog implements LogSink {
  /** The workers' pipes being read. */
  private readonly readers = new Set<Readable>();

  constructor(
    private readonly app: string,
    private readonly console: ConsoleLines,
  ) {}

  stdioForWorker(): WorkerStdio {
    return { stdout: 'pipe', stderr: 'pipe', release: () => undefined };
  }

  /** Reads the worker's pipes; resolves once both have ended (all it wrote is shown). */
  attach(child: ChildProcess, instance = 0): Promise<void> {
    return Promise.all([this.read(child.stdout, 'out', instance), this.read(child.stderr, 'err', instance)]).then(() => undefined);
  }

  line(text: string): void {
    this.console.write([supervisorLine(this.app, text)]);
  }

  reopen(): string | undefined {
    return undefined;
  }

  flush(): void {
    this.console.flush();
  }

  unwritten(): string[] {
    return [];
  }

  close(): void {
    for (const reader of this.readers) reader.destroy();
  }

  private read(stream: Readable | null, name: 'out' | 'err', instance: number): Promise<void> {
    if (stream === null) return Promise.resolve();
    const { push, flush } = this.console.labels.format === 'text' ? this.prefixed(name, instance) : this.objects(name, instance);
    this.readers.add(stream);
    this.console.follow(stream);
    return new Promise((resolve) => {
      stream.on('data', push);
      // A pipe that fails is read no more; its end is what matters.
      stream.on('error', () => undefined);
      stream.once('close', () => {
        flush();
        this.readers.delete(stream);
        this.console.forget(stream);
        resolve();
      });
    });
  }

  /**
   * Text: each chunk's whole lines copied once into one block after their prefix (../log/
   * line-framer), as piped mode frames a log file's lines: no object or string per line.
   */
  private prefixed(name: 'out' | 'err', instance: number): Framing {
    const { labels } = this.console;
    let at = -1;
    let prefix = Buffer.alloc(0);
    // The prefix changes only with the time it shows, if it shows one: made once per millisecond.
    const prefixNow = (): Buffer => {
      const now = labels.timestamps(this.app) ? Date.now() : 0;
      if (now !== at) {
        at = now;
        prefix = Buffer.from(textPrefix({ app: this.app, instance, stream: name, time: now }, labels));
      }
      return prefix;
    };
    const framer = new LineFramer(prefixNow);
    const put = (block: Buffer | undefined): void => {
      if (block !== undefined) this.console.writeBlock(name, block);
    };
    return { push: (chunk) => put(framer.frame(chunk)), flush: () => put(framer.flush()) };
  }

  /** JSON: an object per line. */
  private objects(name: 'out' | 'err', instance: number): Framing {
    const splitter = new LineSplitter();
    const lines = (visit: (collect: (buffer: Buffer, start: number, end: number) => void) => void): void => {
      const time = Date.now();
      const out: AppLine[] = [];
      // The newline is the format's.
      visit((buffer, start, end) => out.push({ app: this.app, instance, stream: name, line: buffer.toString('utf8', start, end - 1), time }));
      this.console.write(out);
    };
    return { push: (chunk) => lines((collect) => splitter.visit(chunk, collect)), flush: () => lines((collect) => splitter.flush(collect)) };
  }
}

/** How a stream's chunks become lines on run's stream. */
interface Framing {
  push(chunk: Buffer): void;
  /** At the stream's end: a last line without its newline. */
  flush(): void;
}

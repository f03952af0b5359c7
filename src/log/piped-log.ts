/**
 * The log in piped mode: each worker writes its stdout and stderr into pipes, the supervisor reads
 * them, cuts them into whole lines (so the two streams never interleave inside a line), prefixes
 * them with the time when `timestamps` is set, and is the only writer of the log file (and of the
 * errFile): rotation by rename, reopen on SIGHUP. A writer that falls behind pauses the pipes, so a
 * worker that writes faster than the disk is slowed, not buffered without bound.
 *
 * The pipes are kernel pipes shared by the supervisor's workers (./kernel-pipe) where they can be
 * made, else Node's own per-worker pipes. Without a log file (`toStdio`), the lines go to this
 * process's own stdout and stderr instead (./stream-writer), and the supervisor's own lines only
 * to stderr, as in direct mode.
 */
import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { readSync, writeSync } from 'node:fs';
import { XDaemonError, messageOf } from '../errors.js';
import { tracer } from '../trace.js';
import { type KernelPipe, kernelPipes } from './kernel-pipe.js';
import { type StreamName, LinePrefixer } from './line-prefix.js';
import { LineFramer } from './line-framer.js';
import type { LogSink, LogSinkOptions, WorkerStdio } from './log-sink.js';
import { LogWriter } from './log-writer.js';
import { StreamWriter } from './stream-writer.js';

const trace = tracer('log');

/** Where a channel's lines go: a log file, or one of this process's own streams. */
type Writer = LogWriter | StreamWriter;

/** One stream of the workers' output: where it is read from, how it is framed, where it goes. */
interface Channel {
  name: StreamName;
  writer: Writer;
  /** The shared kernel pipe and its reader, when there is one. */
  pipe: KernelPipe | undefined;
  reader: Readable | undefined;
  framer: LineFramer;
}

/** The log of piped mode. */
export class PipedLog implements LogSink {
  private readonly log: Writer;
  private readonly err: Writer;
  /** Where the supervisor's own lines go besides the echo: the log file, if there is one. */
  private readonly lines: Writer | undefined;
  private readonly prefixer = new LinePrefixer();
  private readonly channels: Channel[];
  /** Streams being read, to pause and resume. */
  private readonly sources = new Set<Readable>();
  private paused = false;

  /** @throws XDaemonError when the log file (or errFile) cannot be opened. */
  constructor(private readonly options: LogSinkOptions) {
    const events = { onTrouble: (e: { message: string; kind: string }) => this.trouble(e), onDrain: () => this.resume() };
    if (options.toStdio === true) {
      this.log = new StreamWriter(1, 'stdout', events);
      this.err = new StreamWriter(2, 'stderr', events);
      this.lines = undefined;
    } else {
      this.log = new LogWriter(options.logFile, options.maxSize, options.maxFiles, events);
      this.err = options.errFile === '' ? this.log : new LogWriter(options.errFile, options.maxSize, options.maxFiles, events);
      this.lines = this.log;
    }
    for (const writer of this.writers()) {
      try {
        writer.open();
      } catch (err) {
        throw new XDaemonError(`cannot open log file ${JSON.stringify(writer.path)}: ${messageOf(err)}`, { cause: err });
      }
    }
    const pipes = kernelPipes(2);
    this.channels = (['out', 'err'] as const).map((name, i) => {
      const channel: Channel = { name, writer: name === 'out' ? this.log : this.err, pipe: pipes?.[i], reader: undefined, framer: this.framer(name) };
      if (channel.pipe !== undefined) channel.reader = this.read(this.socketOf(channel.pipe.readFd), channel);
      return channel;
    });
  }

  /** The worker writes into the shared kernel pipes, or into pipes of its own. */
  stdioForWorker(): WorkerStdio {
    const [out, err] = this.channels as [Channel, Channel];
    return {
      stdout: out.pipe?.writeFd ?? 'pipe',
      stderr: err.pipe?.writeFd ?? 'pipe',
      release: () => undefined,
    };
  }

  /**
   * Reads the worker's output into the log; resolves once all it wrote before its exit is in the
   * log (shared pipes: read to the bottom when it exits; pipes of its own: read to their end).
   */
  attach(child: ChildProcess): Promise<void> {
    const [out, err] = this.channels as [Channel, Channel];
    if (out.pipe !== undefined) {
      return new Promise((resolve) => {
        child.once('exit', () => {
          for (const channel of this.channels) this.drainNow(channel);
          resolve();
        });
      });
    }
    const own = (stream: Readable | null, channel: Channel): Promise<void> =>
      stream === null
        ? Promise.resolve()
        : new Promise((resolve) => {
            this.read(stream, { ...channel, framer: this.framer(channel.name) }).once('close', () => resolve());
          });
    return Promise.all([own(child.stdout, out), own(child.stderr, err)]).then(() => undefined);
  }

  line(text: string): void {
    const line = `${new Date().toISOString()} xdaemon[${process.pid}] ${text}\n`;
    if (this.options.echo) echo(line);
    this.lines?.write(Buffer.from(line));
  }

  reopen(): string | undefined {
    const errors = this.writers()
      .map((w) => w.reopen())
      .filter((e): e is string => e !== undefined);
    return errors.length === 0 ? undefined : errors.join('; ');
  }

  flush(): void {
    for (const writer of this.writers()) writer.flush();
  }

  unwritten(): string[] {
    return [];
  }

  close(): void {
    for (const channel of this.channels) channel.reader?.destroy();
    for (const writer of this.writers()) writer.close();
  }

  private writers(): Writer[] {
    return [...new Set([this.log, this.err])];
  }

  private framer(name: StreamName): LineFramer {
    return new LineFramer(this.options.timestamps ? () => this.prefixer.prefix(name) : undefined);
  }

  /** A readable socket on a kernel pipe's read end, not keeping the process alive by itself. */
  private socketOf(fd: number): Readable {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Socket } = require('node:net') as typeof import('node:net');
    const socket = new Socket({ fd, readable: true, writable: false });
    socket.unref();
    return socket;
  }

  /** Reads `stream` into its channel's writer; at its end, writes a last line without a newline. */
  private read(stream: Readable, channel: Channel): Readable {
    this.sources.add(stream);
    if (this.paused) stream.pause();
    stream.on('data', (chunk: Buffer) => this.put(channel, channel.framer.frame(chunk)));
    stream.on('error', (err) => trace('reading the worker %s failed: %O', channel.name, err));
    stream.once('close', () => {
      this.put(channel, channel.framer.flush());
      this.sources.delete(stream);
    });
    return stream;
  }

  /** Reads what a shared pipe holds now (a worker has exited) and completes its last line. */
  private drainNow(channel: Channel): void {
    if (channel.pipe === undefined) return;
    // What the reader holds already comes first (read() hands it to the 'data' handler).
    const reader = channel.reader;
    while (reader !== undefined && reader.readableLength > 0 && reader.read() !== null);
    const buffer = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      let n: number;
      try {
        n = readSync(channel.pipe.readFd, buffer, 0, buffer.length, null);
      } catch {
        break;
      }
      if (n <= 0) break;
      this.put(channel, channel.framer.frame(Buffer.from(buffer.subarray(0, n))));
    }
    this.put(channel, channel.framer.flush());
  }

  private put(channel: Channel, block: Buffer | undefined): void {
    if (block !== undefined && !channel.writer.write(block)) this.pause();
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

/**
 * `xdaemon logs [NAME…] [-n LINES] [-f]`: the last lines of a daemon's log, and with `-f` every
 * line written after them, as `tail -F` does: the file is polled, a rotation (the file renamed, a
 * new one created at the path) is followed to the new file once the old one is read to its end,
 * and a truncated file is read again from its start. Ctrl-C (SIGINT) ends it with exit 0. Without
 * a name (every daemon) or with several, each daemon's lines come after its name (./log-prefix):
 * first the last lines of each in turn, then, with -f, every line of any as it comes.
 */
import { type Stats, closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { XDaemonError, errorCode, messageOf } from '../errors.js';
import { boolFlag, readLine, textFlag } from './flags.js';
import { type Io, writeAll } from './io.js';
import { knownDaemons } from '../fleet/daemons.js';
import { bothError, serviceOutput, targetOf } from '../fleet/services.js';
import type { ServiceOutput } from '../service/backends/backend.js';
import { PrefixedLines, linePrefixes, wantsColour } from './log-prefix.js';
import { namesOf } from './name-args.js';
import { EXIT, UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `logs`, read. */
export interface LogsRequest {
  verb: 'logs';
  /** The daemons; none: every one. */
  names: string[];
  /** Lines shown (of each daemon) before following (default 10). */
  lines: number;
  follow: boolean;
}

/** How often a followed log is looked at, in milliseconds. */
export const POLL_MS = 100;
const CHUNK = 64 * 1024;

/** Reads `logs`'s arguments. Pure. */
export function parseLogs(args: readonly string[]): LogsRequest | HelpRequest<'logs'> {
  const line = readLine('logs', args, { lines: { type: 'string', short: 'n' }, follow: { type: 'boolean', short: 'f' } });
  if (line.help) return { verb: 'help', topic: 'logs' };
  const names = namesOf('logs', line.positionals, false);
  const text = textFlag(line, 'lines') ?? '10';
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`-n must be a whole number of lines >= 0, got ${JSON.stringify(text)}`);
  return { verb: 'logs', names: [...new Set(names)], lines: Number(text), follow: boolFlag(line, 'follow') };
}

/**
 * Where the last `lines` lines of the bytes `read(position, length)` of a file of `size` bytes
 * begin (a final newline ends the last line, it does not start another). Pure over `read`.
 */
export function tailStart(size: number, lines: number, read: (position: number, length: number) => Buffer): number {
  if (lines === 0) return size;
  let end = size;
  let newlines = 0;
  let skipFinal = true;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const chunk = read(start, end - start);
    for (let i = chunk.length - 1; i >= 0; i--) {
      if (chunk[i] !== 0x0a) {
        skipFinal = false;
        continue;
      }
      if (skipFinal) {
        skipFinal = false;
        continue;
      }
      if (++newlines === lines) return start + i + 1;
    }
    end = start;
  }
  return 0;
}

/**
 * Shows the logs (and follows them); exit 0, or 1 when a log cannot be shown (without -f: one that
 * does not exist yet; the others are shown all the same).
 */
export async function logs(request: LogsRequest, io: Io, write: (bytes: Buffer) => void = toStdout, colour = wantsColour(stdoutIsTty(), process.env)): Promise<number> {
  const [only] = request.names;
  if (only !== undefined && request.names.length === 1) {
    // One name no daemon has may be an installed service: where its manager sends its output.
    const target = await targetOf(only);
    if (target.kind === 'both') throw bothError(only, target.service);
    if (target.kind === 'service') return serviceLogs(only, serviceOutput(target.service), request, io, write, colour);
  }
  const daemons = knownDaemons(request.names.length > 0 ? { names: request.names } : { all: true });
  return showLogs(
    daemons.map((d) => ({ name: d.name, log: d.record.log })),
    request.names.length !== 1,
    request,
    io,
    write,
    colour,
  );
}

/** The logs of a service: its files as a daemon's, the journal through journalctl, or a line saying where its output goes. */
async function serviceLogs(name: string, output: ServiceOutput, request: LogsRequest, io: Io, write: (bytes: Buffer) => void, colour: boolean): Promise<number> {
  if (output.kind === 'files') {
    const files = output.err === undefined ? [{ name, log: output.out }] : [{ name: `${name} out`, log: output.out }, { name: `${name} err`, log: output.err }];
    return showLogs(files, files.length > 1, request, io, write, colour);
  }
  if (output.kind === 'none') throw new XDaemonError(`service ${name}: ${output.reason}`);
  const [file, ...args] = output.command;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const child = spawn(file, [...args, '-n', String(request.lines), ...(request.follow ? ['-f'] : []), '--no-pager'], { stdio: 'inherit' });
  // Ctrl-C reaches journalctl too (the terminal's process group): its end is the verb's.
  process.on('SIGINT', () => undefined);
  return new Promise<number>((resolve, reject) => {
    child.once('error', (err) => reject(new XDaemonError(`cannot run ${file}: ${messageOf(err)}`, { cause: err })));
    child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? EXIT.ok : EXIT.failure)));
  });
}

/** Shows the logs `files` (each after its name when `prefixed`), and follows them with -f. */
function showLogs(
  daemons: readonly { name: string; log: string }[],
  prefixed: boolean,
  request: LogsRequest,
  io: Io,
  write: (bytes: Buffer) => void,
  colour: boolean,
): Promise<number> {
  const names = daemons.map((d) => d.name);
  const prefixes = linePrefixes(names, colour);
  let code: number = EXIT.ok;
  const files = daemons.map((daemon, i) => {
    const lines = prefixed ? new PrefixedLines(prefixes[i] as string, write) : undefined;
    const file = new FollowedFile(daemon.log, lines === undefined ? write : (bytes) => lines.push(bytes));
    const opened = file.open();
    if (opened !== undefined && !request.follow) {
      const message = `${daemon.name} has no log at ${daemon.log} (${opened})`;
      if (!prefixed) throw new XDaemonError(message);
      io.err(message);
      code = EXIT.failure;
    }
    if (opened === undefined) {
      const fd = file.fd as number;
      const size = fstatSync(fd).size;
      file.position = tailStart(size, request.lines, (position, length) => readAt(fd, position, length));
      file.drain();
    }
    return { file, lines };
  });
  if (!request.follow) {
    for (const { file, lines } of files) {
      lines?.end();
      file.close();
    }
    return Promise.resolve(code);
  }
  return new Promise<number>((resolve) => {
    const timer = setInterval(() => {
      for (const { file } of files) file.poll();
    }, POLL_MS);
    const end = (): void => {
      clearInterval(timer);
      for (const { file, lines } of files) {
        file.drain();
        lines?.end();
        file.close();
      }
      resolve(EXIT.ok);
    };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });
}

/** Whether stdout is a terminal (node:tty loaded here only: it brings node:net along). */
function stdoutIsTty(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:tty') as typeof import('node:tty')).isatty(1);
}

/** Writes to stdout; a reader that went away (`| head`) ends the verb, with exit 0. */
function toStdout(bytes: Buffer): void {
  if (!writeAll(1, bytes)) process.exit(EXIT.ok);
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const n = readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, n);
}

/** A log read from a position on, across renames and truncation. */
class FollowedFile {
  fd: number | undefined;
  position = 0;
  private identity: Pick<Stats, 'dev' | 'ino'> | undefined;

  constructor(
    private readonly path: string,
    private readonly write: (bytes: Buffer) => void,
  ) {}

  /** Opens the file at the path; returns why not (it does not exist yet, say), or undefined. */
  open(): string | undefined {
    try {
      this.fd = openSync(this.path, 'r');
    } catch (err) {
      return errorCode(err) === 'ENOENT' ? 'it does not exist (yet)' : messageOf(err);
    }
    const st = fstatSync(this.fd);
    this.identity = { dev: st.dev, ino: st.ino };
    this.position = 0;
    return undefined;
  }

  /** Writes what was appended since the last read. */
  drain(): void {
    if (this.fd === undefined) return;
    for (;;) {
      const chunk = readAt(this.fd, this.position, CHUNK);
      if (chunk.length === 0) return;
      this.position += chunk.length;
      this.write(chunk);
    }
  }

  /** One look: the rest of the current file, then a new file at the path, or a truncation. */
  poll(): void {
    this.drain();
    let st: Stats | undefined;
    try {
      st = statSync(this.path);
    } catch {
      return; // Renamed away and not created again yet: keep the old one.
    }
    if (this.fd === undefined || st.ino !== this.identity?.ino || st.dev !== this.identity.dev) {
      this.close();
      if (this.open() === undefined) this.drain();
    } else if (st.size < this.position) {
      this.position = 0;
      this.drain();
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The row of `logs`. */
export const LOGS = defineVerb<LogsRequest>({
  name: 'logs',
  aliases: ['log'],
  parse: parseLogs,
  run: (request, io) => logs(request, io),
  help: () => `usage: xdaemon logs [NAME…] [-n LINES] [-f]

One NAME: its log as it is. Several, or none (every daemon): each line after its daemon's name.
A NAME that no daemon has but an installed OS service has (xdaemon install): its --log file, else
journalctl (-u, --user for a user service) when journald runs, else a line saying where its
output goes.

  -n, --lines LINES  the last LINES lines of each log (default 10)
  -f, --follow       then print what is written, across rotations, until Ctrl-C
`,
  synopsis: [['logs [NAME…] [-n LINES] [-f]', 'the end of their logs (all: every daemon\'s); -f follows']],
});

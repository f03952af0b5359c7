/**
 * Worker side, direct mode: a running worker follows its log file across a rotation. Its stdout and
 * stderr are the log file's descriptor; after `mv app.log app.log.1` that descriptor still names
 * app.log.1, and with `compress`, or once app.log.1 is rotated away, what the worker writes there is
 * lost. So the worker looks at the path itself: when the supervisor says it reopened the log (a line
 * on its channel, ./supervisor-channel, after SIGHUP or the control channel's `reopen`), and by
 * itself once a second (an unref'd timer), it compares the file at the path with the file it writes
 * to; when they differ, it opens the path again (append, the log's mode) and writes there.
 *
 * The channel is heard from {@link FIRST_LOOK_MS} after the start (at once in a spare, whose channel
 * is open already): logrotate's `delaycompress` compresses a rotated file at its next run, so the
 * switch must come before that, and a worker that heard nothing in its first second wrote on into a
 * file that a rotation 0.5 s later compressed and deleted (issue 27: 21 of 335 lines lost).
 *
 * Only what goes through `process.stdout`/`process.stderr` follows (their descriptor is swapped:
 * writes are synchronous, so nothing is lost, doubled or reordered at the switch); descriptors 1 and
 * 2 themselves, and so what the worker's own children inherited, keep the old file (Node has no
 * dup2). The trace of an uncaught exception, which Node writes to descriptor 2 itself, is also
 * written to the followed file.
 */
import { type Stats, closeSync, fstatSync, openSync, statSync, writeSync } from 'node:fs';
import { LOG_FILE_MODE } from '../log/log-file.js';
import { tracer } from '../trace.js';
import { type StdioName, createdStdio, whenStdioCreated } from './stdio-streams.js';
import { channelOpen, claimChannel, listenChannel } from './supervisor-channel.js';

const trace = tracer('worker');

/** The variables that tell a supervised worker where its stdout and stderr go (direct mode). */
export const LOG_FILE_ENV = 'XDAEMON_LOG_FILE';
export const ERR_FILE_ENV = 'XDAEMON_ERR_FILE';

/** How often the worker looks at its log's path by itself, in milliseconds. */
export const FOLLOW_INTERVAL = 1000;

/**
 * When a fresh worker first looks, and starts hearing its channel, in milliseconds after the start:
 * soon enough for rotations half a second apart, late enough that loading node:net (~5 ms of CPU,
 * measured on Node 20) is not part of the program's own start-up.
 */
export const FIRST_LOOK_MS = 200;

/** The line the supervisor writes on the channel after it reopened the log. */
export const REOPEN_LINE = 'REOPEN';

/** One of stdout and stderr, and the file it follows. */
interface Target {
  name: StdioName;
  path: string;
  /** The descriptor its stream writes to now (1 or 2 until the first switch). */
  fd: number;
}

interface FollowState {
  targets: Target[];
}

const KEY = Symbol.for('xdaemon.log-follow.v1');

function holder(): Record<symbol, FollowState | undefined> {
  return globalThis as unknown as Record<symbol, FollowState | undefined>;
}

/**
 * Starts following (once per process; later calls do nothing). Does nothing unless the supervisor
 * named the log (direct mode) and descriptor 1 or 2 is a file. Creates neither stream (see
 * ./stdio-streams): a stream made later writes to the descriptor followed by then.
 */
export function followLog(): void {
  if (holder()[KEY] !== undefined) return;
  const out = process.env[LOG_FILE_ENV];
  const err = process.env[ERR_FILE_ENV] ?? out;
  // Programs the worker starts are not supervised workers: they do not inherit the names.
  delete process.env[LOG_FILE_ENV];
  delete process.env[ERR_FILE_ENV];
  if (out === undefined || err === undefined) return;
  const targets: Target[] = [];
  for (const [name, fd, path] of [
    ['stdout', 1, out],
    ['stderr', 2, err],
  ] as const) {
    if (statOrUndefined(() => fstatSync(fd))?.isFile() !== true) continue;
    const target: Target = { name, path, fd };
    targets.push(target);
    whenStdioCreated(name, (stream) => {
      (stream as unknown as FileStream).fd = target.fd;
    });
  }
  if (targets.length === 0) return;
  holder()[KEY] = { targets };
  const channel = claimChannel();
  let listening = false;
  const look = (): void => {
    if (channel && !listening) {
      listening = listenChannel((line) => {
        if (line === REOPEN_LINE) checkLogPaths();
      });
    }
    checkLogPaths();
  };
  // A spare's channel is open (it waited on it for its order): hearing it costs nothing. A fresh
  // worker loads node:net at its first look, never on its start-up.
  if (channel && channelOpen()) look();
  setTimeout(() => {
    look();
    setInterval(look, FOLLOW_INTERVAL).unref();
  }, FIRST_LOOK_MS).unref();
}

/** A file-backed process.stdout/stderr (Node's internal SyncWriteStream, whose writes use `fd`). */
interface FileStream {
  fd: number;
}

/**
 * Compares each followed path with the file written to; reopens the paths that name another file
 * (or none). Synchronous; a path that cannot be opened is tried again at the next look.
 */
export function checkLogPaths(): void {
  const state = holder()[KEY];
  if (state === undefined) return;
  for (const path of new Set(state.targets.map((t) => t.path))) {
    const targets = state.targets.filter((t) => t.path === path);
    const current = (targets[0] as Target).fd;
    if (sameFile(statOrUndefined(() => statSync(path)), statOrUndefined(() => fstatSync(current)))) continue;
    let fd: number;
    try {
      fd = openSync(path, 'a', LOG_FILE_MODE);
    } catch (err) {
      trace('cannot reopen %s (keeping the old file): %s', path, (err as Error).message);
      continue;
    }
    for (const t of targets) {
      t.fd = fd;
      const stream = createdStdio(t.name) as unknown as FileStream | undefined;
      if (stream !== undefined) stream.fd = fd;
      if (t.name === 'stderr') traceCrashesTo(t);
    }
    trace('log %s reopened: descriptor %d -> %d', path, current, fd);
    if (current > 2 && !state.targets.some((t) => t.fd === current)) {
      try {
        closeSync(current);
      } catch {
        // already closed
      }
    }
  }
}

let crashesFollowed = false;

/**
 * Node prints the trace of an uncaught exception to descriptor 2 itself, which still names the old
 * file after a switch: the trace is also written to the file followed now (Node's copy stays in
 * the old one).
 */
function traceCrashesTo(target: Target): void {
  if (crashesFollowed) return;
  crashesFollowed = true;
  process.on('uncaughtExceptionMonitor', (error) => {
    try {
      writeSync(target.fd, `${error instanceof Error && error.stack !== undefined ? error.stack : String(error)}\n`);
    } catch {
      // the log cannot be written: Node's own copy is all there is
    }
  });
}

function statOrUndefined(stat: () => Stats): Stats | undefined {
  try {
    return stat();
  } catch {
    return undefined;
  }
}

function sameFile(a: Stats | undefined, b: Stats | undefined): boolean {
  return a !== undefined && b !== undefined && a.ino === b.ino && a.dev === b.dev;
}

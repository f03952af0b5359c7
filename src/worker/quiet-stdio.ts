/**
 * Worker side: the log must never be what kills a daemon. Node turns a failed write to stdout or
 * stderr (ENOSPC on a full disk, EPIPE when a piped supervisor is gone) into an 'error' event that,
 * unhandled, crashes the process; and a file stream that failed once is destroyed, so nothing is
 * written again even after space is freed. In a supervised worker, such errors are swallowed (and
 * traced with DEBUG=xdaemon*), and a file-backed stdout/stderr keeps trying every write.
 *
 * A file-backed stdout/stderr (direct mode) writes synchronously anyway; a supervised worker's
 * writes each chunk with one `writeSync` straight away, as Node's own file stream ends up doing,
 * without the stream bookkeeping in between (which costs a worker that logs a lot a fifth of its
 * time: measured in the benchmarks). The callback of `write(chunk, cb)` still comes on the next
 * tick, and writes still return true.
 *
 * The guards are put on each stream when Node creates it (./stdio-streams), not at `run()`: making
 * the streams loads node:stream, which a worker should not pay for before its first instruction.
 */
import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { tracer } from '../trace.js';
import { whenStdioCreated } from './stdio-streams.js';

const trace = tracer('worker');

/** A file-backed process.stdout/stderr (Node's internal SyncWriteStream). */
interface FileStream extends Writable {
  fd: number;
  _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
}

/** Makes this process's stdout and stderr unable to crash it. */
export function quietStdio(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    whenStdioCreated(name, (stream) => {
      stream.on('error', (err) => trace('%s write failed (ignored): %s', name, err.message));
      if (stream.constructor.name === 'SyncWriteStream') keepWriting(name, stream as unknown as FileStream);
      else makeBlocking(stream);
    });
  }
}

/** Writes each chunk at once, and swallows a failure instead of letting the stream destroy itself. */
function keepWriting(name: string, stream: FileStream): void {
  // The descriptor is read at every write: a worker that follows its log swaps it (./log-follow).
  const write = (chunk: string | Uint8Array, encoding?: BufferEncoding): void => {
    const fd = stream.fd;
    try {
      if (typeof chunk === 'string') writeSync(fd, chunk, null, encoding ?? 'utf8');
      else writeSync(fd, chunk);
    } catch (err) {
      // A wrong argument is the caller's error, as with Node's stream; a failed write is the log's.
      if (typeof (err as { code?: unknown }).code !== 'string' || (err as { code: string }).code.startsWith('ERR_')) throw err;
      trace('%s write failed (dropped): %s', name, (err as Error).message);
    }
  };
  stream._write = (chunk, _encoding, callback) => {
    write(chunk);
    callback();
  };
  // The same write without the stream between: a chunk, an optional encoding, an optional callback.
  (stream as unknown as { write: (...args: unknown[]) => boolean }).write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (stream.destroyed || stream.writableEnded || (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))) {
      // Anything unusual takes Node's own path, with its checks and errors.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Writable } = require('node:stream') as typeof import('node:stream');
      return Writable.prototype.write.call(stream, chunk, encoding as BufferEncoding, cb as (error?: Error | null) => void);
    }
    write(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : undefined);
    if (typeof cb === 'function') process.nextTick(cb as () => void);
    return true;
  };
}

/** Makes a pipe-backed stdout/stderr write synchronously (Node's handle supports it on POSIX). */
function makeBlocking(stream: NodeJS.WriteStream): void {
  const handle = (stream as unknown as { _handle?: { setBlocking?: (blocking: boolean) => number } })._handle;
  if (process.platform !== 'win32' && typeof handle?.setBlocking === 'function') handle.setBlocking(true);
}

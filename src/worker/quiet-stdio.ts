/**
 * Worker side: the log must never be what kills a daemon. Node turns a failed write to stdout or
 * stderr (ENOSPC on a full disk, EPIPE when a piped supervisor is gone) into an 'error' event that,
 * unhandled, crashes the process; and a file stream that failed once is destroyed, so nothing is
 * written again even after space is freed. In a supervised worker, such errors are swallowed (and
 * traced with DEBUG=xdaemon*), and a file-backed stdout/stderr keeps trying every write.
 */
import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { tracer } from '../trace.js';

const trace = tracer('worker');

/** A file-backed process.stdout/stderr (Node's internal SyncWriteStream). */
interface FileStream extends Writable {
  fd: number;
  _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
}

/** Makes this process's stdout and stderr unable to crash it. */
export function quietStdio(): void {
  for (const [name, stream] of [
    ['stdout', process.stdout],
    ['stderr', process.stderr],
  ] as const) {
    stream.on('error', (err) => trace('%s write failed (ignored): %s', name, err.message));
    if (stream.constructor.name === 'SyncWriteStream') keepWriting(name, stream as unknown as FileStream);
    else makeBlocking(stream);
  }
}

/** Writes each chunk, and swallows a failure instead of letting the stream destroy itself. */
function keepWriting(name: string, stream: FileStream): void {
  const fd = stream.fd;
  stream._write = (chunk, _encoding, callback) => {
    try {
      writeSync(fd, chunk);
    } catch (err) {
      trace('%s write failed (line dropped): %s', name, (err as Error).message);
    }
    callback();
  };
}

/** Makes a pipe-backed stdout/stderr write synchronously (Node's handle supports it on POSIX). */
function makeBlocking(stream: NodeJS.WriteStream): void {
  const handle = (stream as unknown as { _handle?: { setBlocking?: (blocking: boolean) => number } })._handle;
  if (process.platform !== 'win32' && typeof handle?.setBlocking === 'function') handle.setBlocking(true);
}

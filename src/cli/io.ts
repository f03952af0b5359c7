/**
 * Where the verbs write: results on stdout, errors and warnings on stderr as `xdaemon: …`. One
 * object passed to every verb, so that none writes to the process behind the dispatcher's back.
 * Written synchronously to the descriptors: `process.stdout` would load Node's streams (a few ms
 * of start-up that `status` and `list` cannot afford), and the process may exit right after.
 */
import { writeSync } from 'node:fs';

/** A verb's output. */
export interface Io {
  /** Text on stdout, a newline added. */
  out(text: string): void;
  /** One line on stderr, prefixed `xdaemon: `. */
  err(text: string): void;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `data` to descriptor `fd`, waiting while a non-blocking pipe is full. Returns false
 * when the reader is gone (EPIPE) or the descriptor is closed.
 */
export function writeAll(fd: number, data: string | Buffer): boolean {
  let bytes = typeof data === 'string' ? Buffer.from(data) : data;
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(fd, bytes));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return false;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
  return true;
}

/** The process's stdout and stderr. */
export const processIo: Io = {
  out: (text) => void writeAll(1, `${text}\n`),
  err: (text) => void writeAll(2, `xdaemon: ${text}\n`),
};

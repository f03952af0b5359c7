/**
 * Reading the end of a daemon's log: its size now (where a `start` or a reload begins to look),
 * and what was written after that, or its last lines, at most a bounded number of bytes, so that a
 * log of gigabytes costs one small read.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** At most this much of a log is read. */
const MAX_BYTES = 64 * 1024;

/** The log's size now (0 when it does not exist yet). */
export function logSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * What the log holds from byte `from` on (a log that shrank, rotated or emptied, from its start), at
 * most its last {@link MAX_BYTES}; '' when it cannot be read.
 */
export function readLogFrom(path: string, from = 0): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = statSync(path).size;
    const start = Math.max(size < from ? 0 : from, size - MAX_BYTES);
    const buffer = Buffer.alloc(size - start);
    const n = readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8', 0, n);
    // A cut at the start of the window leaves half a line.
    return start > from && start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

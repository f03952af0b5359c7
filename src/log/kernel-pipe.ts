/**
 * A kernel pipe for a worker's output in piped mode. Node's spawn gives a child a socketpair for
 * 'pipe', and a worker pays about half again as much per write to a socket as to a pipe (measured:
 * 1.07 s vs 0.69 s per 500,000 100-byte lines); Node has no pipe(2), but a FIFO opened at both
 * ends and then unlinked is one. Made once per supervisor (one `mkfifo` run) and shared by its
 * workers: the supervisor keeps the write end open, so the pipe lasts across restarts. Undefined
 * where it cannot be made (Windows, no `mkfifo`, no writable temporary directory): the caller then
 * uses Node's own pipes.
 */
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tracer } from '../trace.js';

const trace = tracer('log');

/** The two ends of a pipe. */
export interface KernelPipe {
  /** Read end, non-blocking (for Node's event loop). */
  readFd: number;
  /** Write end: the worker's stdout or stderr. */
  writeFd: number;
}

/** Makes `count` kernel pipes, or undefined when that is not possible here. */
export function kernelPipes(count: number): KernelPipe[] | undefined {
  if (process.platform === 'win32') return undefined;
  let dir: string | undefined;
  const opened: number[] = [];
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { tmpdir } = require('node:os') as typeof import('node:os');
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    /* eslint-enable @typescript-eslint/no-require-imports */
    dir = mkdtempSync(join(tmpdir(), 'xdaemon-pipe-'));
    const paths = Array.from({ length: count }, (_, i) => join(dir as string, String(i)));
    const made = spawnSync('mkfifo', ['-m', '600', ...paths], { stdio: 'ignore', timeout: 5000 });
    if (made.status !== 0) throw new Error(`mkfifo failed: ${made.error?.message ?? `exit code ${made.status}`}`);
    return paths.map((path) => {
      // The read end first and non-blocking: opening the write end then does not wait.
      const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      opened.push(readFd);
      const writeFd = openSync(path, constants.O_WRONLY);
      opened.push(writeFd);
      return { readFd, writeFd };
    });
  } catch (err) {
    trace('no kernel pipe (%s): using Node pipes', (err as Error).message);
    for (const fd of opened) closeSync(fd);
    return undefined;
  } finally {
    // The pipes outlive their names.
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The supervisor's process title, `xdaemon supervisor: <command> <args…>`, so that `ps` tells the
 * role and `pgrep -f` finds a daemon by its worker's arguments. Linux writes a title into the
 * memory of the process's original command line and cuts whatever does not fit: a supervisor
 * started as `node a.js x` (Daemon.run() in the foreground) or `node cli.js run -- node a.js x`
 * would show `xdaemon sup` or lose its last argument. Where the whole title does not fit, the
 * original command line stays as it is instead: it holds the worker's command as it was typed.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * The title for a supervisor of `file args`, or undefined when it would be cut (`capacity`: the
 * bytes the title may take, undefined where no cut is known). The arguments are joined with
 * spaces, as `ps` shows any command line, so that `pgrep -f` matches them as it does the worker's.
 */
export function supervisorTitle(file: string, args: readonly string[], capacity: number | undefined): string | undefined {
  const title = `xdaemon supervisor: ${[basename(file), ...args].join(' ')}`;
  return capacity === undefined || Buffer.byteLength(title) <= capacity ? title : undefined;
}

/** Bytes a process title may take on Linux: the original command line's (its last NUL excluded). */
export function titleCapacity(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return Math.max(0, readFileSync('/proc/self/cmdline').length - 1);
  } catch {
    return undefined;
  }
}

/** Sets the supervisor's title where it fits whole; returns whether it did. */
export function setSupervisorTitle(file: string, args: readonly string[]): boolean {
  const title = supervisorTitle(file, args, titleCapacity());
  if (title !== undefined) process.title = title;
  return title !== undefined;
}

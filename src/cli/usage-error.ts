/**
 * How the `xdaemon` command ends: the exit codes every verb shares, and the error that means the
 * command line itself is wrong (exit 2, nothing started). Failures of the work (a command not
 * found, a daemon that cannot start) are the library's XDaemonError (exit 1).
 */

/** Exit codes: 0 done, 1 failed (the message names what), 2 bad usage. `status` adds LSB's 3 and 4. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A command line the CLI cannot act on: printed as one line, exit 2, nothing done. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

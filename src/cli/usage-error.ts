/**
 * How the `xdaemon` command ends: the exit codes every verb shares, and the error that means the
 * command line itself is wrong (exit 2, nothing started). Failures of the work (a command not
 * found, a daemon that cannot start) are the library's XDaemonError (exit 1).
 */
import { EUSAGE, XDaemonError, type XDaemonErrorFields } from '../errors.js';

/** Exit codes: 0 done, 1 failed (the message names what), 2 bad usage. `status` adds LSB's 3 and 4. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * A command line the CLI cannot act on: printed as one line, exit 2, nothing done. It is an
 * {@link XDaemonError} with `code: EUSAGE`, the library's mark of input it cannot act on, and
 * `instanceof UsageError` holds for every such error, whether the CLI's argument reading or the
 * library (a bad name, a bad fleet file) raised it: there is one kind of usage error, not two.
 */
export class UsageError extends XDaemonError {
  constructor(message: string, fields?: Omit<XDaemonErrorFields, 'code'>) {
    super(message, { ...fields, code: EUSAGE });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isUsageError(value);
  }
}

/** True for input that cannot be acted on: an XDaemonError whose code is EUSAGE. */
export function isUsageError(err: unknown): err is XDaemonError {
  return err instanceof XDaemonError && err.code === EUSAGE;
}

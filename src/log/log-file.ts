/** Opening the log file that a child's stdout and stderr go to. */
import { openSync } from 'node:fs';
import { XDaemonError, describe, errorCode, messageOf } from '../errors.js';

/** Mode of a newly created log file (Go uses 0666; we never make it world-writable). */
export const LOG_FILE_MODE = 0o640;

/** Throws a TypeError unless `logFile` is a string (the empty string means "discard"). */
export function checkLogFile(logFile: unknown, what = 'logFile'): asserts logFile is string {
  if (typeof logFile !== 'string') {
    throw new TypeError(`xdaemon: ${what} must be a string, got ${describe(logFile)}`);
  }
  if (logFile.includes('\0')) {
    throw new TypeError(`xdaemon: ${what} must not contain a NUL byte`);
  }
}

/**
 * Opens `logFile` for appending, creating it with mode 0o640. Returns `undefined` for the empty
 * string (output discarded). Throws an {@link XDaemonError} naming the path and the cause.
 */
export function openLogFile(logFile: string): number | undefined {
  if (logFile === '') return undefined;
  try {
    return openSync(logFile, 'a', LOG_FILE_MODE);
  } catch (err) {
    const code = errorCode(err);
    const cause = code === 'EISDIR' ? 'it is a directory' : messageOf(err);
    throw new XDaemonError(`cannot open log file ${JSON.stringify(logFile)}: ${cause}`, {
      cause: err,
      code,
    });
  }
}

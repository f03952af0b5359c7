/** A command line as people read it in a log line or a process title. */
import { basename } from 'node:path';

/** Longest description written; a longer command line is cut with an ellipsis. */
export const MAX_DESCRIPTION = 1000;

/**
 * `file args…` as run, Node flags included: the base name of the executable, then each argument,
 * JSON-quoted unless it is plain (letters, digits, `@%+=:,./-_`). Cut at {@link MAX_DESCRIPTION}.
 */
export function describeCommand(file: string, args: readonly string[]): string {
  const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : JSON.stringify(s));
  const text = [basename(file), ...args.map(quote)].join(' ');
  return text.length <= MAX_DESCRIPTION ? text : `${text.slice(0, MAX_DESCRIPTION - 1)}…`;
}

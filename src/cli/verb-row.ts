/**
 * The shape of a verb of the `xdaemon` command: one row of the verb table (./verbs) says how its
 * arguments are read, what it does and how it is explained, so that the dispatcher, the help and
 * (later) pm2's aliases all read the same row.
 */
import type { Io } from './io.js';

/** `xdaemon VERB --help`, read. */
export interface HelpRequest<N extends string = string> {
  verb: 'help';
  topic: N;
}

/** One verb: how its arguments are read, what it does, how it is explained. */
export interface VerbRow<R extends { verb: string }> {
  /** The verb as typed. */
  name: R['verb'];
  /** Other words that mean it (pm2's spellings, later). */
  aliases?: readonly string[];
  /** Reads the arguments after the verb into a request (`help` for `--help`). Pure. */
  parse(args: readonly string[]): R | HelpRequest<R['verb']>;
  /**
   * Carries the request out through src/fleet/ (or the control and service bundles), prints what
   * was done, and chooses the exit code; 'running' when the process now belongs to a supervisor.
   */
  run(request: R, io: Io): Promise<number | 'running'>;
  /** `xdaemon VERB --help`. */
  help(): string;
  /** Its lines in `xdaemon --help`: a usage, and what it does. */
  synopsis: readonly (readonly [usage: string, summary: string])[];
}

/** A row, typed by its request (an identity: it checks the row against its request type). */
export function defineVerb<R extends { verb: string }>(row: VerbRow<R>): VerbRow<R> {
  return row;
}

/**
 * The error of a fleet file that cannot be acted on: a file that cannot be read or loaded, a shape,
 * key or value it cannot take, an app whose program is not found. It names the file, the app and
 * the key in fields as well as in its message, and carries a list of problems, so that a face can
 * show every problem of a file at once (today the first one stops the reading).
 */
import { EUSAGE, XDaemonError } from '../errors.js';

/** One thing wrong with a fleet file. */
export interface FleetProblem {
  /** The file, absolute. */
  file: string;
  /** The app: its name, or `#N` (1-based) before its name is known; undefined for the file as a whole. */
  app?: string | undefined;
  /** The key (ours or pm2's, as written in the file), or the command-line flag (`--only`, `--env`). */
  key?: string | undefined;
  /** What is wrong, in the words the message uses after the file and the app. */
  reason: string;
}

/** `<file>: [app <app>: ]<reason>`: how one problem reads. */
export function problemText(problem: FleetProblem): string {
  return `${problem.file}: ${problem.app === undefined ? '' : `app ${problem.app}: `}${problem.reason}`;
}

/**
 * A fleet file that cannot be acted on (`code: EUSAGE`). `file`, `app` and `option` (the key) are
 * those of the first problem; the message is one line per problem.
 */
export class FleetFileError extends XDaemonError {
  /** The file, absolute. */
  readonly file: string;
  /** The app of the first problem, if it is about one. */
  readonly app: string | undefined;
  /** Every problem found (at least one). */
  readonly problems: readonly FleetProblem[];

  constructor(problems: readonly [FleetProblem, ...FleetProblem[]], cause?: unknown) {
    const [first] = problems;
    super(problems.map(problemText).join('\n'), { code: EUSAGE, option: first.key, reason: first.reason, cause });
    this.file = first.file;
    this.app = first.app;
    this.problems = problems;
  }
}

/** A FleetFileError of one problem. */
export function fleetFileError(problem: FleetProblem, cause?: unknown): FleetFileError {
  return new FleetFileError([problem], cause);
}

/**
 * Where the verbs write: results on stdout, errors and warnings on stderr as `xdaemon: …`. One
 * object passed to every verb, so that none writes to the process behind the dispatcher's back.
 */

/** A verb's output. */
export interface Io {
  /** One line (or several, each ending without a newline) of results on stdout. */
  out(text: string): void;
  /** One line on stderr, prefixed `xdaemon: `. */
  err(text: string): void;
}

/** The process's stdout and stderr. */
export const processIo: Io = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`xdaemon: ${text}\n`),
};

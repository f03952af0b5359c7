/**
 * The line of a daemon's log that says why its worker died, for the answer of a `start` that did
 * not come up, of a reload that failed, and for `status` of a daemon that gave up: among the
 * worker's own lines (not the supervisor's, which are `<time> xdaemon[<pid>] …`), the last that
 * reads as an error (`Error: listen EADDRINUSE: …`, `TypeError: …`, Python's last traceback line,
 * `panic: …`), else the worker's last line. Pure.
 */

/** A supervisor's line: `2024-05-01T12:00:00.000Z xdaemon[123] …`. */
const SUPERVISOR_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z xdaemon\[\d+\] /;
/** The time and stream prefix of a worker's line in piped mode with timestamps. */
const PIPED_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (?:out|err) /;
/** A line that names an error: `Error: …`, `TypeError: …`, `node:internal… Error [ERR_X]: …`, `panic: …`, `fatal: …`. */
const ERROR_LINE = /^(?:Uncaught )?(?:[A-Za-z_$][\w$.]*)?(?:Error|Exception)\b(?: \[[A-Z_0-9]+\])?:|^(?:panic|fatal|FATAL|ERROR)\b[: ]/;

/** The worker's lines of a piece of the log: its supervisor's lines left out, piped mode's prefix removed, blank lines dropped. */
export function workerLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !SUPERVISOR_LINE.test(line))
    .map((line) => line.replace(PIPED_PREFIX, '').trimEnd())
    .filter((line) => line.trim() !== '');
}

/** What `text` (a piece of a log) holds from the line where `mark` last appears, or all of it without one. */
export function fromLastLine(text: string, mark: string): string {
  const at = text.lastIndexOf(mark);
  return at < 0 ? text : text.slice(text.lastIndexOf('\n', at) + 1);
}

/** The line of `lines` (the worker's) that says why it died, if any. */
export function causeLine(lines: readonly string[]): string | undefined {
  for (let at = lines.length - 1; at >= 0; at--) {
    const line = (lines[at] as string).trim();
    if (ERROR_LINE.test(line)) return line;
  }
  const last = lines[lines.length - 1];
  return last === undefined ? undefined : last.trim();
}

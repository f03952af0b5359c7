/**
 * How the verbs print what src/fleet/ reports: a line per daemon on stdout, a failure on stderr
 * (the library's message names the daemon), exit 1 when one failed; a fleet file's warnings on
 * stderr. Each verb says its own words for an outcome; the shared ones are here.
 */
import { unknownName } from '../fleet/daemons.js';
import type { DaemonResult, Reloaded, Started } from '../fleet/outcome.js';
import type { Io } from './io.js';
import { startedLine } from './launch.js';
import { EXIT } from './usage-error.js';

/** What a verb says of one result: a line on stdout, or a failure on stderr. */
export type Said = { out: string } | { err: string };

/** Prints every result as `say` words it; exit 1 when one of them is a failure. */
export function report<R extends DaemonResult>(results: readonly R[], io: Io, say: (result: R) => Said): number {
  let code: number = EXIT.ok;
  for (const result of results) {
    const said = say(result);
    if ('out' in said) io.out(said.out);
    else {
      io.err(said.err);
      code = EXIT.failure;
    }
  }
  return code;
}

/** The words every verb shares: a failure, an unknown name, a start, a reload; undefined for the rest. */
export function commonSaid(result: DaemonResult): Said | undefined {
  switch (result.outcome) {
    case 'failed':
      return { err: result.error.message };
    case 'not-known':
      return { err: unknownName(result.name).message };
    case 'started':
      return { out: startedText(result) };
    case 'reloaded':
      return { out: reloadedText(result) };
    default:
      return undefined;
  }
}

/** `started web: supervisor 1234, log /…/web.log[, worker 1240 ready after 0.412 s]`. */
export function startedText(result: Started): string {
  return startedLine(result.name, result, result.log);
}

/** `reloaded web: instance 0 1234 -> 1240 (0.41 s), …`. */
export function reloadedText(result: Reloaded): string {
  const each = result.instances.map((i) => `instance ${i.instance} ${i.oldPid ?? '-'} -> ${i.workerPid} (${i.seconds.toFixed(2)} s)`);
  return `reloaded ${result.name}: ${each.join(', ')}`;
}

/** A fleet file's warnings, one line each. */
export function warn(io: Io, warnings: readonly string[]): void {
  for (const w of warnings) io.err(`warning: ${w}`);
}

/** `say` for an outcome no verb expects: a failure naming it, never silence. */
export function unexpected(result: DaemonResult): Said {
  return { err: `${result.name}: ${result.outcome}` };
}

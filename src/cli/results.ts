/**
 * How the verbs print what src/fleet/ reports: a line per daemon on stdout, a failure on stderr
 * (the library's message names the daemon), exit 1 when one failed; a fleet file's warnings on
 * stderr. Each verb says its own words for an outcome; the shared ones are here.
 */
import { unknownName } from '../fleet/daemons.js';
import type { DaemonResult, Reloaded, Restarted, Started } from '../fleet/outcome.js';
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
      return startedSaid(result);
    case 'reloaded':
      return { out: reloadedText(result) };
    case 'restarted':
      return { out: restartedText(result) };
    default:
      return undefined;
  }
}

/** `started web: supervisor 1234, log /…/web.log[, worker 1240 ready after 0.412 s]`. */
export function startedText(result: Started): string {
  return startedLine(result.name, result, result.log);
}

/** A start's line: started (`suffix` after it), or, when it did not come up, a failure that says why. */
export function startedSaid(result: Started, suffix = ''): Said {
  return result.down === undefined ? { out: `${startedText(result)}${suffix}` } : { err: notUpText(result) };
}

/**
 * `web did not come up: its worker exited with code 1 after 0.21 s (Error: listen EADDRINUSE: …);
 * log /…/web.log; it is restarted with a backoff until it runs (xdaemon stop web ends it)`.
 */
export function notUpText(result: Started): string {
  const down = result.down;
  if (down === undefined) return startedText(result);
  const parts: string[] = [];
  const e = down.exit;
  if (e !== undefined) parts.push(`its worker${e.pid === undefined ? '' : ` pid ${e.pid}`} exited with ${e.signal === null ? `code ${e.code}` : `signal ${e.signal}`} after ${e.seconds.toFixed(2)} s`);
  else if (down.timedOut) parts.push('no worker was up within 30 s');
  else parts.push('its supervisor ended');
  const cause = down.cause === undefined ? '' : ` (${down.cause})`;
  const next = down.gaveUp ? 'it gave up (errored): xdaemon restart ' + result.name + ' tries again' : `it is restarted with a backoff until it runs (xdaemon stop ${result.name} ends it)`;
  return `${result.name} did not come up: ${parts.join('')}${cause}; log ${result.log}; ${next}`;
}

/** `reloaded web: instance 0 1234 -> 1240 (0.41 s), …`. */
export function reloadedText(result: Reloaded): string {
  const each = result.instances.map((i) => `instance ${i.instance} ${i.oldPid ?? '-'} -> ${i.workerPid} (${i.seconds.toFixed(2)} s)`);
  return `reloaded ${result.name}: ${each.join(', ')}`;
}

/**
 * `restarted web: worker 1240`, and, for a reload that was a restart, why (its workers share no
 * socket) and what makes a reload replace them without a gap.
 */
export function restartedText(result: Restarted): string {
  const why =
    result.note === 'no-socket'
      ? " (its workers share no socket, so the reload was a restart: --listen PORT, or a Node program's own listen() under xdaemon start, lets a reload replace them without a gap)"
      : '';
  return `restarted ${result.name}: worker ${result.workerPid}${why}`;
}

/** A fleet file's warnings, one line each. */
export function warn(io: Io, warnings: readonly string[]): void {
  for (const w of warnings) io.err(`warning: ${w}`);
}

/** `say` for an outcome no verb expects: a failure naming it, never silence. */
export function unexpected(result: DaemonResult): Said {
  return { err: `${result.name}: ${result.outcome}` };
}

/**
 * The names on a verb's command line: each one checked, `NAME…` or `--all` (one of the two), and
 * the usage errors for neither or both. pm2's words pass as they are, for src/fleet/ to resolve:
 * `all` (every daemon) and a list index (`stop 0`). Pure.
 */
import type { Selection } from '../fleet/daemons.js';
import { ALL, checkName } from '../fleet/names.js';
import { UsageError } from './usage-error.js';

/** The names of `positionals`, each checked; a UsageError when there is none and none is allowed. */
export function namesOf(verb: string, positionals: readonly string[], atLeastOne: boolean): string[] {
  if (atLeastOne && positionals.length === 0) throw new UsageError(`${verb} needs a NAME (see xdaemon ${verb} --help)`);
  return positionals.map((word) => (word === ALL ? word : checkName(word)));
}

/** `NAME… | --all` of `verb`'s line: the names, and whether it was --all; a UsageError for neither or both. */
export function namesOrAll(verb: string, line: { positionals: readonly string[]; flags: ReadonlyMap<string, unknown> }): { names: string[]; all: boolean } {
  const words = namesOf(verb, line.positionals, false);
  // pm2's `stop all` is our --all.
  const all = line.flags.get('all') === true || words.includes(ALL);
  const names = words.filter((w) => w !== ALL);
  if (all && names.length > 0) throw new UsageError(`${verb} takes NAME… or --all, not both`);
  if (!all && names.length === 0) throw new UsageError(`${verb} needs a NAME or --all (see xdaemon ${verb} --help)`);
  return { names, all };
}

/** The daemons a `NAME… | --all` request means, for src/fleet/. */
export function selectionOf(request: { names: readonly string[]; all: boolean }): Selection {
  return request.all ? { all: true } : { names: request.names };
}

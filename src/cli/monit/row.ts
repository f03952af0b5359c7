/**
 * The row of `xdaemon monit [NAME…]` in the verb table: its arguments and its help. What it runs
 * (the live view, ./monit) is a bundle of its own (`dist/monit.js`), loaded by this verb alone, so
 * that no other verb pays for it.
 */
import { loadBundle } from '../../bundles.js';
import { readLine } from '../flags.js';
import { namesOf } from '../name-args.js';
import { type HelpRequest, defineVerb } from '../verb-row.js';
import type { MonitRequest } from './monit.js';

/** Reads `monit`'s arguments. Pure. */
export function parseMonit(args: readonly string[]): MonitRequest | HelpRequest<'monit'> {
  const line = readLine('monit', args, {});
  if (line.help) return { verb: 'help', topic: 'monit' };
  return { verb: 'monit', names: [...new Set(namesOf('monit', line.positionals, false))] };
}

/** The row of `monit`. */
export const MONIT = defineVerb<MonitRequest>({
  name: 'monit',
  // pm2's spellings of its live views
  aliases: ['dashboard', 'dash', 'imonit'],
  parse: parseMonit,
  run: (request, io) => loadBundle('monit').runMonit(request, io),
  help: () => `usage: xdaemon monit [NAME…]

A live view of every daemon (or those named), one row per instance: its state (running, ready,
restarting, reloading, errored, stopped, dead), health where checks are set, worker pid, uptime,
restarts of every cause, CPU and memory of the worker's whole tree with their last minute as a
sparkline; below, the selected daemon's log as it is written. It looks once a second at the state
files (no supervisor is asked) and at once after each event of a supervisor.

  j, k, arrows  select          l  show or hide the log
  r             restart         /  filter by name (Enter applies, Esc cancels; Esc clears)
  R             reload          q  quit (the terminal is given back as it was)
  s             stop (asks first)

Colours are off with NO_COLOR. When stdout is not a terminal, a plain table is printed every 2
seconds instead, until Ctrl-C.
`,
  synopsis: [['monit [NAME…]', 'a live view: every instance, CPU and memory, the log; keys act']],
});

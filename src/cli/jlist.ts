/**
 * pm2's `jlist` and `prettylist`: every daemon's status object with its name, as JSON on one line
 * (for a program to read) or indented (for a person), the same objects as `xdaemon list --json`.
 * pm2's own shape (`pm2_env`, `pm_id`) is not copied: these are xdaemon's status fields.
 */
import { daemonStatuses } from '../fleet/status.js';
import { readLine } from './flags.js';
import type { Io } from './io.js';
import { EXIT, UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `jlist` or `prettylist`, read. */
export interface JsonListRequest<V extends 'jlist' | 'prettylist'> {
  verb: V;
}

/** A reader of `verb`'s arguments (none). Pure. */
function parser<V extends 'jlist' | 'prettylist'>(verb: V): (args: readonly string[]) => JsonListRequest<V> | HelpRequest<V> {
  return (args) => {
    const line = readLine(verb, args, {});
    if (line.help) return { verb: 'help', topic: verb };
    const [stray] = line.positionals;
    if (stray !== undefined) throw new UsageError(`${verb} takes no NAME, got ${JSON.stringify(stray)} (xdaemon status NAME --json shows one)`);
    return { verb };
  };
}

/** Prints the statuses as JSON: one line, or indented. */
async function printJson(indent: number | undefined, io: Io): Promise<number> {
  const { rows, failed } = await daemonStatuses();
  for (const f of failed) io.err(f.error.message);
  io.out(JSON.stringify(rows, null, indent));
  return failed.length > 0 ? EXIT.failure : EXIT.ok;
}

/** The row of `jlist`. */
export const JLIST = defineVerb<JsonListRequest<'jlist'>>({
  name: 'jlist',
  parse: parser('jlist'),
  run: (_request, io) => printJson(undefined, io),
  help: () => `usage: xdaemon jlist

Every daemon's status object (xdaemon list --json), as JSON on one line (pm2's spelling).
`,
  synopsis: [['jlist', 'list --json, on one line']],
});

/** The row of `prettylist`. */
export const PRETTYLIST = defineVerb<JsonListRequest<'prettylist'>>({
  name: 'prettylist',
  parse: parser('prettylist'),
  run: (_request, io) => printJson(2, io),
  help: () => `usage: xdaemon prettylist

Every daemon's status object, as indented JSON (xdaemon list --json; pm2's spelling).
`,
  synopsis: [['prettylist', 'list --json']],
});

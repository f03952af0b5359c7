/**
 * `xdaemon list [--json]`: every named daemon in a table (name, state, pid, worker pid, uptime,
 * starts, restarts, errors, log), or as a JSON array of the library's status objects plus their names. All
 * supervisors are asked at once through the control bundle (src/fleet/status.ts); nothing else is
 * loaded.
 */
import { daemonStatuses } from '../fleet/status.js';
import { boolFlag, readLine } from './flags.js';
import type { Io } from './io.js';
import { listTable } from './render.js';
import { EXIT, UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `list`, read. */
export interface ListRequest {
  verb: 'list';
  json: boolean;
}

/** Reads `list`'s arguments. Pure. */
export function parseList(args: readonly string[]): ListRequest | HelpRequest<'list'> {
  const line = readLine('list', args, { json: { type: 'boolean' } });
  if (line.help) return { verb: 'help', topic: 'list' };
  const [stray] = line.positionals;
  if (stray !== undefined) throw new UsageError(`list takes no NAME, got ${JSON.stringify(stray)} (xdaemon status NAME shows one)`);
  return { verb: 'list', json: boolFlag(line, 'json') };
}

/** Prints the table. */
export async function list(request: ListRequest, io: Io): Promise<number> {
  const { rows, failed } = await daemonStatuses();
  for (const f of failed) io.err(f.error.message);
  io.out(request.json ? JSON.stringify(rows, null, 2) : listTable(rows, Date.now()));
  return failed.length > 0 ? EXIT.failure : EXIT.ok;
}

/** The row of `list`. */
export const LIST = defineVerb<ListRequest>({
  name: 'list',
  // pm2's spellings
  aliases: ['ls', 'l', 'ps'],
  parse: parseList,
  run: list,
  help: () => `usage: xdaemon list [--json]

Every daemon: name, state, pid (the supervisor's), worker pid, uptime (the worker's), CPU (% of
one core over the last seconds) and memory (summed RSS) of the worker's whole tree, starts,
restarts (of every cause: after an exit, on request, the memory limit, cron, watch, a reload),
errors (consecutive failures / maxError), log. --json prints an array of status objects.
`,
  synopsis: [['list [--json]', 'every daemon in a table, with CPU and memory']],
});

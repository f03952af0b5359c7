/**
 * `xdaemon delete NAME | FILE`: stop the daemon if it runs (or clean up after a dead one), then
 * forget it: its record, pid file and pid file's state go; its log stays (src/fleet/delete.ts).
 */
import { unknownName } from '../fleet/daemons.js';
import { deleteDaemon } from '../fleet/delete.js';
import type { DaemonResult } from '../fleet/outcome.js';
import { readLine } from './flags.js';
import { type FleetRequest, ONLY_FLAG, fleetFiles, fleetRequestOf } from './fleet-request.js';
import type { Io } from './io.js';
import { namesOf } from './name-args.js';
import { type Said, commonSaid, report, unexpected } from './results.js';
import { EXIT, UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `delete`, read. */
export interface DeleteRequest {
  verb: 'delete';
  name: string;
  /** `delete FILE`: the apps of a fleet file. */
  fleet?: FleetRequest;
}

/** Reads `delete`'s arguments. Pure. */
export function parseDelete(args: readonly string[]): DeleteRequest | HelpRequest<'delete'> {
  const line = readLine('delete', args, { ...ONLY_FLAG });
  if (line.help) return { verb: 'help', topic: 'delete' };
  const fleet = fleetRequestOf('delete', line);
  if (fleet !== undefined) return { verb: 'delete', name: '', fleet };
  const [name, extra] = namesOf('delete', line.positionals, true);
  if (extra !== undefined) throw new UsageError(`delete takes one NAME, got also ${JSON.stringify(extra)}`);
  return { verb: 'delete', name: name as string };
}

/** What `delete` says of a daemon. */
function said(result: DaemonResult): Said {
  if (result.outcome === 'deleted') return { out: result.was === 'stopped' || result.was === 'errored' ? `deleted ${result.name}` : `deleted ${result.name} (stopped it first)` };
  if (result.outcome === 'not-known') return { out: `${result.name} is not known (nothing to delete)` };
  return commonSaid(result) ?? unexpected(result);
}

/** Stops (if needed) and forgets the daemon, or each app of the file. */
export async function runDelete(request: DeleteRequest, io: Io): Promise<number> {
  if (request.fleet !== undefined) {
    const { deleteFleet } = await fleetFiles();
    return report((await deleteFleet(request.fleet)).results, io, said);
  }
  const result = await deleteDaemon(request.name);
  if (result.outcome === 'not-known') throw unknownName(request.name);
  io.out((said(result) as { out: string }).out);
  return EXIT.ok;
}

/** The row of `delete`. */
export const DELETE = defineVerb<DeleteRequest>({
  name: 'delete',
  parse: parseDelete,
  run: runDelete,
  help: () => `usage: xdaemon delete NAME | FILE [--only a,b]

Stops the daemon (each app of FILE) if it runs, then forgets it: its record and pid file are
removed (its log stays).
`,
  synopsis: [['delete NAME | FILE', 'stop it if needed and forget it']],
});

/**
 * `xdaemon delete NAME… | FILE` (pm2's `del`, `delete all`, `delete 0`): stop the daemon if it runs (or clean up after a dead one), then
 * forget it: its record, pid file and pid file's state go; its log stays (src/fleet/delete.ts).
 */
import { deleteDaemons } from '../fleet/delete.js';
import { unknownDaemonError } from '../fleet/services.js';
import type { DaemonResult } from '../fleet/outcome.js';
import { readLine } from './flags.js';
import { type FleetRequest, ONLY_FLAG, fleetFiles, fleetRequestOf } from './fleet-request.js';
import type { Io } from './io.js';
import { namesOf } from './name-args.js';
import { type Said, commonSaid, report, unexpected } from './results.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `delete`, read. */
export interface DeleteRequest {
  verb: 'delete';
  names: string[];
  /** `delete FILE`: the apps of a fleet file. */
  fleet?: FleetRequest;
}

/** Reads `delete`'s arguments. Pure. */
export function parseDelete(args: readonly string[]): DeleteRequest | HelpRequest<'delete'> {
  const line = readLine('delete', args, { ...ONLY_FLAG });
  if (line.help) return { verb: 'help', topic: 'delete' };
  const fleet = fleetRequestOf('delete', line);
  if (fleet !== undefined) return { verb: 'delete', names: [], fleet };
  return { verb: 'delete', names: namesOf('delete', line.positionals, true) };
}

/** What `delete` says of a daemon. */
function said(result: DaemonResult, ofFile: boolean): Said {
  if (result.outcome === 'deleted') return { out: result.was === 'stopped' || result.was === 'errored' ? `deleted ${result.name}` : `deleted ${result.name} (stopped it first)` };
  // An app of a file never started: nothing to delete. A name given that is not known: exit 1.
  if (result.outcome === 'not-known' && ofFile) return { out: `${result.name} is not known (nothing to delete)` };
  return commonSaid(result) ?? unexpected(result);
}

/** Stops (if needed) and forgets the daemon, or each app of the file. */
export async function runDelete(request: DeleteRequest, io: Io): Promise<number> {
  if (request.fleet !== undefined) {
    const { deleteFleet } = await fleetFiles();
    return report((await deleteFleet(request.fleet)).results, io, (r) => said(r, true));
  }
  // A name no daemon has may be an installed service: it is named, with the verb that removes it.
  const results = await Promise.all(
    (await deleteDaemons(request.names)).map(async (r): Promise<DaemonResult> =>
      r.outcome === 'not-known' ? { name: r.name, outcome: 'failed', error: await unknownDaemonError(r.name, 'delete') } : r,
    ),
  );
  return report(results, io, (r) => said(r, false));
}

/** The row of `delete`. */
export const DELETE = defineVerb<DeleteRequest>({
  name: 'delete',
  parse: parseDelete,
  run: runDelete,
  aliases: ['del'],
  help: () => `usage: xdaemon delete NAME… | all | FILE [--only a,b]

Stops each daemon (each app of FILE) if it runs, then forgets it: its record and pid file are
removed (its log stays). all: every daemon; a number: the daemon at that place of xdaemon list.
`,
  synopsis: [['delete NAME… | all | FILE', 'stop it if needed and forget it']],
});

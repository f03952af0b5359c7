/**
 * `xdaemon list [--json]`: every named daemon in a table (name, state, pid, worker pid, uptime,
 * starts, errors, log), or as a JSON array of the library's status objects plus their names. All
 * supervisors are asked at once through the control bundle; nothing else is loaded.
 */
import { boolFlag, readLine } from './flags.js';
import type { Io } from './io.js';
import { existingStateDirectory, statusesOf } from './daemons.js';
import { recordNames } from '../fleet/record.js';
import { listTable } from './render.js';
import { EXIT, UsageError } from './usage-error.js';

/** `list`, read. */
export interface ListRequest {
  verb: 'list';
  json: boolean;
}

/** Reads `list`'s arguments. Pure. */
export function parseList(args: readonly string[]): ListRequest | { verb: 'help'; topic: 'list' } {
  const line = readLine('list', args, { json: { type: 'boolean' } });
  if (line.help) return { verb: 'help', topic: 'list' };
  const [stray] = line.positionals;
  if (stray !== undefined) throw new UsageError(`list takes no NAME, got ${JSON.stringify(stray)} (xdaemon status NAME shows one)`);
  return { verb: 'list', json: boolFlag(line, 'json') };
}

/** Prints the table. */
export async function list(request: ListRequest, io: Io): Promise<number> {
  const dir = existingStateDirectory();
  const { rows, failed } = await statusesOf(dir, dir === undefined ? [] : recordNames(dir), io);
  io.out(request.json ? JSON.stringify(rows, null, 2) : listTable(rows, Date.now()));
  return failed ? EXIT.failure : EXIT.ok;
}

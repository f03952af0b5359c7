/**
 * `xdaemon resurrect`: starts the daemons `xdaemon save` recorded, from their records, with the
 * environment of this shell (or of the service that runs it at boot) plus each one's recorded
 * `--env` or file `env`: never an old dump of a whole environment. Each command is looked up again
 * (a Node upgrade moves `node`), the recorded absolute path serving when PATH does not find it (a
 * boot service's PATH is the service manager's). One that runs is named and left alone; the others
 * start in parallel.
 */
import { existsSync } from 'node:fs';
import { XDaemonError } from '../errors.js';
import { readLine } from './flags.js';
import type { Io } from './io.js';
import { existingStateDirectory } from './daemons.js';
import { startAll, notRunning } from './fleet.js';
import { refreshedRecord } from '../fleet/daemon-spec.js';
import { type DaemonRecord, readRecord } from '../fleet/record.js';
import { readSaved } from '../fleet/saved.js';
import { EXIT, UsageError } from './usage-error.js';

/** `resurrect`, read. */
export interface ResurrectRequest {
  verb: 'resurrect';
}

/** Reads `resurrect`'s arguments. Pure. */
export function parseResurrect(args: readonly string[]): ResurrectRequest | { verb: 'help'; topic: 'resurrect' } {
  const line = readLine('resurrect', args, {});
  if (line.help) return { verb: 'help', topic: 'resurrect' };
  const [stray] = line.positionals;
  if (stray !== undefined) throw new UsageError(`resurrect takes no NAME, got ${JSON.stringify(stray)} (it starts the saved daemons)`);
  return { verb: 'resurrect' };
}

/** Starts the saved daemons that do not run; exit 1 when one could not be started or has no record. */
export async function resurrect(_request: ResurrectRequest, io: Io): Promise<number> {
  const dir = existingStateDirectory();
  const saved = dir === undefined ? undefined : readSaved(dir);
  if (dir === undefined || saved === undefined) throw new XDaemonError('nothing was saved (xdaemon save records the daemons that run)');
  let code: number = EXIT.ok;
  const records: DaemonRecord[] = [];
  for (const name of saved.names) {
    const record = readRecord(dir, name);
    if (record === undefined) {
      io.err(`${name} was saved but has no record any more (deleted?): not started`);
      code = EXIT.failure;
      continue;
    }
    try {
      records.push(refreshedRecord(record, process.env, (file) => existsSync(file)));
    } catch (err) {
      io.err(`${name}: ${(err as Error).message}`);
      code = EXIT.failure;
    }
  }
  const started = startAll(dir, await notRunning(dir, records, io), process.env, io);
  if (saved.names.length === 0) io.out('the saved list is empty: nothing to start');
  return Math.max(code, started);
}

/**
 * `xdaemon save [--force]`: records which daemons run now, for `xdaemon resurrect` (at boot, through
 * `xdaemon startup`). Only their names are saved: their records are already in the state directory.
 * An empty list is never saved over a non-empty one without `--force` (pm2 users lose their saved
 * list to a `save` after a reboot that brought nothing back).
 */
import { XDaemonError } from '../errors.js';
import { boolFlag, readLine } from './flags.js';
import type { Io } from './io.js';
import { existingStateDirectory, statusesOf } from './daemons.js';
import { recordNames } from '../fleet/record.js';
import { readSaved, writeSaved } from '../fleet/saved.js';
import { currentStateFacts, openStateDirectory, stateDirectoryPath } from '../fleet/state-dir.js';
import { EXIT, UsageError } from './usage-error.js';

/** `save`, read. */
export interface SaveRequest {
  verb: 'save';
  force: boolean;
}

/** Reads `save`'s arguments. Pure. */
export function parseSave(args: readonly string[]): SaveRequest | { verb: 'help'; topic: 'save' } {
  const line = readLine('save', args, { force: { type: 'boolean' } });
  if (line.help) return { verb: 'help', topic: 'save' };
  const [stray] = line.positionals;
  if (stray !== undefined) throw new UsageError(`save takes no NAME, got ${JSON.stringify(stray)} (it saves the daemons that run)`);
  return { verb: 'save', force: boolFlag(line, 'force') };
}

/** Saves the names of the daemons that run. */
export async function save(request: SaveRequest, io: Io): Promise<number> {
  const existing = existingStateDirectory();
  const { rows, failed } = await statusesOf(existing, existing === undefined ? [] : recordNames(existing), io);
  if (failed) throw new XDaemonError('nothing was saved: a daemon could not be asked (see above)');
  const names = rows.filter((r) => r.state === 'running' || r.state === 'restarting').map((r) => r.name);
  const dir = existing ?? (openStateDirectory(stateDirectoryPath(currentStateFacts()), true) as string);
  const before = readSaved(dir);
  if (names.length === 0 && before !== undefined && before.names.length > 0 && !request.force) {
    throw new XDaemonError(`no daemon runs: the saved list (${before.names.join(', ')}) was kept; xdaemon save --force saves an empty one`);
  }
  writeSaved(dir, names);
  io.out(names.length === 0 ? 'saved an empty list: resurrect starts nothing' : `saved ${names.length} daemon${names.length === 1 ? '' : 's'}: ${names.join(', ')} (xdaemon resurrect starts them)`);
  return EXIT.ok;
}

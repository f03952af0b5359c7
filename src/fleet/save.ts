/**
 * Saving which daemons run, for `resurrect` (at boot, through the startup service). Only their
 * names are saved: their records are already in the state directory. Nothing is saved when a
 * daemon cannot be asked, and an empty list is never saved over a non-empty one unless forced
 * (pm2 users lose their saved list to a `save` after a reboot that brought nothing back).
 */
import { createdStateDirectory, existingStateDirectory, statusesOf } from './daemons.js';
import type { Failed } from './outcome.js';
import { recordNames } from './record.js';
import { readSaved, writeSaved } from './saved.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';

/** What a save did: saved the names; or saved nothing, because a daemon could not be asked, or because nothing runs. */
export type SaveResult =
  | { saved: true; names: string[] }
  | { saved: false; reason: 'not-asked'; failed: Failed[] }
  | { saved: false; reason: 'would-empty'; kept: string[] };

/** Saves the names of the daemons that run now; with `force`, an empty list over a non-empty one. */
export async function saveRunning(options: { force?: boolean } = {}, facts: StateFacts = currentStateFacts()): Promise<SaveResult> {
  const existing = existingStateDirectory(facts);
  const { rows, failed } = await statusesOf(existing, existing === undefined ? [] : recordNames(existing));
  if (failed.length > 0) return { saved: false, reason: 'not-asked', failed };
  const names = rows.filter((r) => r.state === 'running' || r.state === 'restarting').map((r) => r.name);
  const dir = existing ?? createdStateDirectory(facts);
  const before = readSaved(dir);
  if (names.length === 0 && before !== undefined && before.names.length > 0 && options.force !== true) {
    return { saved: false, reason: 'would-empty', kept: before.names };
  }
  writeSaved(dir, names);
  return { saved: true, names };
}

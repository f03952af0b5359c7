/**
 * Reloading named daemons: each running daemon's instances are replaced one by one, every old
 * worker stopped only once its replacement is ready. A daemon that does not run is a failure
 * (a reload never starts one: that is a restart's job).
 */
import { control } from './control-bundle.js';
import { existingStateDirectory, findKnown, resolveNames } from './daemons.js';
import { type DaemonResult, eachName } from './outcome.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';

/** Reloads each daemon of `names`, all at once. */
export async function reloadDaemons(names: readonly string[], facts: StateFacts = currentStateFacts()): Promise<DaemonResult[]> {
  const dir = existingStateDirectory(facts);
  const lib = control();
  return eachName(resolveNames(dir, names), async (name): Promise<DaemonResult> => {
    const daemon = findKnown(dir, name);
    if (daemon === undefined) return { name, outcome: 'not-known' };
    return { name, outcome: 'reloaded', instances: (await lib.reload(daemon.pidFile)).instances };
  });
}

/**
 * Forgetting named daemons: each is stopped if it runs (or cleaned up after if it is dead), then
 * its record, pid file and pid file's state go; its log stays.
 */
import { control } from './control-bundle.js';
import { existingStateDirectory, findKnown, resolveNames } from './daemons.js';
import { type DaemonResult, type Deleted, type NotKnown, eachName } from './outcome.js';
import { forget } from './record.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';

/**
 * Stops (if needed) and forgets the daemon `name`; `was` says whether it had to be stopped.
 *
 * @throws XDaemonError when it cannot be asked or stopped (nothing is forgotten then).
 */
export async function deleteDaemon(name: string, facts: StateFacts = currentStateFacts()): Promise<Deleted | NotKnown> {
  return deleteIn(existingStateDirectory(facts), name);
}

/** {@link deleteDaemon} for each of `names`, all at once. */
export async function deleteDaemons(names: readonly string[], facts: StateFacts = currentStateFacts()): Promise<DaemonResult[]> {
  const dir = existingStateDirectory(facts);
  return eachName(resolveNames(dir, names), (name) => deleteIn(dir, name));
}

async function deleteIn(dir: string | undefined, name: string): Promise<Deleted | NotKnown> {
  const daemon = findKnown(dir, name);
  if (daemon === undefined) return { name, outcome: 'not-known' };
  const lib = control();
  const before = await lib.status(daemon.pidFile);
  if (before.state !== 'stopped' && before.state !== 'errored') await lib.stop(daemon.pidFile);
  forget(daemon.dir, daemon.name);
  return { name, outcome: 'deleted', was: before.state };
}

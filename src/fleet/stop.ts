/**
 * Stopping named daemons: each supervisor stops its worker's whole tree and exits, all at once;
 * the results come once they are gone. A stopped daemon is `not-running` (as LSB asks, not a
 * failure); a dead one (its supervisor was killed) has its leftover processes stopped and its pid
 * file removed.
 */
import { control } from './control-bundle.js';
import { type Selection, eachKnown, existingStateDirectory, selectedNames } from './daemons.js';
import type { DaemonResult } from './outcome.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';

/** Options of {@link stopDaemons}. */
export interface StopDaemonsOptions {
  /** Milliseconds to wait for each daemon to be gone (the library's `stop()` default: 30000). */
  timeout?: number;
}

/** Stops the daemons of `selection`; a name without a record is `not-known`. */
export async function stopDaemons(selection: Selection, options: StopDaemonsOptions = {}, facts: StateFacts = currentStateFacts()): Promise<DaemonResult[]> {
  const dir = existingStateDirectory(facts);
  const lib = control();
  return eachKnown(dir, selectedNames(dir, selection), async (daemon, before): Promise<DaemonResult> => {
    const { name } = daemon;
    if (before.state === 'stopped' || before.state === 'errored') return { name, outcome: 'not-running' };
    await lib.stop(daemon.pidFile, options.timeout === undefined ? {} : { timeout: options.timeout });
    return { name, outcome: 'stopped', was: before.state };
  });
}

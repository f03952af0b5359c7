/**
 * pm2's `sendSignal SIG NAME`: a signal to the workers of named daemons, sent by each daemon's
 * supervisor (the `signal` operation), which knows its workers' pids: no pid read from a file is
 * ever signalled, so a pid reused by another program is never hit.
 */
import { constants } from 'node:os';
import { EUSAGE, XDaemonError } from '../errors.js';
import { control } from './control-bundle.js';
import { eachKnown, existingStateDirectory, resolveNames } from './daemons.js';
import type { DaemonResult } from './outcome.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';

/**
 * The name of a signal of this platform from `text` (`SIGUSR2`, `usr2`, `USR2`).
 *
 * @throws XDaemonError (`code: EUSAGE`) for a word that names none.
 */
export function signalName(text: string): NodeJS.Signals {
  const upper = text.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (!Object.prototype.hasOwnProperty.call(constants.signals, name)) {
    throw new XDaemonError(`no signal named ${JSON.stringify(text)} (SIGUSR2, SIGHUP, …: kill -l lists them)`, { code: EUSAGE, option: 'signal' });
  }
  return name as NodeJS.Signals;
}

/** Sends `signal` to the workers of each daemon of `names`, all at once; one that does not run is `not-running`. */
export async function signalDaemons(signal: NodeJS.Signals, names: readonly string[], facts: StateFacts = currentStateFacts()): Promise<DaemonResult[]> {
  const dir = existingStateDirectory(facts);
  const lib = control();
  return eachKnown(dir, resolveNames(dir, names), async (daemon, now): Promise<DaemonResult> => {
    const { name } = daemon;
    if (now.state !== 'running' && now.state !== 'restarting') return { name, outcome: 'not-running' };
    const { pids } = await lib.operate(daemon.pidFile, 'signal', { signal });
    return { name, outcome: 'signalled', signal, pids };
  });
}

/**
 * Restarting named daemons: a running one gets a new worker (its supervisor stays, its worker's
 * whole tree is stopped gracefully first); a stopped (or dead) one is started again from its
 * record, with the invoking environment plus its recorded additions, its command looked up again.
 */
import { control } from './control-bundle.js';
import { eachKnown, existingStateDirectory, resolveNames } from './daemons.js';
import { refreshedRecord } from './daemon-spec.js';
import { startRecord } from './daemon-start.js';
import type { DaemonResult } from './outcome.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';
import { checkUp, settleOf } from './wait-up.js';

/** Restarts (or starts) each daemon of `names`, all at once: `restarted`, or `started` with the state it `was` in. */
export async function restartDaemons(names: readonly string[], facts: StateFacts = currentStateFacts(), options: { updateEnv?: boolean } = {}): Promise<DaemonResult[]> {
  const dir = existingStateDirectory(facts);
  const lib = control();
  return eachKnown(dir, resolveNames(dir, names), async (daemon, now): Promise<DaemonResult> => {
    const { name } = daemon;
    // pm2's --update-env: a new supervisor, with this shell's environment (a restart keeps the old one's).
    if (options.updateEnv === true && now.state !== 'stopped') await lib.stop(daemon.pidFile);
    else if (now.state === 'running' || now.state === 'restarting') {
      const { workerPid } = await lib.restart(daemon.pidFile);
      return { name, outcome: 'restarted', workerPid };
    }
    // Dead: what its workers left is stopped and the stale pid file removed first.
    else if (now.state === 'dead') await lib.stop(daemon.pidFile);
    const record = refreshedRecord(daemon.record, facts.env);
    const started = await startRecord(daemon.dir, record, facts.env);
    return checkUp({ name, outcome: 'started', pid: started.pid, workerPid: started.workerPid, readySeconds: started.readySeconds, log: record.log, was: now.state }, daemon.pidFile, settleOf(record.settings));
  });
}

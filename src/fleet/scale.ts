/**
 * pm2's `scale NAME N` (`+N`, `-N`): a daemon's instance count, changed in its record; a daemon
 * that runs is then started anew with it (a new supervisor: the instances of a running supervisor
 * are fixed at its start), one that does not run keeps the count for its next start.
 */
import { EUSAGE, XDaemonError } from '../errors.js';
import { control } from './control-bundle.js';
import { existingStateDirectory, known, resolveNames } from './daemons.js';
import { refreshedRecord } from './daemon-spec.js';
import { startRecord } from './daemon-start.js';
import { type Failed, type Scaled, failed } from './outcome.js';
import { writeRecord } from './record.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';

/** A count as pm2's scale takes it: `N` (that many), `+N` (N more), `-N` (N fewer). */
export type ScaleCount = { to: number } | { by: number };

/**
 * The count of `text`.
 *
 * @throws XDaemonError (`code: EUSAGE`) for anything else.
 */
export function scaleCount(text: string): ScaleCount {
  const m = /^([+-]?)(\d+)$/.exec(text);
  if (m === null || !Number.isSafeInteger(Number(m[2]))) throw new XDaemonError(`scale needs a number of instances (N, +N or -N), got ${JSON.stringify(text)}`, { code: EUSAGE });
  const n = Number(m[2]);
  if (m[1] === '') {
    if (n < 1) throw new XDaemonError('scale to 0 instances: xdaemon stop NAME stops it', { code: EUSAGE });
    return { to: n };
  }
  return { by: m[1] === '-' ? -n : n };
}

/**
 * Sets daemon `word`'s instance count (never below 1).
 *
 * @throws XDaemonError when the name is not known, or the count is what it is already (`code:
 *   EUSAGE`, as pm2's "Nothing to do").
 */
export async function scaleDaemon(word: string, count: ScaleCount, facts: StateFacts = currentStateFacts()): Promise<Scaled | Failed> {
  const dir = existingStateDirectory(facts);
  const [name = word] = resolveNames(dir, [word]);
  const daemon = known(dir, name);
  const from = typeof daemon.record.settings.instances === 'number' ? daemon.record.settings.instances : 1;
  const to = 'to' in count ? count.to : Math.max(1, from + count.by);
  if (to === from) throw new XDaemonError(`${name} runs ${from} instance${from === 1 ? '' : 's'} already: nothing to do`, { code: EUSAGE });
  const record = { ...daemon.record, settings: { ...daemon.record.settings, instances: to } };
  const lib = control();
  const now = await lib.status(daemon.pidFile);
  writeRecord(daemon.dir, record);
  if (now.state === 'stopped') return { name, outcome: 'scaled', from, to, restarted: false };
  try {
    await lib.stop(daemon.pidFile);
    await startRecord(daemon.dir, refreshedRecord(record, facts.env), facts.env);
  } catch (err) {
    return failed(name, err);
  }
  return { name, outcome: 'scaled', from, to, restarted: now.state !== 'dead' };
}

/**
 * `xdaemon resurrect`: starts the daemons `xdaemon save` recorded that do not run, from their
 * records, with the environment of this shell (or of the service that runs it at boot) plus each
 * one's recorded `--env` or file `env` (src/fleet/resurrect.ts).
 */
import { XDaemonError } from '../errors.js';
import { resurrect as resurrectSaved } from '../fleet/resurrect.js';
import { readLine } from './flags.js';
import type { Io } from './io.js';
import { commonSaid, report, unexpected } from './results.js';
import { UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `resurrect`, read. */
export interface ResurrectRequest {
  verb: 'resurrect';
}

/** Reads `resurrect`'s arguments. Pure. */
export function parseResurrect(args: readonly string[]): ResurrectRequest | HelpRequest<'resurrect'> {
  const line = readLine('resurrect', args, {});
  if (line.help) return { verb: 'help', topic: 'resurrect' };
  const [stray] = line.positionals;
  if (stray !== undefined) throw new UsageError(`resurrect takes no NAME, got ${JSON.stringify(stray)} (it starts the saved daemons)`);
  return { verb: 'resurrect' };
}

/** Starts the saved daemons that do not run; exit 1 when one could not be started or has no record. */
export async function resurrect(_request: ResurrectRequest, io: Io): Promise<number> {
  const { saved, results } = await resurrectSaved();
  if (saved === undefined) throw new XDaemonError('nothing was saved (xdaemon save records the daemons that run)');
  const code = report(results, io, (r) => {
    if (r.outcome === 'not-known') return { err: `${r.name} was saved but has no record any more (deleted?): not started` };
    if (r.outcome === 'already-running') return { out: `${r.name} already runs: supervisor ${r.pid ?? '?'} (untouched)` };
    return commonSaid(r) ?? unexpected(r);
  });
  if (saved.length === 0) io.out('the saved list is empty: nothing to start');
  return code;
}

/** The row of `resurrect`. */
export const RESURRECT = defineVerb<ResurrectRequest>({
  name: 'resurrect',
  parse: parseResurrect,
  run: resurrect,
  help: () => `usage: xdaemon resurrect

Starts the daemons xdaemon save recorded that do not run, from their records, with this
environment plus each one's recorded --env or file env (never an old copy of a whole environment).
`,
  synopsis: [['resurrect', 'start the saved daemons (this environment + their own)']],
});

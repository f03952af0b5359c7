/**
 * `xdaemon save [--force]`: records which daemons run now, for `xdaemon resurrect` (at boot, through
 * `xdaemon startup`); src/fleet/save.ts does it. An empty list is never saved over a non-empty one
 * without `--force`.
 */
import { XDaemonError } from '../errors.js';
import { saveRunning } from '../fleet/save.js';
import { boolFlag, readLine } from './flags.js';
import type { Io } from './io.js';
import { EXIT, UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `save`, read. */
export interface SaveRequest {
  verb: 'save';
  force: boolean;
}

/** Reads `save`'s arguments. Pure. */
export function parseSave(args: readonly string[]): SaveRequest | HelpRequest<'save'> {
  const line = readLine('save', args, { force: { type: 'boolean' } });
  if (line.help) return { verb: 'help', topic: 'save' };
  const [stray] = line.positionals;
  if (stray !== undefined) throw new UsageError(`save takes no NAME, got ${JSON.stringify(stray)} (it saves the daemons that run)`);
  return { verb: 'save', force: boolFlag(line, 'force') };
}

/** Saves the names of the daemons that run. */
export async function save(request: SaveRequest, io: Io): Promise<number> {
  const result = await saveRunning({ force: request.force });
  if (!result.saved) {
    if (result.reason === 'would-empty') throw new XDaemonError(`no daemon runs: the saved list (${result.kept.join(', ')}) was kept; xdaemon save --force saves an empty one`);
    for (const f of result.failed) io.err(f.error.message);
    throw new XDaemonError('nothing was saved: a daemon could not be asked (see above)');
  }
  const { names } = result;
  io.out(names.length === 0 ? 'saved an empty list: resurrect starts nothing' : `saved ${names.length} daemon${names.length === 1 ? '' : 's'}: ${names.join(', ')} (xdaemon resurrect starts them)`);
  return EXIT.ok;
}

/** The row of `save`. */
export const SAVE = defineVerb<SaveRequest>({
  name: 'save',
  aliases: ['dump'],
  parse: parseSave,
  run: save,
  help: () => `usage: xdaemon save [--force]

Records which daemons run now (their names; their records are already in the state directory),
for xdaemon resurrect. An empty list is not saved over a non-empty one without --force.
`,
  synopsis: [['save [--force]', 'record which daemons run, for resurrect']],
});

/**
 * `xdaemon scale NAME N|+N|-N` (pm2's): a daemon's instance count set in its record; a running
 * daemon is started anew with it (src/fleet/scale.ts says why), a stopped one keeps it for its next
 * start.
 */
import { type ScaleCount, scaleCount, scaleDaemon } from '../fleet/scale.js';
import { readLine } from './flags.js';
import type { Io } from './io.js';
import { namesOf } from './name-args.js';
import { commonSaid, report, unexpected } from './results.js';
import { UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `scale`, read. */
export interface ScaleRequest {
  verb: 'scale';
  name: string;
  count: ScaleCount;
}

/** Reads `scale`'s arguments. Pure. */
export function parseScale(args: readonly string[]): ScaleRequest | HelpRequest<'scale'> {
  // `-1` is a count, not a flag: read after the name.
  const line = readLine('scale', args.slice(0, 1), {});
  if (line.help) return { verb: 'help', topic: 'scale' };
  const [name, count, stray] = args;
  if (name === undefined || count === undefined) throw new UsageError('scale needs a NAME and a count (xdaemon scale web 4, +1 or -1)');
  if (stray !== undefined) throw new UsageError(`scale takes a NAME and a count, got also ${JSON.stringify(stray)}`);
  const [checked] = namesOf('scale', [name], true);
  return { verb: 'scale', name: checked as string, count: scaleCount(count) };
}

/** Scales the daemon. */
export async function scale(request: ScaleRequest, io: Io): Promise<number> {
  return report([await scaleDaemon(request.name, request.count)], io, (r) => {
    if (r.outcome === 'scaled') {
      const how = r.restarted ? 'started anew with them' : 'for its next start';
      return { out: `scaled ${r.name} from ${r.from} to ${r.to} instance${r.to === 1 ? '' : 's'} (${how})` };
    }
    return commonSaid(r) ?? unexpected(r);
  });
}

/** The row of `scale`. */
export const SCALE = defineVerb<ScaleRequest>({
  name: 'scale',
  parse: parseScale,
  run: scale,
  help: () => `usage: xdaemon scale NAME N | +N | -N

Sets the daemon's instance count (N), or adds or removes instances (+N, -N; never fewer than 1).
A running daemon is started anew with the new count (a new supervisor: the instances of a running
supervisor are fixed at its start); a stopped one keeps the count for its next start.
`,
  synopsis: [['scale NAME N|+N|-N', 'set the instance count']],
});

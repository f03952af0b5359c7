/**
 * `xdaemon flush NAME… | --all [--rotated]`: empties each daemon's log files (the log and its
 * `--err-file`), and with `--rotated` deletes their rotated copies (src/fleet/flush.ts); a running
 * supervisor reopens them.
 */
import { flushLogs } from '../fleet/flush.js';
import { boolFlag, readLine } from './flags.js';
import type { Io } from './io.js';
import { namesOrAll, selectionOf } from './name-args.js';
import { commonSaid, report, unexpected } from './results.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `flush`, read. */
export interface FlushRequest {
  verb: 'flush';
  names: string[];
  all: boolean;
  rotated: boolean;
}

/** Reads `flush`'s arguments. Pure. */
export function parseFlush(args: readonly string[]): FlushRequest | HelpRequest<'flush'> {
  const line = readLine('flush', args, { all: { type: 'boolean' }, rotated: { type: 'boolean' } });
  if (line.help) return { verb: 'help', topic: 'flush' };
  const { names, all } = namesOrAll('flush', line);
  return { verb: 'flush', names, all, rotated: boolFlag(line, 'rotated') };
}

/** Empties the logs; exit 1 if one could not be flushed or has no record. */
export async function flush(request: FlushRequest, io: Io): Promise<number> {
  return report(await flushLogs(selectionOf(request), { rotated: request.rotated }), io, (r) => {
    if (r.outcome !== 'flushed') return commonSaid(r) ?? unexpected(r);
    const rotated = r.removed === undefined ? '' : ` and deleted ${r.removed} rotated file(s)`;
    return { out: `flushed ${r.name}: emptied ${r.files.join(', ')}${rotated}${r.reopened ? '; its supervisor reopened them' : ''}` };
  });
}

/** The row of `flush`. */
export const FLUSH = defineVerb<FlushRequest>({
  name: 'flush',
  parse: parseFlush,
  run: flush,
  help: () => `usage: xdaemon flush NAME… | --all [--rotated]

Empties the log files (the log and the --err-file) in place; a running supervisor reopens them,
so the next lines land in the emptied files.

  --all      every daemon
  --rotated  also delete the rotated copies (log.1 … log.N)
`,
  synopsis: [['flush NAME… | --all [--rotated]', 'empty their log files']],
});

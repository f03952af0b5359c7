/**
 * `xdaemon pid [NAME…]` (pm2's `pid`): the pids of the workers of the daemons named (all, without
 * a name), one a line; a daemon that does not run prints 0, as pm2 prints it. The supervisor's own
 * pid is in `xdaemon status NAME`.
 */
import { existingStateDirectory, resolveNames, statusesOf, unknownName } from '../fleet/daemons.js';
import { recordNames } from '../fleet/record.js';
import { readLine } from './flags.js';
import type { Io } from './io.js';
import { namesOf } from './name-args.js';
import { EXIT } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `pid`, read. */
export interface PidRequest {
  verb: 'pid';
  names: string[];
}

/** Reads `pid`'s arguments. Pure. */
export function parsePid(args: readonly string[]): PidRequest | HelpRequest<'pid'> {
  const line = readLine('pid', args, {});
  if (line.help) return { verb: 'help', topic: 'pid' };
  return { verb: 'pid', names: namesOf('pid', line.positionals, false) };
}

/** Prints the workers' pids; exit 1 for a name not known. */
export async function pid(request: PidRequest, io: Io): Promise<number> {
  const dir = existingStateDirectory();
  const names = request.names.length === 0 ? (dir === undefined ? [] : recordNames(dir)) : resolveNames(dir, request.names);
  const known = dir === undefined ? [] : recordNames(dir);
  let code: number = EXIT.ok;
  for (const name of names.filter((n) => !known.includes(n))) {
    io.err(unknownName(name).message);
    code = EXIT.failure;
  }
  const { rows, failed } = await statusesOf(dir, names.filter((n) => known.includes(n)));
  for (const f of failed) io.err(f.error.message);
  for (const row of rows) {
    const pids = (row.instances ?? []).flatMap((i) => (i.workerPid === undefined ? [] : [i.workerPid]));
    if (pids.length === 0 && row.workerPid !== undefined) pids.push(row.workerPid);
    io.out(pids.length === 0 ? '0' : pids.join('\n'));
  }
  return failed.length > 0 ? EXIT.failure : code;
}

/** The row of `pid`. */
export const PID = defineVerb<PidRequest>({
  name: 'pid',
  parse: parsePid,
  run: pid,
  help: () => `usage: xdaemon pid [NAME…]

The pid of each worker of the daemons named (every daemon without NAME), one a line; 0 for a
daemon that does not run. The supervisor's pid: xdaemon status NAME.
`,
  synopsis: [['pid [NAME…]', "the workers' pids, one a line (0: not running)"]],
});

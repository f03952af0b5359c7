/**
 * A verb's command line that names a fleet file (`start|stop|restart|delete FILE [--only a,b]
 * [--env SET]`), read: whether an argument is a file or a daemon's name, `--only`, and `--env`,
 * whose word without `=` selects pm2's `env_<SET>` while `NAME=VALUE` adds a variable as
 * everywhere else. Pure.
 */
import { type ParsedLine, listFlag, parseEnv } from './flags.js';
import type { FleetRequest } from '../fleet/file.js';
import { isFleetFileName } from '../fleet/file-load.js';
import { checkName } from '../fleet/names.js';
import { UsageError } from './usage-error.js';

/** What a verb does to a fleet file: the file as given (undefined: the default one, start only), `--only`, `--env`. */
export type { FleetRequest };

/** The `--only` flag spec, for the verbs that take a file. */
export const ONLY_FLAG = { only: { type: 'string', multiple: true } } as const;

/**
 * True when a positional is a fleet file, not a script or a daemon's name: by its name alone
 * (src/fleet/file-load.ts), so that `start ./server.js` is never loaded in this process to find out.
 */
export function isFleetArg(arg: string): boolean {
  return isFleetFileName(arg);
}

/** `--only a,b --only c` → `[a, b, c]`, each a valid name. */
export function onlyOf(line: ParsedLine): string[] {
  return listFlag(line, 'only').flatMap((text) => text.split(',')).filter((name) => name !== '').map(checkName);
}

/**
 * `--env` values split: at most one SET (a word without `=`), and NAME=VALUE pairs. A SET where
 * no file is read is a UsageError saying what to write.
 */
export function envOf(line: ParsedLine, withFile: boolean): { envSet: string | undefined; env: Record<string, string> } {
  const values = listFlag(line, 'env');
  const sets = values.filter((v) => !v.includes('='));
  const pairs = values.filter((v) => v.includes('='));
  if (sets.length > 0 && !withFile) {
    throw new UsageError(`--env ${sets[0] as string}: a word without "=" selects env_${sets[0] as string} of a fleet file; for a variable write --env NAME=VALUE`);
  }
  if (sets.length > 1) throw new UsageError(`--env selects one env set, got ${sets.join(' and ')}`);
  const [set] = sets;
  if (set === '') throw new UsageError('--env needs NAME=VALUE or the name of an env set');
  return { envSet: set, env: parseEnv(pairs) };
}

/**
 * The fleet request of `line` when its positionals name a file (`[FILE]`), else undefined. Only
 * `allowed` flags besides `--only` and `--env` may go with a file: the rest belong in the file.
 */
export function fleetRequestOf(verb: string, line: ParsedLine, allowed: readonly string[] = []): FleetRequest | undefined {
  const [first, ...rest] = line.positionals;
  if (first === undefined || !isFleetArg(first)) {
    if (line.flags.has('only')) throw new UsageError(`--only goes with a fleet file (xdaemon ${verb} FILE --only a,b)`);
    return undefined;
  }
  if (rest.length > 0) throw new UsageError(`${verb} takes one fleet file, got also ${JSON.stringify(rest[0])}`);
  return fleetLine(verb, line, first, allowed);
}

/** The fleet request of `line` for `file` (undefined: the default one); other flags refused. */
export function fleetLine(verb: string, line: ParsedLine, file: string | undefined, allowed: readonly string[] = []): FleetRequest {
  for (const flag of line.flags.keys()) {
    if (flag !== 'only' && flag !== 'env' && !allowed.includes(flag)) {
      throw new UsageError(`--${flag} does not go with a fleet file: set it in the file (xdaemon ${verb} FILE [--only a,b] [--env SET])`);
    }
  }
  if (line.command !== undefined) throw new UsageError(`a fleet file takes no -- <command> (xdaemon ${verb} FILE [--only a,b])`);
  if (line.flags.has('only') && onlyOf(line).length === 0) throw new UsageError('--only needs app names');
  return { file, only: onlyOf(line), ...envOf(line, true) };
}

/**
 * The operations on a fleet file (src/fleet/file.ts), loaded when a verb names a file: the key
 * tables and the mapping it brings are initialised then, never at the start of `status` or `list`.
 */
export function fleetFiles(): Promise<typeof import('../fleet/file.js')> {
  return import('../fleet/file.js');
}

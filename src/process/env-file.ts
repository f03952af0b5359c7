/**
 * Environment files (`envFile`): `NAME=value` lines in dotenv's syntax (quotes, `export `,
 * comments, multi-line values in double quotes), read afresh at every start of a worker so that a
 * restart takes the file's current content. The parser is dotenv's, loaded only when a daemon has
 * an env file: Node's own `util.parseEnv` exists only from Node 20.12 and 21.7 (the package runs
 * on Node 18), and taking Node's where present with a fallback would give one file two meanings
 * across Node versions (Node 20's parser differs from 22's on multi-line values and `export `).
 * The values are only ever handed to a worker's environment: nothing here writes them anywhere.
 */
import { readFileSync, statSync } from 'node:fs';
import { EUSAGE, XDaemonError, errorCode, messageOf } from '../errors.js';

/** dotenv's `parse`, loaded on first use. */
let parse: ((src: string) => Record<string, string>) | undefined;

function parser(): (src: string) => Record<string, string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  parse ??= (require('dotenv') as typeof import('dotenv')).parse;
  return parse;
}

/** Why `path` cannot be an env file now (not found, a folder, unreadable), or undefined. */
export function envFileProblem(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return 'is not a file';
    readFileSync(path);
    return undefined;
  } catch (err) {
    const code = errorCode(err);
    return code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${messageOf(err)})`;
  }
}

/**
 * Throws an XDaemonError (`code: EUSAGE`, `option: 'envFile'`) naming the first of `paths` that
 * cannot be read: what a start refuses before anything runs.
 */
export function checkEnvFiles(paths: readonly string[], flag = 'envFile'): void {
  for (const path of paths) {
    const problem = envFileProblem(path);
    if (problem !== undefined) throw new XDaemonError(`${flag} ${path} ${problem}`, { code: EUSAGE, option: 'envFile', reason: `${path} ${problem}` });
  }
}

/**
 * The variables of `paths`, read now, a later file winning. Throws an XDaemonError naming the file
 * that cannot be read (at a restart: a failed start, which the policy counts).
 */
export function readEnvFiles(paths: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new XDaemonError(`env file ${path}: ${messageOf(err)}`, { code: errorCode(err), option: 'envFile', reason: messageOf(err) });
    }
    Object.assign(vars, parser()(text));
  }
  return vars;
}

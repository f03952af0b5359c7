/**
 * What runs a script: `xdaemon start server.js` and pm2's `script` key. A Node script (`.js`,
 * `.cjs`, `.mjs`) runs with this very node (not whichever `node` PATH finds); a TypeScript one
 * (`.ts`, `.mts`, `.cts`) with this node and the loader installed for it (tsx, looked up from the
 * script's directory up, as Node looks packages up), else a clear error; an interpreter given
 * (pm2's `interpreter`) runs the script as its argument, `none` runs it as it is; a script pm2 would
 * hand to an interpreter by its extension (`.sh` → bash, `.py` → python, …) gets that one; any
 * other executable file runs as it is.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EUSAGE, XDaemonError } from '../errors.js';
import type { DaemonSpec } from './daemon-spec.js';

/** A script that cannot be run (`code: EUSAGE`, `option: 'script'`); the message says why. */
export class ScriptError extends XDaemonError {
  constructor(message: string) {
    super(message, { code: EUSAGE, option: 'script' });
  }
}

const NODE_EXTS = ['.js', '.cjs', '.mjs'];
const TS_EXTS = ['.ts', '.mts', '.cts'];
/** pm2's interpreters by extension (lib/API/interpreter.json), but for Node's and TypeScript's. */
const INTERPRETERS: Record<string, string> = { '.sh': 'bash', '.py': 'python', '.rb': 'ruby', '.php': 'php', '.pl': 'perl', '.coffee': 'coffee' };

/** True for a file name that is a Node or TypeScript script by its extension. */
export function isScriptName(path: string): boolean {
  const ext = extname(path);
  return NODE_EXTS.includes(ext) || TS_EXTS.includes(ext);
}

/**
 * The command line that runs `script` (absolute): `{ command, args }`, the script among the args
 * (after `interpreterArgs`), or the script itself as the command.
 *
 * @throws ScriptError when the script is missing, or no loader or interpreter can run it.
 */
export function scriptCommand(script: string, interpreter: string | undefined, interpreterArgs: readonly string[], node: string = process.execPath): { command: string; args: string[] } {
  let isFile = false;
  try {
    isFile = statSync(script).isFile();
  } catch {
    // missing
  }
  if (!isFile) throw new ScriptError(`script ${script} does not exist`);
  const ext = extname(script);
  const withInterpreter = (command: string, before: readonly string[] = []): { command: string; args: string[] } => ({ command, args: [...before, ...interpreterArgs, script] });
  if (interpreter === 'none') return { command: script, args: [] };
  if (interpreter !== undefined && interpreter !== 'node') return withInterpreter(interpreter);
  if (TS_EXTS.includes(ext)) {
    const loader = findTsLoader(dirname(script));
    if (loader === undefined) {
      throw new ScriptError(`script ${script} is TypeScript and no loader is installed for it: npm install --save-dev tsx where it is, or give an interpreter`);
    }
    return withInterpreter(node, ['--import', pathToFileURL(loader).href]);
  }
  if (NODE_EXTS.includes(ext) || interpreter === 'node') return withInterpreter(node);
  const known = INTERPRETERS[ext];
  if (isExecutable(script)) return { command: script, args: [...interpreterArgs] };
  if (known !== undefined) return withInterpreter(known);
  throw new ScriptError(`script ${script} is neither a Node script (.js, .cjs, .mjs, .ts) nor executable: chmod +x it, or give an interpreter`);
}

/**
 * The spec that runs `script` (relative to the spec's `cwd`, itself relative to `cwd`) with `args`
 * after it: pm2's one-liner, `xdaemon start server.js`.
 *
 * @throws ScriptError when the script is missing, or no loader or interpreter can run it.
 */
export function scriptSpec(script: string, spec: Omit<DaemonSpec, 'command'>, cwd: string): DaemonSpec {
  const program = scriptCommand(resolve(cwd, spec.cwd ?? '.', script), undefined, []);
  return { ...spec, command: program.command, args: [...program.args, ...spec.args] };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The entry of the `tsx` package installed for a script in `dir` (`node_modules` of it and above), if any. */
export function findTsLoader(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const pkg = join(at, 'node_modules', 'tsx');
    try {
      const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
      const entry = manifest.exports?.['.'];
      const file = typeof entry === 'string' ? entry : (entry as { import?: unknown; default?: unknown } | undefined)?.import ?? (entry as { default?: unknown } | undefined)?.default;
      if (typeof file === 'string') return join(pkg, file);
    } catch {
      // none here
    }
    if (dirname(at) === at) return undefined;
  }
}

/**
 * What runs a script: `xdaemon start server.js` and pm2's `script` key. A Node script (`.js`,
 * `.cjs`, `.mjs`) runs with this very node (not whichever `node` PATH finds); a TypeScript one
 * (`.ts`, `.mts`, `.cts`) with this node and the loader installed for it (tsx, looked up from the
 * script's directory up, as Node looks packages up), else a clear error; an interpreter given
 * (pm2's `interpreter`) runs the script as its argument, `none` runs it as it is; a script pm2 would
 * hand to an interpreter by its extension (`.sh` → bash, `.py` → python, …) gets that one; any
 * other executable file runs as it is (its `#!` line honoured, where pm2 would run it with node).
 * As in pm2, a script that is no file is a command: a bare word (`npm`, `python3`) is found on
 * PATH, and a line with blanks (`npm run start`) runs through a shell (bash, else sh).
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EUSAGE, XDaemonError } from '../errors.js';
import type { DaemonSpec } from './daemon-spec.js';
import { checkName, pm2Name } from './names.js';

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

/** How a script as written runs; `commandLine` when it ran through a shell (its `args` cannot follow). */
export interface ScriptProgram {
  command: string;
  args: string[];
  commandLine: boolean;
}

/**
 * The command line that runs `written` (the script as given; `script` is it resolved against the
 * app's directory): {@link scriptCommand} for a file; else, as pm2 does, a line with blanks runs
 * through a shell and a bare word is a command found on PATH (by the caller, with its environment).
 *
 * @throws ScriptError when the file is missing (a path), or no loader or interpreter can run it.
 */
export function scriptProgram(written: string, script: string, interpreter: string | undefined, interpreterArgs: readonly string[], node: string = process.execPath): ScriptProgram {
  if (existsSync(script)) return { ...scriptCommand(script, interpreter, interpreterArgs, node), commandLine: false };
  const line = written.trim();
  if (/\s/.test(line)) return { command: shell(), args: ['-c', line], commandLine: true };
  // A bare word is a command on PATH (`npm`, `python3`), unless it names a script by its extension (`app.js`: missing).
  const scriptLike = isScriptName(line) || INTERPRETERS[extname(line)] !== undefined;
  if (!scriptLike && !line.includes('/') && !line.includes('\\')) {
    return interpreter === undefined || interpreter === 'none' ? { command: line, args: [...interpreterArgs], commandLine: false } : { command: interpreter, args: [...interpreterArgs, line], commandLine: false };
  }
  throw new ScriptError(`script ${script} does not exist`);
}

/** pm2's shell for a command line: bash where there is one, else sh. */
function shell(): string {
  return ['/bin/bash', '/usr/bin/bash'].some((path) => existsSync(path)) ? 'bash' : 'sh';
}

/**
 * The spec that runs `script` (relative to the spec's `cwd`, itself relative to `cwd`) with `args`
 * after it: pm2's one-liner, `xdaemon start server.js`.
 *
 * @throws ScriptError when the script is missing, or no loader or interpreter can run it.
 */
export function scriptSpec(script: string, spec: Omit<DaemonSpec, 'command'>, cwd: string, interpreter?: string, interpreterArgs: readonly string[] = []): DaemonSpec {
  const program = scriptProgram(script, resolve(cwd, spec.cwd ?? '.', script), interpreter, interpreterArgs);
  if (program.commandLine && spec.args.length > 0) throw new ScriptError(`${JSON.stringify(script)} is a command line: write its arguments in it, or give the program and its arguments after --`);
  // Named as pm2 names it: after the script as written (`npm run staging` too), not the shell or node that runs it.
  return { ...spec, name: spec.name ?? checkName(pm2Name(script)), command: program.command, args: [...program.args, ...spec.args] };
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

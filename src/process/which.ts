/**
 * Finding the executable a command names, as a shell does: a name with a slash is a path (relative
 * to the working directory), a bare name is looked up in PATH (and PATHEXT on Windows). Done before
 * anything is started, so that "command not found" is reported where the user typed it.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { XDaemonError } from '../errors.js';

/** The absolute path of the executable `command` names; throws an XDaemonError naming it otherwise. */
export function resolveCommand(command: string, env: NodeJS.ProcessEnv, cwd: string): string {
  if (command === '') throw new XDaemonError('the command is empty');
  const windows = process.platform === 'win32';
  const hasSlash = command.includes('/') || (windows && command.includes('\\'));
  if (hasSlash || isAbsolute(command)) {
    const path = resolve(cwd, command);
    const why = notExecutable(path);
    if (why !== undefined) throw new XDaemonError(`cannot run ${JSON.stringify(command)}: ${why}`, { code: why.startsWith('no such') ? 'ENOENT' : 'EACCES' });
    return path;
  }
  const extensions = windows ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter);
  for (const dir of dirs) {
    for (const ext of extensions) {
      const candidate = join(resolve(cwd, dir === '' ? '.' : dir), command + ext);
      if (notExecutable(candidate) === undefined) return candidate;
    }
  }
  throw new XDaemonError(`command not found: ${JSON.stringify(command)} (not in PATH)`, { code: 'ENOENT' });
}

/** Why `path` cannot be executed, or undefined when it can. */
function notExecutable(path: string): string | undefined {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    return 'no such file';
  }
  if (!isFile) return 'not a file';
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    return 'not executable (permission denied)';
  }
}

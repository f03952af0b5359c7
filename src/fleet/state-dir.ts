/**
 * The state directory, where named daemons live: which one (`$XDAEMON_HOME`, else
 * `$XDG_STATE_HOME/xdaemon`, else `~/.local/state/xdaemon`; on Windows `%LOCALAPPDATA%\xdaemon\state`),
 * creating it private (0o700), and refusing one that someone else could write to: a record names
 * a command that `restart` runs, so a directory others can write is a way to run their commands.
 */
import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { XDaemonError, errorCode, messageOf } from '../errors.js';

/** What the location depends on. */
export interface StateFacts {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  home: string;
  cwd: string;
}

/** The state directory's path (not checked, not created). */
export function stateDirectoryPath(facts: StateFacts): string {
  const { env } = facts;
  if (env.XDAEMON_HOME !== undefined && env.XDAEMON_HOME !== '') return resolve(facts.cwd, env.XDAEMON_HOME);
  if (facts.platform === 'win32') {
    const local = env.LOCALAPPDATA !== undefined && env.LOCALAPPDATA !== '' ? env.LOCALAPPDATA : join(facts.home, 'AppData', 'Local');
    return join(local, 'xdaemon', 'state');
  }
  const xdg = env.XDG_STATE_HOME;
  // The XDG spec: a relative value is invalid and ignored.
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'xdaemon');
  return join(facts.home, '.local', 'state', 'xdaemon');
}

/** The facts of this process. */
export function currentStateFacts(): StateFacts {
  return { env: process.env, platform: process.platform, home: homedir(), cwd: process.cwd() };
}

/**
 * The state directory, resolved through symbolic links, after checking it: a directory, owned by
 * this user, not writable by group or others. With `create` it is made (mode 0o700, parents too)
 * when missing; without, a missing one gives undefined (no daemons yet).
 *
 * @throws XDaemonError naming the directory when it cannot be created or is not safe.
 */
export function openStateDirectory(path: string, create: boolean): string | undefined {
  if (create) {
    try {
      mkdirSync(path, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new XDaemonError(`cannot create the state directory ${path}: ${messageOf(err)}`, { cause: err, code: errorCode(err) });
    }
  }
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (err) {
    if (!create && errorCode(err) === 'ENOENT') return undefined;
    throw new XDaemonError(`cannot use the state directory ${path}: ${messageOf(err)}`, { cause: err, code: errorCode(err) });
  }
  if (!stat.isDirectory()) throw new XDaemonError(`the state directory ${path} is not a directory`, { code: 'ENOTDIR' });
  const uid = process.getuid?.();
  if (uid !== undefined) {
    if (stat.uid !== uid) {
      throw new XDaemonError(`the state directory ${path} belongs to uid ${stat.uid}, not to you (uid ${uid}); refusing to use it`, { code: 'EPERM' });
    }
    if ((stat.mode & 0o022) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new XDaemonError(`the state directory ${path} is writable by others (mode ${mode}); refusing to use it (chmod 700 it)`, { code: 'EPERM' });
    }
  }
  return realpathSync(path);
}

/**
 * Facts about the machine a service is installed on (platform, home, user, the directories the
 * managers read), and the mapping of the paths they name to where the files really are under a
 * `root` prefix. Read once from the process; tests pass a root instead of touching /etc.
 */
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** What the backends need to know about the machine. */
export interface HostFacts {
  platform: NodeJS.Platform;
  /** The user's home directory (as the manager knows it: not under the root prefix). */
  home: string;
  uid: number;
  username: string;
  /** `$XDG_CONFIG_HOME` when set to an absolute path. */
  xdgConfigHome: string | undefined;
  /** `%ProgramData%` and `%LOCALAPPDATA%` (Windows). */
  programData: string | undefined;
  localAppData: string | undefined;
}

/** The facts of this process's machine and user. */
export function currentHost(): HostFacts {
  const xdg = process.env.XDG_CONFIG_HOME;
  return {
    platform: process.platform,
    home: homedir(),
    uid: process.getuid?.() ?? 0,
    username: safeUsername(),
    xdgConfigHome: xdg !== undefined && isAbsolute(xdg) ? xdg : undefined,
    programData: process.env.ProgramData ?? process.env.PROGRAMDATA,
    localAppData: process.env.LOCALAPPDATA,
  };
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? String(process.getuid?.() ?? '');
  }
}

/**
 * Where the file the manager knows as `path` is, under `root`. With the default root (`/`) that is
 * `path` itself; otherwise the path goes under the root, a Windows drive (`C:\x`) as a folder
 * (`<root>/C/x`).
 */
export function underRoot(root: string, path: string): string {
  if (root === '/') return path;
  const drive = /^([A-Za-z]):[\\/](.*)$/.exec(path);
  if (drive !== null) return join(root, drive[1] as string, ...(drive[2] as string).split(/[\\/]+/));
  return join(root, path);
}

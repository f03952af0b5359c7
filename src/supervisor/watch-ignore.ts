/**
 * What `watch` never reacts to, decided for one changed path (pure): anything in `node_modules` or
 * `.git`, dotfiles and dot-folders, the daemon's own files (its logs and their rotated copies, the
 * pid and state files, the state directory), and the user's `watchIgnore` globs, which add to these
 * and never replace them. A glob without `/` is matched against every part of the path (`*.log`,
 * `dist`); one with `/` against the path relative to the watched folder (`build/**`), or, when it
 * is absolute, against the absolute path. `**` matches across `/`, `*` and `?` do not. A folder
 * that is ignored ignores what is in it.
 */
import { isAbsolute, relative, sep } from 'node:path';

/** Folders ignored wherever they are. */
export const IGNORED_NAMES: readonly string[] = ['node_modules', '.git'];

/** A compiled ignore rule set. */
export interface IgnoreRules {
  /** True when a change of `path` (absolute) under the watched `root` restarts nothing. */
  ignores(root: string, path: string): boolean;
}

/** The rules for the daemon's own `files` (logs, pid file, state directory: absolute) and the user's `globs`. */
export function ignoreRules(files: readonly string[], globs: readonly string[]): IgnoreRules {
  const own = files.filter((f) => f !== '');
  const byPart = globs.filter((g) => !g.includes('/')).map(globRegExp);
  const byPath = globs.filter((g) => g.includes('/') && !isAbsolute(g)).map((g) => globRegExp(g.replace(/^\.\//, '')));
  const byAbsolute = globs.filter((g) => isAbsolute(g)).map(globRegExp);
  return {
    ignores(root, path) {
      if (own.some((f) => path === f || isRotatedOrTemporary(f, path) || path.startsWith(`${f}${sep}`))) return true;
      const rel = relative(root, path);
      if (rel === '' || rel.startsWith('..')) return false;
      const parts = rel.split(sep);
      if (parts.some((p) => p.startsWith('.') || IGNORED_NAMES.includes(p))) return true;
      if (parts.some((p) => byPart.some((re) => re.test(p)))) return true;
      const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
      if (prefixes.some((p) => byPath.some((re) => re.test(p)))) return true;
      const absolutes = parts.map((_, i) => `${root}${sep}${parts.slice(0, i + 1).join(sep)}`);
      return absolutes.some((p) => byAbsolute.some((re) => re.test(p)));
    },
  };
}

/** `log.1`, `log.2`, … (rotated), `state.1234.tmp` (an atomic write under way) of `file`. */
function isRotatedOrTemporary(file: string, path: string): boolean {
  if (!path.startsWith(`${file}.`)) return false;
  return /^\.(\d+|\d+\.tmp)$/.test(path.slice(file.length));
}

/** A glob as a regular expression over a whole string. */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches no folder or any number of them; `**` elsewhere anything.
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

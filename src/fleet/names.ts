/**
 * Daemon names: a name is shown as it was written (pm2 takes `'Server commiets'` and so do we),
 * but it also becomes file names in the state directory (`<stem>.json`, `.pid`, `.log`), so each
 * name has a file stem that cannot reach outside that directory: a plain name is its own stem,
 * any other character is written `%XX` (its UTF-8 bytes), so two names never share files and the
 * name is read back from the stem without opening the record. And the default name of a command
 * line, as pm2 derives one (`node server.js` → `server`). Pure: whether an argument is a file is
 * asked of the caller.
 */
import { basename, extname } from 'node:path';
import { EUSAGE, XDaemonError } from '../errors.js';

/** What a name may be, in the words of the error message. */
export const NAME_RULE = '1 to 100 characters, no control characters, not "all" (which means every daemon)';

/** What a plain name is: its own file stem, and a name an OS service can take. */
export const PLAIN_NAME_RULE = '1 to 100 letters, digits, ".", "_", "-" or "@", not starting with "."';

const PLAIN_RE = /^[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,99}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** The word that means every daemon to the verbs that take names (pm2's `stop all`). */
export const ALL = 'all';

/** True for a name a daemon may have: 1 to 100 characters, no control character, not only blanks, not `all`. */
export function isValidName(name: string): boolean {
  return name.length > 0 && name.length <= 100 && !CONTROL.test(name) && name.trim() !== '' && name !== ALL;
}

/** True for a name that is its own file stem (and can name an OS service). */
export function isPlainName(name: string): boolean {
  return PLAIN_RE.test(name) && !name.includes('..');
}

/** Returns `name`, or throws an XDaemonError (`code: EUSAGE`, `option: 'name'`) saying why it cannot be one. */
export function checkName(name: string): string {
  if (!isValidName(name)) throw new XDaemonError(`invalid name ${JSON.stringify(name)}: a name is ${NAME_RULE}`, { code: EUSAGE, option: 'name', reason: `a name is ${NAME_RULE}` });
  return name;
}

/** Returns `name` when it is plain, or throws an XDaemonError (`code: EUSAGE`, `option: 'name'`) saying what `use` needs. */
export function checkPlainName(name: string, use: string): string {
  if (!isPlainName(name)) throw new XDaemonError(`invalid name ${JSON.stringify(name)} for ${use}: it needs ${PLAIN_NAME_RULE}`, { code: EUSAGE, option: 'name', reason: `${use} needs ${PLAIN_NAME_RULE}` });
  return name;
}

/** The file stem of a valid name: itself when plain, else every other character as `%XX` (so `%` itself too). */
export function stemOf(name: string): string {
  if (isPlainName(name)) return name;
  let stem = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    stem += /[A-Za-z0-9_@-]/.test(c) || (c === '.' && stem !== '' && !stem.endsWith('.')) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return stem;
}

/** The name whose stem is `stem`, or undefined when `stem` is no name's stem (a stray file). */
export function nameOfStem(stem: string): string | undefined {
  if (!stem.includes('%')) return isPlainName(stem) ? stem : undefined;
  const bytes: number[] = [];
  for (let i = 0; i < stem.length; i++) {
    if (stem[i] === '%') {
      bytes.push(Number.parseInt(stem.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(stem.charCodeAt(i));
    }
  }
  if (bytes.some((b) => !(b >= 0 && b <= 255))) return undefined;
  const name = Buffer.from(bytes).toString('utf8');
  // Read back only what stemOf writes (no invalid UTF-8, no stem written another way).
  return isValidName(name) && stemOf(name) === stem ? name : undefined;
}

/**
 * The name a command line gets without `--name`: the base name, less its extension, of the first
 * argument that is an existing file (`node server.js` → `server`), else of the executable
 * (`sh -c …` → `sh`). Throws an XDaemonError (`code: EUSAGE`) when that is not a valid name.
 */
export function defaultName(command: string, args: readonly string[], isFile: (arg: string) => boolean): string {
  const source = args.find((arg) => arg !== '' && isFile(arg)) ?? command;
  const base = pm2Name(source);
  if (!isValidName(base)) {
    throw new XDaemonError(`cannot make a name of ${JSON.stringify(source)} (a name is ${NAME_RULE}): give one with --name`, {
      code: EUSAGE,
      option: 'name',
      reason: `${JSON.stringify(base)} is not a name`,
    });
  }
  return base;
}

/**
 * The name pm2 gives a script (its renderApplicationName): the base name, cut at its last dot
 * unless that dot is the first character (`dist/server.js` → `server`, `a.b.c` → `a.b`,
 * `.hidden` → `.hidden`, `npm run staging` → `npm run staging`); Windows separators too.
 */
export function pm2Name(script: string): string {
  const last = basename(script.replace(/\\/g, '/'));
  return basename(last, extname(last));
}

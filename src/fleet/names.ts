/**
 * Daemon names: a name becomes file names in the state directory (`<name>.json`, `.pid`, `.log`),
 * so only names that cannot reach outside it are taken; and the default name of a command line,
 * as pm2 derives one (`node server.js` → `server`). Pure: whether an argument is a file is asked
 * of the caller.
 */
import { basename, extname } from 'node:path';
import { EUSAGE, XDaemonError } from '../errors.js';

/** What a name may be, in the words of the error message. */
export const NAME_RULE = '1 to 100 letters, digits, ".", "_", "-" or "@", not starting with "."';

const NAME_RE = /^[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,99}$/;

/** True for a name the state directory can hold (no `/`, `\`, `..`, NUL, no leading `.`). */
export function isValidName(name: string): boolean {
  return NAME_RE.test(name) && !name.includes('..');
}

/** Returns `name`, or throws an XDaemonError (`code: EUSAGE`, `option: 'name'`) saying why it cannot be one. */
export function checkName(name: string): string {
  if (!isValidName(name)) throw new XDaemonError(`invalid name ${JSON.stringify(name)}: a name is ${NAME_RULE}`, { code: EUSAGE, option: 'name', reason: `a name is ${NAME_RULE}` });
  return name;
}

/**
 * The name a command line gets without `--name`: the base name, less its extension, of the first
 * argument that is an existing file (`node server.js` → `server`), else of the executable
 * (`sh -c …` → `sh`). Throws an XDaemonError (`code: EUSAGE`) when that is not a valid name.
 */
export function defaultName(command: string, args: readonly string[], isFile: (arg: string) => boolean): string {
  const source = args.find((arg) => arg !== '' && isFile(arg)) ?? command;
  const base = baseName(source);
  if (!isValidName(base)) {
    throw new XDaemonError(`cannot make a name of ${JSON.stringify(source)} (a name is ${NAME_RULE}): give one with --name`, {
      code: EUSAGE,
      option: 'name',
      reason: `${JSON.stringify(base)} is not a name`,
    });
  }
  return base;
}

/** `dir/app.test.js` → `app.test`; also with Windows separators. */
function baseName(path: string): string {
  const last = basename(path.replace(/\\/g, '/'));
  return basename(last, extname(last));
}

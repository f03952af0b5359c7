/**
 * pm2's units, read as pm2 reads them (lib/tools/Config.js, lib/God.js), so that an ecosystem file
 * means in xdaemon what it meant under pm2: times as milliseconds or with `h`/`m`/`s`, sizes as
 * bytes or with `K`/`M`/`G` (1024-based), `args` as one string split into words, `instances` as a
 * count where 0 and `'max'` mean one per CPU and a negative number means that many fewer. Pure:
 * each throws a {@link KeyValueError} saying what the value must be, the caller names the key.
 */

/** A value a key cannot take; the message says what it must be. */
export class KeyValueError extends Error {
  override readonly name = 'KeyValueError';
}

const TIME = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE = /^(\d+(?:\.\d+)?)([kKmMgG])?[bB]?$/;
const SIZE_UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Milliseconds from a number of ms or a string like `'4s'`, `'1m'`, `'500'` (pm2's "stime"). */
export function pm2Millis(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const m = TIME.exec(value.trim());
    if (m !== null) return Number(m[1]) * (TIME_UNITS[m[2] ?? 'ms'] as number);
  }
  throw new KeyValueError(`must be milliseconds, or a number with h, m or s ('10s'), got ${JSON.stringify(value)}`);
}

/** Bytes from a number or a string like `'512M'`, `'1G'`, `'300K'` (pm2's "sbyte", 1024-based). */
export function pm2Bytes(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const m = SIZE.exec(value.trim());
    if (m !== null) return Math.round(Number(m[1]) * (m[2] === undefined ? 1 : (SIZE_UNITS[m[2].toLowerCase()] as number)));
  }
  throw new KeyValueError(`must be bytes, or a number with K, M or G ('512M'), got ${JSON.stringify(value)}`);
}

/** A boolean; pm2 files also write `'true'`/`'false'`. */
export function pm2Bool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new KeyValueError(`must be true or false, got ${JSON.stringify(value)}`);
}

/** A non-empty string. */
export function pm2Text(value: unknown): string {
  if (typeof value === 'string' && value !== '' && !value.includes('\0')) return value;
  throw new KeyValueError(`must be a non-empty string, got ${JSON.stringify(value)}`);
}

/**
 * The elements of an array that are there: holes (`[a, , b]`) and `null`s are skipped, as pm2
 * skips them in `ignore_watch` (in `args` pm2 would pass the word "null": never what was meant).
 */
export function present(list: readonly unknown[]): unknown[] {
  return list.filter((v) => v !== null && v !== undefined);
}

/**
 * A list of words: an array of strings (numbers are taken as their text), or one string split the
 * way pm2 splits it: on blanks, with `"…"` and `'…'` quoting a word with blanks.
 */
export function pm2Words(value: unknown): string[] {
  if (Array.isArray(value)) {
    return present(value).map((word: unknown) => {
      if (typeof word === 'string') return word;
      if (typeof word === 'number') return String(word);
      throw new KeyValueError(`must hold strings, got ${JSON.stringify(word)}`);
    });
  }
  if (typeof value === 'string') {
    return (value.match(/[^\s"'=]+="[^"]*"|[^\s"'=]+='[^']*'|"[^"]*"|'[^']*'|\S+/g) ?? []).map((word) =>
      (word.startsWith('"') && word.endsWith('"')) || (word.startsWith("'") && word.endsWith("'")) ? word.slice(1, -1) : word,
    );
  }
  throw new KeyValueError(`must be a string or an array of strings, got ${JSON.stringify(value)}`);
}

/** A list of strings from a string or an array of them (pm2's `watch`, `ignore_watch`). */
export function pm2List(value: unknown): string[] {
  if (typeof value === 'string' && value !== '') return [value];
  if (Array.isArray(value) && present(value).every((v) => typeof v === 'string' && v !== '')) return present(value) as string[];
  throw new KeyValueError(`must be a string or an array of strings, got ${JSON.stringify(value)}`);
}

/** Exit codes: a number or an array of them, 0 to 255. */
export function pm2Codes(value: unknown): number[] {
  const codes = Array.isArray(value) ? present(value) : [value];
  for (const code of codes) {
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 255) {
      throw new KeyValueError(`must be an exit code or an array of them (0 to 255), got ${JSON.stringify(value)}`);
    }
  }
  return codes as number[];
}

/**
 * The number of instances pm2 runs for `instances`: a count, `'max'` or 0 for one per CPU, a
 * negative number for that many fewer than the CPUs; never fewer than one.
 */
export function pm2Instances(value: unknown, cpus: number): number {
  let n: number;
  if (value === 'max') n = 0;
  else if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) n = Number(value.trim());
  else throw new KeyValueError(`must be a whole number, 'max', 0 (one per CPU) or a negative number (that many fewer), got ${JSON.stringify(value)}`);
  if (n === 0) n = cpus;
  else if (n < 0) n += cpus;
  return Math.max(1, n);
}

/** An environment: an object whose values are strings (numbers and booleans are taken as their text). */
export function envObject(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new KeyValueError(`must be an object of NAME: value, got ${JSON.stringify(value)}`);
  const env: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (name === '' || name.includes('=') || name.includes('\0')) throw new KeyValueError(`has a name a variable cannot have: ${JSON.stringify(name)}`);
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') env[name] = String(v);
    else if (v !== undefined && v !== null) throw new KeyValueError(`${name} must be a string, got ${JSON.stringify(v)}`);
  }
  return env;
}

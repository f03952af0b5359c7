/**
 * Checking settings against the table: each value by its row's kind (./table), then the rules
 * between settings (./rules), so that a setting that would be accepted and never used is refused.
 * The one normalisation happens here too: `listen` is parsed by its check (./listen). Errors are
 * TypeErrors and RangeErrors that name the setting and the value, with the fields of
 * `optionError` (the setting, the reason, the message without its prefix).
 */
import { describe, optionError } from '../errors.js';
import { DEFAULTS, SETTING_NAMES } from './derived.js';
import { parseListen } from './listen.js';
import { refusalOf } from './rules.js';
import { healthProblem } from '../supervisor/health/health-spec.js';
import { MAX_TIMER, SETTINGS, type SettingKind } from './table.js';
import type { DaemonOptions, DaemonSettings, SettingName } from './types.js';

/** Throws unless `options` is an object with known keys only (`known`: the settings' names). */
export function checkOptionKeys(options: unknown, known: readonly string[] = SETTING_NAMES): asserts options is DaemonOptions {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw optionError(TypeError, `options must be an object, got ${describe(options)}`, { option: 'options', reason: `must be an object, got ${describe(options)}` });
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw optionError(TypeError, `unknown option ${JSON.stringify(key)} (known: ${known.join(', ')})`, { option: key, reason: 'is not an option' });
    }
  }
}

/** What the rules between settings may know besides the settings. */
export interface CheckContext {
  /** Whether the worker's output goes to a log file (false: it is discarded); undefined: not known here. */
  logged?: boolean | undefined;
  /** Whether a setting was given (default: its value in the source is not undefined). */
  given?: (name: SettingName) => boolean;
  /** The defaults of the settings not given (default: the table's, Go's; a named daemon's: ./profiles). */
  defaults?: Readonly<DaemonSettings>;
}

/**
 * Validates every setting of `source` (fields of a Daemon, or options); `undefined` means "not
 * set" and gets the default. Throws a TypeError or RangeError naming the first bad one, or one
 * that would have no effect with the others (the rules of ./rules).
 */
export function checkSettings(source: Readonly<Partial<Record<SettingName, unknown>>>, context: CheckContext = {}): DaemonSettings {
  const settings: Record<string, unknown> = {};
  const defaults = context.defaults ?? DEFAULTS;
  for (const name of SETTING_NAMES) {
    const value = source[name];
    settings[name] = value === undefined ? defaults[name] : checkSetting(name, value);
  }
  const checked = settings as DaemonSettings;
  // Refused, not accepted and then ignored.
  const refusal = refusalOf({
    settings: checked,
    defaults,
    given: context.given ?? ((name) => source[name] !== undefined),
    logged: context.logged,
  });
  if (refusal !== undefined) {
    const reason = refusal.says((name) => name);
    throw optionError(RangeError, `${refusal.option} ${reason}`, { option: refusal.option, reason });
  }
  return checked;
}

/** Checks one value against its row of the table; returns it (a copy, for arrays). */
export function checkSetting(name: SettingName, value: unknown): unknown {
  const kind: SettingKind = SETTINGS[name].kind;
  const fail = <E extends TypeError | RangeError>(Kind: new (message: string) => E, reason: string): E =>
    optionError(Kind, `${name} ${reason}`, { option: name, reason });
  switch (kind.type) {
    case 'choice':
      if (typeof value !== 'string' || !kind.values.includes(value)) {
        throw fail(TypeError, `must be ${kind.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describe(value)}`);
      }
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw fail(TypeError, `must be a boolean, got ${describe(value)}`);
      return value;
    case 'path':
      if (typeof value !== 'string') throw fail(TypeError, `must be a string, got ${describe(value)}`);
      if (value.includes('\0')) throw fail(TypeError, 'must not contain a NUL byte');
      return value;
    case 'variable':
      if (typeof value !== 'string') throw fail(TypeError, `must be a string, got ${describe(value)}`);
      if (value !== '' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) throw fail(RangeError, `must be the name of an environment variable (letters, digits and _), got ${describe(value)}`);
      return value;
    case 'codes': {
      if (!Array.isArray(value)) throw fail(TypeError, `must be an array of exit codes, got ${describe(value)}`);
      for (const code of value as unknown[]) {
        if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 255) {
          throw fail(RangeError, `must hold whole numbers from 0 to 255, got ${describe(code)}`);
        }
      }
      return [...(value as number[])];
    }
    case 'strings': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        throw fail(TypeError, `must be an array of strings, got ${describe(value)}`);
      }
      if (value.some((v: string) => v.includes('\0'))) throw fail(TypeError, 'must not contain a NUL byte');
      const copy = [...(value as string[])];
      if (kind.of === 'address') parseListen(copy);
      return copy;
    }
    case 'cron': {
      if (typeof value !== 'string') throw fail(TypeError, `must be a string, got ${describe(value)}`);
      const problem = value === '' ? undefined : cronProblem(value);
      if (problem !== undefined) throw fail(RangeError, `${JSON.stringify(value)} is not a schedule: ${problem}`);
      return value;
    }
    case 'check': {
      if (typeof value !== 'string') throw fail(TypeError, `must be a string, got ${describe(value)}`);
      const problem = value === '' ? undefined : healthProblem(value);
      if (problem !== undefined) throw fail(RangeError, `is not a health check: ${problem}`);
      return value;
    }
    default: {
      if (typeof value !== 'number') throw fail(TypeError, `must be a number, got ${describe(value)}`);
      if (!Number.isFinite(value) || value < 0) throw fail(RangeError, `must be a finite number >= 0, got ${describe(value)}`);
      if ((kind.type === 'count' || kind.type === 'bytes') && !Number.isInteger(value)) {
        throw fail(RangeError, `must be a whole number, got ${value}`);
      }
      if (kind.type === 'count' && kind.min !== undefined && value < kind.min) {
        throw fail(RangeError, `must be at least ${kind.min}, got ${value}`);
      }
      if (kind.type === 'ms' && kind.min !== undefined && value < kind.min) throw fail(RangeError, `must be at least ${kind.min} ms, got ${value}`);
      if (kind.type === 'ms' && value > MAX_TIMER) throw fail(RangeError, `must be at most ${MAX_TIMER} ms, got ${value}`);
      return value;
    }
  }
}

/**
 * Why `expression` is not a 5-field cron schedule, or undefined. The parser (croner) is loaded only
 * here and by the cron restart, so that nothing pays for it unless a schedule is set.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `it has ${fields.length} field(s), a schedule has 5 (minute hour day-of-month month day-of-week)`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Cron } = require('croner') as typeof import('croner');
    new Cron(expression, { paused: true });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Daemon options: defaults, and validation with errors that name the option and the value. */
import { describe } from './errors.js';
import type { RestartPolicy } from './supervisor/policy.js';

/** Options of a {@link Daemon}; every field can also be set on the instance after construction. */
export interface DaemonOptions {
  /** Total number of worker starts; 0 (default) means no limit. A whole number. */
  maxCount?: number;
  /** Consecutive failures allowed before giving up (default 3). A whole number. */
  maxError?: number;
  /** Seconds a worker must run for its exit not to count as a failure (default 10; fractions allowed). */
  minExitTime?: number;
  /** Milliseconds between the stop signal and SIGKILL when stopping the worker (default 5000). */
  killTimeout?: number;
  /** Milliseconds to wait before each restart (default 0: at once, as in Go). */
  restartDelay?: number;
  /** `fixed` (default) or `exponential`: double `restartDelay` per consecutive failure. */
  backoff?: 'fixed' | 'exponential';
  /** Cap of the exponential backoff in milliseconds (default 30000). */
  maxRestartDelay?: number;
}

/** The resolved settings a supervisor runs with. */
export interface DaemonSettings extends RestartPolicy {
  killTimeout: number;
}

/** Defaults: Go's `NewDaemon` plus the opt-in extras switched off. */
export const DEFAULTS: Readonly<DaemonSettings> = Object.freeze({
  maxCount: 0,
  maxError: 3,
  minExitTime: 10,
  killTimeout: 5000,
  restartDelay: 0,
  backoff: 'fixed',
  maxRestartDelay: 30000,
});

const WHOLE: ReadonlySet<string> = new Set(['maxCount', 'maxError']);
/** Millisecond settings, which end up in timers (at most 2^31-1 ms). */
const MILLIS: ReadonlySet<string> = new Set(['killTimeout', 'restartDelay', 'maxRestartDelay']);
const MAX_TIMER = 2 ** 31 - 1;
const KEYS = Object.keys(DEFAULTS) as (keyof DaemonSettings)[];

/** Throws unless `options` is an object with known keys only. */
export function checkOptionKeys(options: unknown): asserts options is DaemonOptions {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`xdaemon: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(KEYS as string[]).includes(key)) {
      throw new TypeError(`xdaemon: unknown option ${JSON.stringify(key)} (known: ${KEYS.join(', ')})`);
    }
  }
}

/** Validates every setting; throws a TypeError or RangeError naming the first bad one. */
export function checkSettings(source: Readonly<Record<keyof DaemonSettings, unknown>>): DaemonSettings {
  const settings: Record<string, unknown> = {};
  for (const key of KEYS) {
    // `undefined` means "not set": `{ maxCount: cfg.max }` with no value gets the default.
    const value = source[key] === undefined ? DEFAULTS[key] : source[key];
    settings[key] = value;
    if (key === 'backoff') {
      if (value !== 'fixed' && value !== 'exponential') {
        throw new TypeError(`xdaemon: backoff must be "fixed" or "exponential", got ${describe(value)}`);
      }
      continue;
    }
    if (typeof value !== 'number') {
      throw new TypeError(`xdaemon: ${key} must be a number, got ${describe(value)}`);
    }
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`xdaemon: ${key} must be a finite number >= 0, got ${describe(value)}`);
    }
    if (WHOLE.has(key) && !Number.isInteger(value)) {
      throw new RangeError(`xdaemon: ${key} must be a whole number, got ${value}`);
    }
    if (MILLIS.has(key) && value > MAX_TIMER) {
      throw new RangeError(`xdaemon: ${key} must be at most ${MAX_TIMER} ms, got ${value}`);
    }
  }
  return settings as unknown as DaemonSettings;
}

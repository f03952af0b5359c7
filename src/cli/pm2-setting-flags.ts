/**
 * pm2's spellings of the restart and readiness flags of `start` and `run` whose unit or meaning
 * differs from ours, read with pm2's units into our settings: `--max-restarts N` (unstable restarts
 * before errored: maxError N−1), `--min-uptime MS` (or `'10s'`: minExitTime in seconds),
 * `--exp-backoff-restart-delay MS` (an exponential backoff from MS), `--listen-timeout MS` (the
 * time `--wait-ready` waits, or without it the time a reload waits for a replacement to listen).
 * pm2's `-i` and `--wait-ready` are our own flags' spellings (the settings table's rows);
 * `--restart-delay` and `--kill-timeout` mean what ours do. Pure.
 */
import type { SettingName } from '../settings/types.js';
import { KeyValueError, pm2Millis } from '../fleet/pm2-units.js';
import { type FlagSpecs, type ParsedLine, textFlag, wholeNumber } from './flags.js';
import { UsageError } from './usage-error.js';

/** The flags. */
export const PM2_SETTING_FLAGS: FlagSpecs = {
  'max-restarts': { type: 'string' },
  'min-uptime': { type: 'string' },
  'exp-backoff-restart-delay': { type: 'string' },
  'listen-timeout': { type: 'string' },
};

/** The help's rows of pm2's spellings. */
export const PM2_SETTING_ROWS: [string, string][] = [
  ['--max-restarts N', "pm2's: give up at the N-th failure in a row (--max-error N-1)"],
  ['--min-uptime MS', "pm2's: a run shorter than MS (or '10s') is a failure (--min-exit-time in seconds)"],
  ['--exp-backoff-restart-delay MS', "pm2's: restarts wait MS, doubled per failure in a row (--restart-delay MS --backoff exponential)"],
  ['--listen-timeout MS', "pm2's: with a bare --wait-ready, the time it waits; without, the time a reload waits for a replacement to listen (--reload-grace)"],
];

/** pm2's time, ms or with a unit, as a UsageError naming the flag when it is not one. */
function millis(flag: string, text: string): number {
  try {
    return pm2Millis(text);
  } catch (err) {
    if (err instanceof KeyValueError) throw new UsageError(`--${flag} ${err.message}`);
    throw err;
  }
}

/**
 * Adds to `settings` (the flags of ours given on `line`) what pm2's spellings on `line` say; a
 * setting that both spellings give is a UsageError. `bareWaitReady`: `--wait-ready` was given
 * without a value (pm2's boolean).
 */
export function addPm2Settings(line: ParsedLine, settings: Partial<Record<SettingName, unknown>>, bareWaitReady: boolean): void {
  const set = (flag: string, name: SettingName, value: unknown, ours: string): void => {
    if (settings[name] !== undefined && !(name === 'waitReady' && bareWaitReady)) throw new UsageError(`--${flag} and --${ours} both set ${name}: give one`);
    settings[name] = value;
  };
  const maxRestarts = textFlag(line, 'max-restarts');
  if (maxRestarts !== undefined) set('max-restarts', 'maxError', Math.max(0, wholeNumber('max-restarts', maxRestarts) - 1), 'max-error');
  const minUptime = textFlag(line, 'min-uptime');
  if (minUptime !== undefined) set('min-uptime', 'minExitTime', millis('min-uptime', minUptime) / 1000, 'min-exit-time');
  const backoff = textFlag(line, 'exp-backoff-restart-delay');
  if (backoff !== undefined) {
    const delay = millis('exp-backoff-restart-delay', backoff);
    if (delay === 0) throw new UsageError('--exp-backoff-restart-delay must be more than 0 ms (the delay it doubles)');
    set('exp-backoff-restart-delay', 'restartDelay', delay, 'restart-delay');
    set('exp-backoff-restart-delay', 'backoff', 'exponential', 'backoff');
  }
  const listenTimeout = textFlag(line, 'listen-timeout');
  if (listenTimeout !== undefined) {
    const ms = millis('listen-timeout', listenTimeout);
    if (settings.waitReady !== undefined && !bareWaitReady) throw new UsageError('--listen-timeout goes with a bare --wait-ready (or give --wait-ready MS alone)');
    if (bareWaitReady) set('listen-timeout', 'waitReady', ms, 'wait-ready');
    else set('listen-timeout', 'reloadGrace', ms, 'reload-grace');
  }
}

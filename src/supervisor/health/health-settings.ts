/**
 * Health's own rules of the settings (pure, and apart from the checks so that the settings' check
 * loads none of them): the tuning settings only mean something with a `health` check, so without
 * one they are refused rather than ignored, and a timeout may not outlast the interval between two
 * checks. Also the one place that says how long a worker has to be ready: `waitReady`, else with a
 * health check `healthStartPeriod`.
 */
import { cannotApply } from '../../settings/refusal.js';
import type { DaemonSettings, SettingRule } from '../../settings/types.js';

const TUNING = ['healthInterval', 'healthTimeout', 'healthRetries', 'healthStartPeriod'] as const;

/** The first health setting that would have no effect or cannot hold with the others. */
export const healthSettingRule: SettingRule = ({ settings, defaults }) => {
  // A value left at its default was not set to do something (the supervisor gets every value).
  const set = (name: (typeof TUNING)[number]): boolean => settings[name] !== defaults[name];
  if (settings.health === '') {
    const tuned = TUNING.find(set);
    return tuned === undefined ? undefined : cannotApply(tuned, 'it tunes the health check, and health is not set (give health too)');
  }
  // The default timeout shrinks to a shorter interval; one that was set may not outlast it.
  if (set('healthTimeout') && settings.healthTimeout > settings.healthInterval) {
    return {
      option: 'healthTimeout',
      says: (spell) => `must be at most ${spell('healthInterval')} (${settings.healthInterval} ms), got ${settings.healthTimeout} ms`,
    };
  }
  return undefined;
};

/** The settings readiness depends on. */
export type ReadySettings = Pick<DaemonSettings, 'waitReady' | 'health' | 'healthStartPeriod'>;

/**
 * Milliseconds a worker has to be ready, 0 when it is not waited for: `waitReady` (its ready(), or
 * with a health check its first passing check, whichever comes first), else with a health check
 * `healthStartPeriod` (its first passing check).
 */
export function readyWithin(settings: ReadySettings): number {
  if (settings.waitReady > 0) return settings.waitReady;
  return settings.health === '' ? 0 : settings.healthStartPeriod;
}

/** What makes a worker ready under `settings`, for messages: `call ready()`, `pass its health check`, or both. */
export function readyHow(settings: ReadySettings): string {
  if (settings.health === '') return 'call ready()';
  return settings.waitReady > 0 ? 'call ready() or pass its health check' : 'pass its health check';
}

/** The timeout of one check: `healthTimeout`, at most the interval (a default timeout above a short interval shrinks to it). */
export function checkTimeout(settings: Pick<DaemonSettings, 'healthTimeout' | 'healthInterval'>): number {
  return Math.min(settings.healthTimeout, settings.healthInterval);
}

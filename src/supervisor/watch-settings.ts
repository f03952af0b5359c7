/**
 * Watch's own rule of the settings it needs (pure, and kept apart from the watcher so that the
 * settings check does not load it): `watchIgnore` and `watchDebounce` only tune `watch`, so with
 * `watch` off they would be accepted and ignored. They are refused instead (../settings/rules).
 */
import { cannotApply } from '../settings/refusal.js';
import type { SettingRule } from '../settings/types.js';

/** The first watch setting that would have no effect (a debounce left at its default is not one that was set). */
export const ignoredWatchSetting: SettingRule = ({ settings, defaults }) => {
  if (settings.watch.length > 0) return undefined;
  if (settings.watchIgnore.length > 0) return cannotApply('watchIgnore', 'it adds to what watch ignores, and watch is off (give watch too)');
  if (settings.watchDebounce !== defaults.watchDebounce) return cannotApply('watchDebounce', 'it is how long watch gathers changes, and watch is off (give watch too)');
  return undefined;
};

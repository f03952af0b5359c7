/**
 * Watch's own check of the settings it needs (pure, and kept apart from the watcher so that the
 * settings check does not load it): `watchIgnore` and `watchDebounce` only tune `watch`, so with
 * `watch` off they would be accepted and ignored. They are refused instead.
 */

/** A watch setting that would have no effect, and why. */
export interface IgnoredWatchSetting {
  option: 'watchIgnore' | 'watchDebounce';
  reason: string;
}

/** The first watch setting of `settings` that would have no effect; `defaultDebounce` is watchDebounce's default. */
export function ignoredWatchSetting(
  settings: { watch: readonly string[]; watchIgnore: readonly string[]; watchDebounce: number },
  defaultDebounce: number,
): IgnoredWatchSetting | undefined {
  if (settings.watch.length > 0) return undefined;
  if (settings.watchIgnore.length > 0) return { option: 'watchIgnore', reason: 'it adds to what watch ignores, and watch is off (give watch too)' };
  if (settings.watchDebounce !== defaultDebounce) return { option: 'watchDebounce', reason: 'it is how long watch gathers changes, and watch is off (give watch too)' };
  return undefined;
}

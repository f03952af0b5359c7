/**
 * The registry of rules between settings: each rule is defined beside its feature (the restart
 * policy, watch, the log) and listed here once, so that every face walks the same list: the
 * library's check names the option (`maxSize`), the CLI the flag (`--max-size`). A rule refuses a
 * setting that would be accepted and never used, instead of ignoring it.
 */
import { unusedLogSetting } from '../log/log-mode.js';
import { ignoredSetting } from '../supervisor/policy.js';
import { ignoredWatchSetting } from '../supervisor/watch-settings.js';
import { healthSettingRule } from '../supervisor/health/health-settings.js';
import type { Refusal, RuleInput, SettingRule } from './types.js';

/** The rules, in the order they are asked. */
export const SETTING_RULES: readonly SettingRule[] = [ignoredSetting, ignoredWatchSetting, healthSettingRule, unusedLogSetting];

/** The first setting a rule of the registry refuses, if any. */
export function refusalOf(input: RuleInput): Refusal | undefined {
  for (const rule of SETTING_RULES) {
    const refusal = rule(input);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

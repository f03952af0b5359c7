/** How a rule between settings words the refusal most of them make (../settings/rules). */
import type { Refusal, SettingName } from './types.js';

/** A refusal of `option`, which cannot apply, for `why`, as the other settings are. */
export function cannotApply(option: SettingName, why: string): Refusal {
  return { option, says: () => `cannot apply: ${why}` };
}

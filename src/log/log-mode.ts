/**
 * Which log mode the settings ask for (piped when the supervisor must see the worker's output), and
 * the log's rule of the settings.
 */
import type { SettingRule } from '../settings/types.js';

/**
 * True when the settings need the supervisor to read the worker's output (piped mode). Without a
 * log file the output is discarded, or (`toStdio`) goes to the supervisor's own stdout and stderr,
 * through it only for the time prefixes.
 */
export function isPiped(options: { logFile: string; timestamps: boolean; maxSize: number; toStdio?: boolean | undefined }): boolean {
  if (options.toStdio === true) return options.timestamps;
  return options.logFile !== '' && (options.timestamps || options.maxSize > 0);
}

/**
 * The log's rule of the settings (../settings/rules): a log setting that would be accepted and
 * then ignored: `timestamps` or `maxSize` without a log file (the output is discarded), `maxFiles`
 * (given, not defaulted) without `maxSize` (nothing is ever rotated). Asked only where it is known
 * whether there is a log file.
 */
export const unusedLogSetting: SettingRule = ({ settings, given, logged }) => {
  if (logged === undefined) return undefined;
  if (!logged && settings.timestamps) return { option: 'timestamps', says: () => "needs a logFile: without one the worker's output is discarded" };
  if (!logged && settings.maxSize > 0) return { option: 'maxSize', says: () => "needs a logFile: without one the worker's output is discarded, nothing to rotate" };
  if (given('maxFiles') && settings.maxSize === 0) {
    return { option: 'maxFiles', says: (s) => `needs ${s('maxSize')}: it counts rotated files, and without ${s('maxSize')} the log is never rotated` };
  }
  return undefined;
};

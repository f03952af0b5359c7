/** Which log mode settings ask for: piped when the supervisor must see the worker's output. */

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
 * A log setting that would be accepted and then ignored, as the message of the error that refuses
 * it: `timestamps` or `maxSize` without a log file (the output is discarded), `maxFiles` (given,
 * not defaulted) without `maxSize` (nothing is ever rotated). Undefined when every one applies.
 */
export function unusedLogSetting(
  logFile: string,
  settings: { timestamps: boolean; maxSize: number },
  maxFilesGiven: boolean,
): string | undefined {
  if (logFile === '' && settings.timestamps) return "timestamps needs a logFile: without one the worker's output is discarded";
  if (logFile === '' && settings.maxSize > 0) return "maxSize needs a logFile: without one the worker's output is discarded, nothing to rotate";
  if (maxFilesGiven && settings.maxSize === 0) return 'maxFiles needs maxSize: it counts rotated files, and without maxSize the log is never rotated';
  return undefined;
}

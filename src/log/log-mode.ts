/** Which log mode settings ask for: piped when the supervisor must see the worker's output. */

/** True when the settings need the supervisor to read the worker's output (piped mode). */
export function isPiped(options: { logFile: string; timestamps: boolean; maxSize: number }): boolean {
  return options.logFile !== '' && (options.timestamps || options.maxSize > 0);
}

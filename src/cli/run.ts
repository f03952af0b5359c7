/**
 * `xdaemon run [options] [--name NAME] -- <command> [args…]`: the same supervision as `start`, in
 * this very process (src/fleet/daemon-run.ts). The pid that was started is the supervisor: SIGTERM
 * or SIGINT to it stops the worker's whole tree, and its exit code is the supervisor's (0 after a
 * stop, 1 after giving up). Without `--log` (and without `--name`, whose log is its default one)
 * the worker writes to this process's stdout and stderr (each line time-prefixed with
 * `--timestamps`; `--max-size`, `--max-files` and `--err-file` are refused there, as a stream can
 * be neither rotated nor split).
 */
import { runInForeground } from '../fleet/daemon-run.js';
import type { DaemonSpec } from '../fleet/daemon-spec.js';
import type { SettingName } from '../settings/types.js';
import { kebab } from './flags.js';
import { launchHelp } from './help.js';
import type { Io } from './io.js';
import { parseLaunch, readLaunchLine } from './launch.js';
import { UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `run`, read. */
export type RunRequest = { verb: 'run' } & DaemonSpec;

/**
 * Settings that need a log file: without one (and without `--name`, whose log is its default one)
 * the worker's output is this process's own stdout and stderr, streams that cannot be rotated or
 * split off into a file of their own. Each is refused rather than accepted and ignored.
 */
const NEED_A_LOG: ReadonlyArray<[SettingName, string]> = [
  ['maxSize', 'rotation applies to a log file, and the output of run without --log is its own stdout and stderr, a stream that cannot be rotated'],
  ['maxFiles', 'it counts rotated log files, and the output of run without --log is its own stdout and stderr, a stream that cannot be rotated'],
  ['errFile', "without --log the worker's stderr is run's own stderr already; give --log for the rest of the output too"],
];

/** Reads `run`'s arguments; `help` for `--help`. Pure, but for whether a word after `--watch` is a folder. */
export function parseRun(args: readonly string[]): RunRequest | HelpRequest<'run'> {
  const line = readLaunchLine('run', args);
  if (line.help) return { verb: 'help', topic: 'run' };
  const request = parseLaunch('run', line);
  if (request.name === undefined && request.log === undefined) {
    for (const [setting, why] of NEED_A_LOG) {
      if (request.settings[setting] !== undefined) throw new UsageError(`--${kebab(setting)} needs --log: ${why}`);
    }
  }
  return { verb: 'run', ...request };
}

/** Supervises in this process; resolves 'running' (the supervisor exits the process when it ends). */
export async function run(request: RunRequest, _io: Io): Promise<'running'> {
  const { verb: _verb, ...spec } = request;
  await runInForeground(spec);
  return 'running';
}

/** The row of `run`. */
export const RUN = defineVerb<RunRequest>({
  name: 'run',
  parse: parseRun,
  run,
  help: () => launchHelp('run'),
  synopsis: [['run [options] [--name NAME] -- <command> [args…]', 'supervise it in the foreground']],
});

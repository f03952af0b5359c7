/**
 * `xdaemon run`, in two forms:
 * - `run [options] [--name NAME] -- <command> [args…]`: the same supervision as `start`, in this
 *   very process (src/fleet/daemon-run.ts). The pid that was started is the supervisor: SIGTERM
 *   or SIGINT to it stops the worker's whole tree, and its exit code is the supervisor's (0 after
 *   a stop, 1 after giving up). Without `--log` (and without `--name`, whose log is its default
 *   one) the worker writes to this process's stdout and stderr (each line time-prefixed with
 *   `--timestamps`; `--max-size`, `--max-files` and `--err-file` are refused there, as a stream
 *   can be neither rotated nor split).
 * - `run FILE [--only a,b] [--env SET] [--log-format text|json] [--probe-listen ADDR]
 *   [--kill-timeout MS] [--keep-running]`, a container's entrypoint: every app of the file
 *   supervised in this process, their lines labelled on its stdout and stderr
 *   (src/fleet/run-file.ts, and ./run-file for the command line).
 */
import { runInForeground } from '../fleet/daemon-run.js';
import type { DaemonSpec } from '../fleet/daemon-spec.js';
import { DEFAULT_FLEET_FILES, defaultFleetFile } from '../fleet/file-load.js';
import type { RunFileRequest } from '../fleet/run-file.js';
import type { SettingName } from '../settings/types.js';
import { kebab } from './flags.js';
import { ONLY_FLAG, isFleetArg } from './fleet-request.js';
import { launchHelp } from './help.js';
import type { Io } from './io.js';
import { LAUNCH_FLAGS, parseLaunch, readLaunchLine } from './launch.js';
import { warn } from './results.js';
import { RUN_FILE_FLAGS, refuseWithoutFile, runFileRequest } from './run-file.js';
import { UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `run`, read: a command line, or a fleet file. */
export type RunRequest = ({ verb: 'run'; fleet?: undefined } & DaemonSpec) | { verb: 'run'; fleet: RunFileRequest };

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
  const line = readLaunchLine('run', args, { ...LAUNCH_FLAGS, ...ONLY_FLAG, ...RUN_FILE_FLAGS });
  if (line.help) return { verb: 'help', topic: 'run' };
  const [first] = line.positionals;
  if (first !== undefined && isFleetArg(first)) {
    if (line.positionals.length > 1) throw new UsageError(`run takes one fleet file, got also ${JSON.stringify(line.positionals[1])}`);
    return { verb: 'run', fleet: runFileRequest(line, first) };
  }
  // `xdaemon run` with nothing to run but run's own flags: the fleet file of this directory.
  if (first === undefined && line.command === undefined && [...line.flags.keys()].every((f) => f === 'env' || f === 'only' || f === 'kill-timeout' || f in RUN_FILE_FLAGS)) {
    return { verb: 'run', fleet: runFileRequest(line, undefined) };
  }
  refuseWithoutFile(line);
  if (line.flags.has('only')) throw new UsageError('--only goes with a fleet file (xdaemon run FILE --only a,b)');
  const request = parseLaunch('run', line);
  if (request.name === undefined && request.log === undefined) {
    for (const [setting, why] of NEED_A_LOG) {
      if (request.settings[setting] !== undefined) throw new UsageError(`--${kebab(setting)} needs --log: ${why}`);
    }
  }
  return { verb: 'run', ...request };
}

/** Supervises in this process; resolves 'running' (the supervisor exits the process when it ends). */
export async function run(request: RunRequest, io: Io): Promise<'running'> {
  if (request.fleet !== undefined) {
    const { fleet } = request;
    if (fleet.file === undefined && defaultFleetFile(process.cwd()) === undefined) {
      throw new UsageError(`missing -- <command> (xdaemon run [options] -- <command> [args…]), and no fleet file here (${DEFAULT_FLEET_FILES.join(', ')})`);
    }
    const { runFleetFile } = await import('../fleet/run-file.js');
    await runFleetFile(fleet, undefined, (warnings) => warn(io, warnings));
    return 'running';
  }
  const { verb: _verb, fleet: _fleet, ...spec } = request;
  await runInForeground(spec);
  return 'running';
}

/** The row of `run`. */
export const RUN = defineVerb<RunRequest>({
  name: 'run',
  parse: parseRun,
  run,
  help: () => launchHelp('run'),
  synopsis: [
    ['run [options] [--name NAME] -- <command> [args…]', 'supervise it in the foreground'],
    ['run [FILE] [--log-format json] [--probe-listen ADDR]', "every app of a fleet file in the foreground (a container's entrypoint)"],
  ],
});

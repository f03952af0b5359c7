/**
 * `xdaemon run [options] [--name NAME] -- <command> [args…]`: the same supervision as `start`, in
 * this very process (containers, systemd `Type=exec`, a Windows scheduled task). The pid that was
 * started is the supervisor: SIGTERM or SIGINT to it stops the worker's whole tree, and its exit
 * code is the supervisor's (0 after a stop, 1 after giving up). With `--name` it is a named daemon
 * (record, pid file, default log in the state directory: `status`, `stop`, `logs` reach it);
 * without, nothing is written, and without `--log` the worker writes to this process's stdout and
 * stderr (each line time-prefixed with `--timestamps`; `--max-size`, `--max-files` and `--err-file`
 * are refused there, as a stream can be neither rotated nor split).
 */
import { loadBundle } from '../bundles.js';
import { XDaemonError } from '../errors.js';
import type { SupervisorConfig } from '../supervisor/config.js';
import type { SettingName } from '../options.js';
import { kebab } from './flags.js';
import type { Io } from './io.js';
import { type LaunchRequest, daemonEnv, parseLaunch, prepare, readLaunchLine, recordOf, resolveRequest, supervisorConfig } from './launch.js';
import { daemonPaths, writeRecord } from './record.js';
import { currentStateFacts, openStateDirectory, stateDirectoryPath } from './state-dir.js';
import { UsageError } from './usage-error.js';

/** `run`, read. */
export type RunRequest = { verb: 'run' } & LaunchRequest;

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
export function parseRun(args: readonly string[]): RunRequest | { verb: 'help'; topic: 'run' } {
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
  const facts = currentStateFacts();
  let config: SupervisorConfig;
  let toStdio = false;
  const env = daemonEnv(facts.env, request.env);
  if (request.name === undefined) {
    const resolved = resolveRequest(request, facts);
    config = supervisorConfig({ ...resolved, log: resolved.log ?? '', pidFile: '', env });
    toStdio = resolved.log === undefined;
  } else {
    const prepared = prepare(request, facts);
    const dir = openStateDirectory(stateDirectoryPath(facts), true) as string;
    const record = recordOf(prepared, dir);
    const { pidFile } = daemonPaths(dir, record.name);
    // The record must not be overwritten under a daemon that runs; the supervisor's lock still
    // decides a race (it then exits 150, EXIT_ALREADY_RUNNING).
    const lib = loadBundle('control');
    const now = await lib.status(pidFile);
    if (now.state === 'running' || now.state === 'restarting') {
      throw new XDaemonError(`${record.name} is already running: supervisor pid ${now.pid ?? '?'} holds ${pidFile}; nothing was started`);
    }
    if (now.state === 'dead') await lib.stop(pidFile);
    writeRecord(dir, record);
    config = supervisorConfig({ ...record, pidFile, env });
  }
  // The worker's environment is the supervisor's own (less NODE_OPTIONS, which the config carries).
  for (const [key, value] of Object.entries(request.env)) process.env[key] = value;
  loadBundle('supervisor-core').supervise(config, request.args, 'foreground', { toStdio });
  return 'running';
}

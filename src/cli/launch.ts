/**
 * What `start`, `run` and `restart` (of a stopped daemon) share: the command line of a daemon
 * (settings flags, `--name`, `--log`, `--cwd`, `--env`, then `-- <command> [args…]`) read into a
 * typed request; that request checked against the machine (the working directory exists, the
 * command is found and executable) and turned into a record, before anything is started; a record
 * turned into a supervisor's configuration; and a record started through the launcher bundle.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadBundle } from '../bundles.js';
import { XDaemonError, messageOf } from '../errors.js';
import { type DaemonOptions, type DaemonSettings, DEFAULTS, type SettingName, checkSettings } from '../options.js';
import { whyNoSpare } from '../process/node-command.js';
import { ignoredSetting } from '../supervisor/policy.js';
import { ignoredWatchSetting } from '../supervisor/watch-settings.js';
import { resolveCommand } from '../process/which.js';
import type { SupervisorConfig } from '../supervisor/config.js';
import { type FlagSpecs, type FolderCheck, type ParsedLine, SETTING_FLAG_SPECS, kebab, listFlag, parseEnv, readLine, settingsOf, textFlag } from './flags.js';
import { checkName, defaultName } from './names.js';
import { type DaemonRecord, daemonPaths, writeRecord } from './record.js';
import { UsageError } from './usage-error.js';

/** A daemon's command line, read (paths as given). */
export interface LaunchRequest {
  /** `--name`; undefined: derived from the command line. */
  name: string | undefined;
  command: string;
  args: string[];
  /** The setting flags given, as library options. */
  settings: Partial<Record<SettingName, unknown>>;
  /** `--log`, `--cwd` as given. */
  log: string | undefined;
  cwd: string | undefined;
  /** `--env` additions. */
  env: Record<string, string>;
}

/** Flags of `start` and `run`: the settings, and what a daemon's command line adds to them. */
export const LAUNCH_FLAGS: FlagSpecs = {
  name: { type: 'string' },
  log: { type: 'string' },
  cwd: { type: 'string' },
  env: { type: 'string', multiple: true },
  ...SETTING_FLAG_SPECS,
};

/**
 * The command after `--` of `line`, or a UsageError: no `--`, nothing after it, or arguments before
 * it that are not flags.
 */
export function commandOf(verb: string, line: ParsedLine): [string, ...string[]] {
  const [stray] = line.positionals;
  if (stray !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(stray)}: the command goes after -- (xdaemon ${verb} [options] -- <command> [args…])`);
  if (line.command === undefined) throw new UsageError(`missing -- <command> (xdaemon ${verb} [options] -- <command> [args…])`);
  const [command, ...args] = line.command;
  if (command === undefined || command === '') throw new UsageError(`missing the command after -- (xdaemon ${verb} [options] -- <command> [args…])`);
  return [command, ...args];
}

/** Reads a `start`/`run` command line (after the verb) into a request; pure. */
export function parseLaunch(verb: string, line: ParsedLine): LaunchRequest {
  const options = launchOptionsOf(line);
  const [command, ...args] = commandOf(verb, line);
  return { ...options, command, args };
}

/** The flags of a daemon's command line (all but the command), read; pure. */
export function launchOptionsOf(line: ParsedLine): Omit<LaunchRequest, 'command' | 'args'> {
  const name = textFlag(line, 'name');
  if (name !== undefined) checkName(name);
  const log = textFlag(line, 'log');
  if (log === '') throw new UsageError('--log needs a file name (/dev/null discards the output)');
  const cwd = textFlag(line, 'cwd');
  if (cwd === '') throw new UsageError('--cwd needs a directory');
  const settings = settingsOf(line);
  if (settings.maxFiles !== undefined && (settings.maxSize ?? 0) === 0) {
    throw new UsageError('--max-files needs --max-size: it counts rotated files, and without --max-size the log is never rotated');
  }
  const ignored = ignoredSetting({ ...DEFAULTS, ...(settings as Partial<DaemonSettings>) }, DEFAULTS.maxRestartDelay);
  if (ignored !== undefined) throw new UsageError(`--${kebab(ignored.option)} cannot apply: ${ignored.reason}`);
  const watchIgnored = ignoredWatchSetting({ ...DEFAULTS, ...(settings as Partial<DaemonSettings>) }, DEFAULTS.watchDebounce);
  if (watchIgnored !== undefined) throw new UsageError(`--${watchIgnored.option === 'watchIgnore' ? 'ignore' : 'watch-debounce'} cannot apply: ${watchIgnored.reason}`);
  const env = parseEnv(listFlag(line, 'env'));
  return { name, settings, log, cwd, env };
}

/** Reads `args` for `verb` with the launch flags; `help` when `--help` was asked for. */
export function readLaunchLine(verb: string, args: readonly string[], specs: FlagSpecs = LAUNCH_FLAGS): ParsedLine {
  return readLine(verb, args, specs, existingFolder);
}

/** Whether `word` is an existing folder, relative to `--cwd` (itself relative to here): `--watch DIR`. */
const existingFolder: FolderCheck = (word, cwd) => {
  try {
    return statSync(resolve(cwd ?? '.', word)).isDirectory();
  } catch {
    return false;
  }
};

/** Where a request is resolved: the invoking shell's directory and environment. */
export interface InvocationFacts {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** A request checked against the machine: everything a record needs but the name and the log's default. */
export interface Resolved {
  command: string;
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  settings: DaemonOptions;
  /** Absolute `--log`, if given. */
  log: string | undefined;
}

/** A resolved request with its name. */
export type Prepared = Resolved & { name: string };

/**
 * Checks `request` where it was typed: its working directory exists, its command is found (PATH
 * of the invoking environment plus `--env`) and executable; makes paths absolute (`--log` and
 * `--err-file` against the invoking directory, the command against the daemon's). Nothing is
 * started or written.
 *
 * @throws XDaemonError naming the directory or the command.
 */
export function resolveRequest(request: LaunchRequest, facts: InvocationFacts): Resolved {
  const cwd = resolve(facts.cwd, request.cwd ?? '.');
  checkDirectory(cwd);
  const file = resolveCommand(request.command, { ...facts.env, ...request.env }, cwd);
  const settings = { ...request.settings } as DaemonOptions;
  const noSpare = settings.prewarm === true ? whyNoSpare(file, request.args) : undefined;
  if (noSpare !== undefined) throw new UsageError(`--prewarm: ${noSpare}`);
  if (typeof settings.errFile === 'string') settings.errFile = resolve(facts.cwd, settings.errFile);
  // Watched paths are the daemon's: relative to its working directory (bare --watch: that directory).
  if (settings.watch !== undefined) settings.watch = settings.watch.map((p) => checkWatched(resolve(cwd, p)));
  const log = request.log === undefined ? undefined : resolve(facts.cwd, request.log);
  return { command: request.command, file, args: request.args, cwd, env: request.env, settings, log };
}

/**
 * {@link resolveRequest}, and the name: `--name`, else derived from the command line.
 *
 * @throws XDaemonError naming the directory or the command; UsageError for an underivable name.
 */
export function prepare(request: LaunchRequest, facts: InvocationFacts): Prepared {
  const resolved = resolveRequest(request, facts);
  const name = request.name ?? defaultName(request.command, request.args, (arg) => isFile(resolve(resolved.cwd, arg)));
  return { name, ...resolved };
}

/** The record of a prepared daemon in state directory `dir`. */
export function recordOf(prepared: Prepared, dir: string, now: Date = new Date()): DaemonRecord {
  const { log, ...rest } = prepared;
  return { v: 1, ...rest, log: log ?? daemonPaths(dir, prepared.name).log, updatedAt: now.toISOString() };
}

function checkDirectory(cwd: string): void {
  let ok: boolean;
  try {
    ok = statSync(cwd).isDirectory();
  } catch (err) {
    throw new XDaemonError(`working directory ${cwd}: ${messageOf(err)}`);
  }
  if (!ok) throw new XDaemonError(`working directory ${cwd} is not a directory`);
}

/** A path to watch, which must exist. */
function checkWatched(path: string): string {
  if (!existsSync(path)) throw new XDaemonError(`watch: ${path} does not exist`);
  return path;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * A record to start again (`restart` of a stopped daemon, `resurrect`): its command looked up again
 * in the environment `base` plus its own (a Node upgrade moves `node`). With `fallback`, the
 * recorded absolute file serves when it exists and the lookup fails (a boot service's PATH).
 *
 * @throws XDaemonError when the command is not found.
 */
export function refreshedRecord(record: DaemonRecord, base: NodeJS.ProcessEnv, fallback?: (file: string) => boolean): DaemonRecord {
  const updated = { ...record, updatedAt: new Date().toISOString() };
  try {
    updated.file = resolveCommand(record.command, daemonEnv(base, record.env), record.cwd);
  } catch (err) {
    if (fallback === undefined || !fallback(record.file)) throw err;
  }
  return updated;
}

/** The environment a daemon gets: the invoking one plus its `--env` additions. */
export function daemonEnv(base: NodeJS.ProcessEnv, additions: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return { ...base, ...additions };
}

/**
 * Where `require('signal-exit')` leads from here, for the supervisor to load without resolving.
 * Found the way Node looks it up (each `node_modules` above this file, then the package's
 * `exports` entry for `require`), without Node's resolver: resolving a package with an `exports`
 * map first loads that resolver, ~2 ms of every `xdaemon start`. Anything unexpected falls back
 * to `require.resolve`.
 */
export function resolveSignalExit(): string | null {
  try {
    for (const dir of require.resolve.paths('signal-exit') ?? []) {
      const pkg = join(dir, 'signal-exit');
      let manifest: { exports?: { '.'?: { require?: { default?: unknown } } } };
      try {
        manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as typeof manifest;
      } catch {
        continue;
      }
      const entry = manifest.exports?.['.']?.require?.default;
      if (typeof entry === 'string' && existsSync(join(pkg, entry))) return join(pkg, entry);
      break;
    }
    return require.resolve('signal-exit');
  } catch {
    return null;
  }
}

/**
 * The supervisor's configuration for a daemon: its executable and working directory, its log,
 * the settings (defaults for those not given) with `pidFile` (absolute, or '' for none); no
 * generation marker (the command is not a re-spawned Daemon program).
 */
export function supervisorConfig(input: { file: string; cwd: string; log: string; settings: DaemonOptions; pidFile: string; env: NodeJS.ProcessEnv }): SupervisorConfig {
  return {
    v: 2,
    file: input.file,
    nodeOptions: input.env.NODE_OPTIONS ?? null,
    cwd: input.cwd,
    logFile: input.log,
    firstMarker: null,
    settings: checkSettings({ ...input.settings, pidFile: input.pidFile }),
    handshake: null,
    signalExit: resolveSignalExit(),
    ...(input.pidFile === '' ? {} : { stateDir: dirname(input.pidFile) }),
  };
}

/** A started daemon, as `start` and `restart` report it. */
export interface StartedDaemon {
  pid: number;
  workerPid?: number;
  readySeconds?: number;
}

/**
 * Starts the daemon of `record` (in state directory `dir`) in the background with the environment
 * `base` plus its `--env`, and writes its record once its supervisor has answered. A name that
 * runs is refused with its supervisor's pid, and nothing is started or written; a start that fails
 * keeps its record (status then says how it ended, logs shows its log, restart tries again).
 *
 * @throws XDaemonError when it is running already or cannot start.
 */
export function startRecord(dir: string, record: DaemonRecord, base: NodeJS.ProcessEnv): StartedDaemon {
  return beginRecord(dir, record, base).finish();
}

/** A daemon whose supervisor is spawned; {@link PendingDaemon.finish} waits for it and writes the record. */
export interface PendingDaemon {
  finish(): StartedDaemon;
}

/**
 * {@link startRecord} in two halves, so that several daemons start in parallel: spawn each, then
 * finish each. Throws (from either half) as {@link startRecord} does.
 */
export function beginRecord(dir: string, record: DaemonRecord, base: NodeJS.ProcessEnv): PendingDaemon {
  const env = daemonEnv(base, record.env);
  const config = supervisorConfig({ ...record, pidFile: daemonPaths(dir, record.name).pidFile, env });
  const launcher = loadBundle('launcher');
  const failed = (err: unknown): XDaemonError => {
    if ((err as XDaemonError).code === launcher.ALREADY_RUNNING) {
      return new XDaemonError(`${record.name} is ${messageOf(err)}`, { code: launcher.ALREADY_RUNNING });
    }
    writeRecord(dir, record);
    return new XDaemonError(`${record.name}: ${messageOf(err)}`, { cause: err });
  };
  let pending: ReturnType<typeof launcher.spawnSupervisor>;
  try {
    pending = launcher.spawnSupervisor(config, record.args, env);
  } catch (err) {
    throw failed(err);
  }
  return {
    finish() {
      let started: StartedDaemon;
      try {
        started = pending.finish();
      } catch (err) {
        throw failed(err);
      }
      try {
        writeRecord(dir, record);
      } catch (err) {
        throw new XDaemonError(`${record.name} started (supervisor pid ${started.pid}), but ${messageOf(err)}; stop it with kill ${started.pid}`);
      }
      return started;
    },
  };
}

/** `started web: supervisor 1234, log /…/web.log[, worker 1240 ready after 0.412 s]`. */
export function startedLine(name: string, started: StartedDaemon, log: string): string {
  const ready = started.workerPid === undefined ? '' : started.readySeconds === undefined ? `, worker ${started.workerPid}` : `, worker ${started.workerPid} ready after ${started.readySeconds.toFixed(3)} s`;
  return `started ${name}: supervisor ${started.pid}, log ${log}${ready}`;
}

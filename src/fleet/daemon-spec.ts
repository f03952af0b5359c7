/**
 * A daemon's specification, the library's input for starting a named daemon: its command line,
 * working directory, `--env` additions, settings and log, as a command line or a fleet file gives
 * them. Checked against the machine (the working directory exists, the command is found and
 * executable) and turned into a record before anything is started; a record is refreshed before
 * it is started again. Nothing here starts or writes anything.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { EUSAGE, XDaemonError, messageOf } from '../errors.js';
import type { DaemonOptions, SettingName } from '../settings/types.js';
import { isNodeExecutable, whyNoSpare } from '../process/node-command.js';
import { listenAddresses } from '../settings/listen.js';
import { incrementProblem, instancesProblem } from '../supervisor/instance-env.js';
import { resolveCommand } from '../process/which.js';
import { checkEnvFiles } from '../process/env-file.js';
import { defaultName } from './names.js';
import { type DaemonRecord, daemonPaths } from './record.js';

/** A daemon as given (paths as given: relative to where it was given). */
export interface DaemonSpec {
  /** Its name; undefined: derived from the command line. */
  name: string | undefined;
  command: string;
  args: string[];
  /** Settings by library name (checked by the settings table when the supervisor is configured). */
  settings: Partial<Record<SettingName, unknown>>;
  /** The log file and the working directory as given. */
  log: string | undefined;
  cwd: string | undefined;
  /** Additions to the environment it is started with. */
  env: Record<string, string>;
  /**
   * A supervisor process of its own instead of a place in the state directory's host (the
   * default: one process runs every daemon's supervision; see ../daemon-process/host).
   */
  ownProcess?: boolean | undefined;
  /** The daemons it starts after (`--depends-on`, a fleet app's `dependsOn`); none when absent. */
  dependsOn?: string[] | undefined;
}

/** Where a spec is resolved: the invoking shell's directory and environment. */
export interface InvocationFacts {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** A spec checked against the machine: everything a record needs but the name and the log's default. */
export interface ResolvedSpec {
  command: string;
  /** The executable `command` names, absolute. */
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  settings: DaemonOptions;
  /** The log, absolute, if given. */
  log: string | undefined;
  /** A supervisor process of its own (recorded only when asked for). */
  ownProcess?: true;
  /** The daemons it starts after (only when it has some). */
  dependsOn?: string[];
}

/** A resolved spec with its name. */
export type NamedSpec = ResolvedSpec & { name: string };

/**
 * Checks `spec` where it was given: its working directory exists, its command is found (PATH of
 * the invoking environment plus its additions) and executable; makes paths absolute (the log and
 * `errFile` against the invoking directory, the command and watched paths against the daemon's).
 * Nothing is started or written.
 *
 * @throws XDaemonError naming the directory or the command (`code: EUSAGE` for `prewarm` with a
 *   command that cannot have a spare, and for an env file that cannot be read).
 */
export function resolveSpec(spec: DaemonSpec, facts: InvocationFacts): ResolvedSpec {
  const cwd = resolve(facts.cwd, spec.cwd ?? '.');
  checkDirectory(cwd);
  const file = resolveCommand(spec.command, { ...facts.env, ...spec.env }, cwd);
  const settings = { ...spec.settings } as DaemonOptions;
  const noSpare = settings.prewarm === true ? whyNoSpare(file, spec.args) : undefined;
  if (noSpare !== undefined) throw new XDaemonError(`--prewarm: ${noSpare}`, { code: EUSAGE, option: 'prewarm', reason: noSpare });
  const increment = incrementProblem({ incrementVar: settings.incrementVar ?? '', instances: settings.instances ?? 1 }, { ...facts.env, ...spec.env }, listenAddresses(settings.listen ?? []));
  if (increment !== undefined) throw new XDaemonError(`--increment-var: ${increment}`, { code: EUSAGE, option: 'incrementVar', reason: increment });
  if (typeof settings.errFile === 'string') settings.errFile = resolve(facts.cwd, settings.errFile);
  // Env files are read at every start: one that cannot be read now is refused before anything runs.
  if (settings.envFile !== undefined) {
    settings.envFile = settings.envFile.map((p) => resolve(facts.cwd, p));
    checkEnvFiles(settings.envFile, 'env file');
  }
  // Watched paths are the daemon's: relative to its working directory (bare --watch: that directory).
  if (settings.watch !== undefined) settings.watch = settings.watch.map((p) => checkWatched(resolve(cwd, p)));
  const log = spec.log === undefined ? undefined : resolve(facts.cwd, spec.log);
  const dependsOn = spec.dependsOn ?? [];
  return { command: spec.command, file, args: spec.args, cwd, env: spec.env, settings, log, ...(dependsOn.length === 0 ? {} : { dependsOn }), ...(spec.ownProcess === true ? { ownProcess: true as const } : {}) };
}

/**
 * Why the command line of a resolved spec cannot run its instances side by side (a program that
 * is not Node, several instances, nothing that gives each its port), if so; `xdaemon start` refuses
 * it (a pm2 file's apps run as pm2 runs them: each instance as it is).
 */
export function instancesRefusal(resolved: ResolvedSpec): XDaemonError | undefined {
  const why = instancesProblem(isNodeExecutable(resolved.file), resolved.settings);
  return why === undefined ? undefined : new XDaemonError(`--instances: ${why}`, { code: EUSAGE, option: 'instances', reason: why });
}

/**
 * {@link resolveSpec}, and the name: the spec's, else derived from the command line.
 *
 * @throws XDaemonError naming the directory or the command; `code: EUSAGE` for an underivable name.
 */
export function prepareSpec(spec: DaemonSpec, facts: InvocationFacts): NamedSpec {
  const resolved = resolveSpec(spec, facts);
  const name = spec.name ?? defaultName(spec.command, spec.args, (arg) => isFile(resolve(resolved.cwd, arg)));
  return { name, ...resolved };
}

/** The record of a prepared daemon in state directory `dir`. */
export function recordOf(prepared: NamedSpec, dir: string, now: Date = new Date()): DaemonRecord {
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

/** The environment a daemon gets: the invoking one plus its own additions. */
export function daemonEnv(base: NodeJS.ProcessEnv, additions: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  return { ...base, ...additions };
}

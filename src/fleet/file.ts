/**
 * Operations on a fleet file: `start` starts what does not run and leaves what runs alone,
 * `restart` stops its apps and starts them with the file's current settings, `reload` reloads an
 * app that runs as the file says and restarts one the file changed, `stop` and `delete` reach its
 * apps by name. The whole file is read, mapped and checked against the machine (directories,
 * programs, scripts) before anything starts: one bad app, and nothing of the file starts (a
 * FleetFileError naming the file, the app and the key).
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EUSAGE, XDaemonError, messageOf } from '../errors.js';
import { type DaemonState, control } from './control-bundle.js';
import { type DaemonSpec, type InvocationFacts, prepareSpec, recordOf } from './daemon-spec.js';
import { createdStateDirectory } from './daemons.js';
import { deleteDaemons } from './delete.js';
import { type FleetApp, mapFleetProblems } from './file-map.js';
import { DEFAULT_FLEET_FILES, defaultFleetFile, loadFleetFile } from './file-load.js';
import { type FleetProblem, FleetFileError, fleetFileError } from './fleet-error.js';
import { usableCpus } from '../process/cpu-count.js';
import { type DaemonResult, type Failed, type Reloaded, type Restarted, type Started } from './outcome.js';
import { reloadDaemon } from './reload.js';
import { type DaemonRecord, daemonPaths, readRecord } from './record.js';
import { scriptProgram } from './script-command.js';
import { type ToStart, notRunning, runningDependencies, startInOrder } from './start.js';
import { StartOrderError, startWaves } from './start-order.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';
import { stopDaemons } from './stop.js';

/** Which file, which of its apps, with which environment. */
export interface FleetRequest {
  /** The file, relative to the current directory; undefined: the default file of that directory. */
  file: string | undefined;
  /** These apps (none: all). */
  only: string[];
  /** Selects each app's `env_<SET>`. */
  envSet: string | undefined;
  /** Variables added to every app's environment, over the file's. */
  env: Record<string, string>;
  /** Every app a supervisor process of its own (`start FILE --own-process`), as if each said `ownProcess: true`. */
  ownProcess?: boolean | undefined;
}

/** A fleet file, read and mapped. */
export interface Fleet {
  path: string;
  apps: FleetApp[];
  /** One line each: a pm2 key not carried out, what a cluster app should add. */
  warnings: string[];
}

/** What an operation on a fleet file did: a result per app, and the file's warnings. */
export interface FleetOutcome {
  /** The file, absolute. */
  file: string;
  warnings: string[];
  results: DaemonResult[];
}

/**
 * The file of `request` (the named one, else the default one of `cwd`), loaded and mapped.
 *
 * @throws FleetFileError for a file that cannot be read or mapped; XDaemonError (`code: EUSAGE`)
 *   when no file is named and `cwd` has none.
 */
export async function readFleet(request: FleetRequest, cwd: string): Promise<Fleet> {
  const { problems, ...fleet } = await readFleetProblems(request, cwd);
  if (problems.length > 0) throw new FleetFileError(problems as [FleetProblem, ...FleetProblem[]]);
  return fleet;
}

/** {@link readFleet} without the throw for the file's problems: the apps that map, and the problems. */
async function readFleetProblems(request: FleetRequest, cwd: string): Promise<Fleet & { problems: FleetProblem[] }> {
  const path = request.file === undefined ? defaultFleetFile(cwd) : resolve(cwd, request.file);
  if (path === undefined) throw new XDaemonError(`no fleet file in ${cwd} (${DEFAULT_FLEET_FILES.join(', ')})`, { code: EUSAGE });
  const content = await loadFleetFile(path);
  const mapped = mapFleetProblems(content, { path, cwd, envSet: request.envSet, env: request.env, only: request.only, cpus: usableCpus() });
  return { path, ...mapped };
}

/**
 * The spec of an app: its script turned into the command line that runs it, and a warning when
 * the file's `args` cannot follow (a `script` that is a command line runs through a shell, as in pm2).
 *
 * @throws ScriptError when its script cannot be run.
 */
export function appSpec(app: FleetApp, { ownProcess = false }: { ownProcess?: boolean } = {}): { spec: DaemonSpec; warning?: string } {
  let warning: string | undefined;
  let program: { command: string; args: string[] };
  if ('script' in app.program) {
    const { written, script, interpreter, interpreterArgs } = app.program;
    const found = scriptProgram(written, script, interpreter, interpreterArgs);
    // pm2 drops them without a word; we run as pm2 runs, and say so.
    if (found.commandLine && app.args.length > 0) warning = `script ${JSON.stringify(written)} is a command line (run through ${found.command}): its args ${JSON.stringify(app.args.join(' '))} are dropped, as pm2 drops them; write them into script`;
    program = { command: found.command, args: found.commandLine ? found.args : [...found.args, ...app.args] };
  } else {
    program = { command: app.program.command, args: [...app.args] };
  }
  const spec: DaemonSpec = { name: app.name, command: program.command, args: program.args, settings: app.settings, log: app.log, cwd: app.cwd, env: app.env, dependsOn: app.dependsOn, ...(app.ownProcess || ownProcess ? { ownProcess: true } : {}) };
  return warning === undefined ? { spec } : { spec, warning };
}

/**
 * The records of a fleet's apps, each checked against the machine (its directory exists, its
 * program is found), and the warnings of their programs.
 *
 * @throws FleetFileError naming the file and every app that is not.
 */
export function fleetRecords(fleet: Fleet, dir: string, facts: InvocationFacts, known: readonly FleetProblem[] = [], { ownProcess = false }: { ownProcess?: boolean } = {}): { records: DaemonRecord[]; warnings: string[] } {
  const problems: FleetProblem[] = [...known];
  const warnings: string[] = [];
  const records: DaemonRecord[] = [];
  for (const app of fleet.apps) {
    try {
      const { spec, warning } = appSpec(app, { ownProcess });
      if (warning !== undefined) warnings.push(`${fleet.path}: app ${app.name}: ${warning}`);
      records.push(recordOf(prepareSpec(spec, facts), dir));
    } catch (err) {
      if (!(err instanceof XDaemonError)) throw err;
      problems.push({ file: fleet.path, app: app.name, key: err.option, reason: messageOf(err) });
    }
  }
  if (problems.length > 0) throw new FleetFileError(problems as [FleetProblem, ...FleetProblem[]]);
  return { records, warnings };
}

/**
 * The folders of the apps' log files, made where missing (mode 0750: the logs are the user's), as
 * pm2 makes them: a file that names `./logs/out.log` gets its `logs`.
 *
 * @throws FleetFileError naming every folder that cannot be made.
 */
export function makeLogFolders(file: string, records: readonly Pick<DaemonRecord, 'name' | 'log' | 'settings'>[]): void {
  const problems: FleetProblem[] = [];
  for (const record of records) {
    for (const [key, path] of [['log', record.log], ['errFile', record.settings.errFile]] as const) {
      if (typeof path !== 'string' || path === '/dev/null') continue;
      try {
        mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
      } catch (err) {
        problems.push({ file, app: record.name, key, reason: `cannot make the folder of ${path}: ${messageOf(err)}` });
      }
    }
  }
  if (problems.length > 0) throw new FleetFileError(problems as [FleetProblem, ...FleetProblem[]]);
}

/** The file of `request` read, mapped and checked into records, in the state directory (created). */
async function checkedFleet(request: FleetRequest, facts: StateFacts): Promise<{ dir: string; fleet: Fleet; records: DaemonRecord[] }> {
  const dir = createdStateDirectory(facts);
  // The problems of the file and those of its apps on this machine (a missing script), all at once.
  const { problems, ...read } = await readFleetProblems(request, facts.cwd);
  const { records, warnings } = fleetRecords(read, dir, facts, problems, { ownProcess: request.ownProcess === true });
  makeLogFolders(read.path, records);
  return { dir, fleet: { ...read, warnings: [...read.warnings, ...warnings] }, records };
}

/**
 * Starts `toStart` (apps of `fleet`) in the order of their dependsOn; `running`: the apps of the
 * file that run already. A dependency that neither starts here nor runs is a FleetFileError.
 */
async function startOrdered(dir: string, fleet: Fleet, toStart: readonly ToStart[], running: readonly string[], env: NodeJS.ProcessEnv): Promise<(Started | Failed)[]> {
  const outside = await runningDependencies(dir, toStart.map((t) => t.record));
  const runs = (name: string): boolean => running.includes(name) || outside.has(name);
  try {
    return await startInOrder(dir, toStart, env, runs);
  } catch (err) {
    if (err instanceof StartOrderError) throw fleetFileError({ file: fleet.path, app: err.app, key: 'dependsOn', reason: `dependsOn: ${err.reason as string}` }, err);
    throw err;
  }
}

/** Starts the apps of a file that do not run, dependencies first; those that run are left alone (`already-running`). */
export async function startFleet(request: FleetRequest, facts: StateFacts = currentStateFacts()): Promise<FleetOutcome> {
  const { dir, fleet, records } = await checkedFleet(request, facts);
  const { toStart, running } = await notRunning(dir, records);
  const started = await startOrdered(dir, fleet, toStart, running.map((r) => r.name), facts.env);
  return { file: fleet.path, warnings: fleet.warnings, results: [...running, ...started] };
}

/**
 * Stops the apps of a file that run (dependants first), and starts them all with the file's
 * current settings (dependencies first; `was` says which ran).
 */
export async function restartFleet(request: FleetRequest, facts: StateFacts = currentStateFacts()): Promise<FleetOutcome> {
  const { dir, fleet, records } = await checkedFleet(request, facts);
  const lib = control();
  const was = new Map<string, DaemonState>();
  for (const wave of stopWaves(fleet.apps)) {
    await Promise.all(
      wave.map(async (app) => {
        const { pidFile } = daemonPaths(dir, app.name);
        const s = await lib.status(pidFile);
        if (s.state !== 'stopped' && s.state !== 'errored') await lib.stop(pidFile);
        was.set(app.name, s.state);
      }),
    );
  }
  const toStart = records.map((record): ToStart => ({ record, was: was.get(record.name) ?? 'stopped' }));
  return { file: fleet.path, warnings: fleet.warnings, results: await startOrdered(dir, fleet, toStart, [], facts.env) };
}

/** A file's apps in stop order: dependants first (the start waves, last first). */
function stopWaves(apps: readonly FleetApp[]): FleetApp[][] {
  return startWaves(apps, () => true).reverse();
}

/** A record's run as JSON with sorted keys: what a reload cannot change (command, arguments, directory, environment, settings, log). */
function runOf(record: DaemonRecord): string {
  const sorted = (value: unknown): unknown =>
    value === null || typeof value !== 'object' || Array.isArray(value)
      ? value
      : Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sorted(v)]));
  return JSON.stringify(sorted({ file: record.file, args: record.args, cwd: record.cwd, env: record.env, settings: record.settings, log: record.log }));
}

/**
 * An app that runs as the file says is reloaded (its workers replaced one by one, each once its
 * successor is ready); one whose command line or settings changed is started anew (`note:
 * 'changed'`: a reload keeps its supervisor's settings); one that does not run is started.
 */
export async function reloadFleet(request: FleetRequest, facts: StateFacts = currentStateFacts()): Promise<FleetOutcome> {
  const { dir, fleet, records } = await checkedFleet(request, facts);
  const lib = control();
  const decided = await Promise.all(
    records.map(async (record): Promise<Reloaded | Restarted | Failed | ToStart> => {
      const { pidFile } = daemonPaths(dir, record.name);
      const s = await lib.status(pidFile);
      const runs = s.state === 'running' || s.state === 'restarting';
      if (runs) {
        const before = readRecord(dir, record.name);
        if (before !== undefined && runOf(before) === runOf(record)) return reloadDaemon(record.name, pidFile, record.log, s);
      }
      if (s.state !== 'stopped' && s.state !== 'errored') await lib.stop(pidFile);
      return { record, was: s.state, ...(runs ? { note: 'changed' as const } : {}) };
    }),
  );
  const reloaded = decided.filter((d): d is Reloaded | Restarted | Failed => 'outcome' in d);
  const toStart = decided.filter((d): d is ToStart => !('outcome' in d));
  // A reload of a dependency leaves its dependants alone; what starts anew starts in order.
  const started = await startOrdered(dir, fleet, toStart, reloaded.map((r) => r.name), facts.env);
  return { file: fleet.path, warnings: fleet.warnings, results: [...reloaded, ...started] };
}

/** Stops the apps of a file, dependants first (an app never started is `not-known`). */
export async function stopFleet(request: FleetRequest, options: { timeout?: number } = {}, facts: StateFacts = currentStateFacts()): Promise<FleetOutcome> {
  const fleet = await readFleet(request, facts.cwd);
  const results = new Map<string, DaemonResult>();
  for (const wave of stopWaves(fleet.apps)) {
    for (const result of await stopDaemons({ names: wave.map((a) => a.name) }, options, facts)) results.set(result.name, result);
  }
  return { file: fleet.path, warnings: fleet.warnings, results: fleet.apps.map((a) => results.get(a.name) as DaemonResult) };
}

/** Stops the apps of a file and forgets them (an app never started is `not-known`). */
export async function deleteFleet(request: FleetRequest, facts: StateFacts = currentStateFacts()): Promise<FleetOutcome> {
  const fleet = await readFleet(request, facts.cwd);
  const results = await deleteDaemons(fleet.apps.map((a) => a.name), facts);
  return { file: fleet.path, warnings: fleet.warnings, results };
}

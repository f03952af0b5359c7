/**
 * The verbs on a fleet file: `start FILE` starts what does not run and names what does (untouched),
 * `restart FILE` stops its apps and starts them with the file's current settings, `stop FILE` and
 * `delete FILE` reach its apps by name. The whole file is read, mapped and checked against the
 * machine (directories, programs, scripts) before anything starts: one bad app, and nothing of the
 * file starts (exit 2, the file, the app and the key named). The supervisors of a file are spawned
 * all at once and then waited for, so that their start-ups overlap.
 */
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { XDaemonError, messageOf } from '../errors.js';
import type { Io } from './io.js';
import { type FleetApp, mapFleet } from '../fleet/file-map.js';
import { DEFAULT_FLEET_FILES, defaultFleetFile, loadFleetFile } from '../fleet/file-load.js';
import type { FleetRequest } from './fleet-request.js';
import { type DaemonSpec as LaunchRequest, type InvocationFacts, prepareSpec as prepare, recordOf } from '../fleet/daemon-spec.js';
import { type StartedDaemon, beginRecord } from '../fleet/daemon-start.js';
import { startedLine } from './launch.js';
import { control, existingStateDirectory, known } from './daemons.js';
import { deleteKnown } from './delete.js';
import { reloadedLine } from './reload.js';
import { type DaemonRecord, daemonPaths, readRecord } from '../fleet/record.js';
import { ScriptError, scriptCommand } from '../fleet/script-command.js';
import { currentStateFacts, openStateDirectory, stateDirectoryPath } from '../fleet/state-dir.js';
import { stopNames } from './stop.js';
import { EXIT, UsageError } from './usage-error.js';

/** The preload of pm2's `process.send('ready')`, beside this bundle in dist/. */
const PM2_SEND = join(__dirname, 'pm2-send.js');

/** A fleet file, read and mapped. */
export interface Fleet {
  path: string;
  apps: FleetApp[];
  warnings: string[];
}

/** The file of `request` (the named one, else the default one of `cwd`), loaded and mapped. */
export async function readFleet(request: FleetRequest, cwd: string): Promise<Fleet> {
  const path = request.file === undefined ? defaultFleetFile(cwd) : resolve(cwd, request.file);
  if (path === undefined) {
    throw new UsageError(`missing -- <command> (xdaemon start [options] -- <command> [args…]), and no fleet file here (${DEFAULT_FLEET_FILES.join(', ')})`);
  }
  const content = await loadFleetFile(path);
  const mapped = mapFleet(content, { path, envSet: request.envSet, env: request.env, only: request.only, cpus: Math.max(1, cpus().length) });
  return { path, ...mapped };
}

/** The launch request of an app: its script turned into the command line that runs it. */
export function launchRequestOf(app: FleetApp): LaunchRequest {
  const program = 'script' in app.program ? scriptCommand(app.program.script, app.program.interpreter, app.program.interpreterArgs) : { command: app.program.command, args: [] };
  // pm2's wait_ready: this node runs the script, with the preload that takes process.send('ready').
  if (app.pm2Ready && program.command === process.execPath) program.args.unshift('--require', PM2_SEND);
  return { name: app.name, command: program.command, args: [...program.args, ...app.args], settings: app.settings, log: app.log, cwd: app.cwd, env: app.env };
}

/**
 * The records of a fleet's apps, each checked against the machine (its directory exists, its
 * program is found). The first that is not is a UsageError naming the file and the app.
 */
export function fleetRecords(fleet: Fleet, dir: string, facts: InvocationFacts): DaemonRecord[] {
  return fleet.apps.map((app) => {
    try {
      return recordOf(prepare(launchRequestOf(app), facts), dir);
    } catch (err) {
      if (err instanceof ScriptError || err instanceof XDaemonError) throw new UsageError(`${fleet.path}: app ${app.name}: ${messageOf(err)}`);
      throw err;
    }
  });
}

/**
 * The file of `request` read, mapped and checked into records (in the state directory, created),
 * its warnings printed: what the verbs that start a file's apps begin with.
 */
async function checkedFleet(request: FleetRequest, io: Io): Promise<{ dir: string; env: NodeJS.ProcessEnv; records: DaemonRecord[] }> {
  const facts = currentStateFacts();
  const dir = openStateDirectory(stateDirectoryPath(facts), true) as string;
  const fleet = await readFleet(request, facts.cwd);
  const records = fleetRecords(fleet, dir, facts);
  warn(io, fleet.warnings);
  return { dir, env: facts.env, records };
}

function warn(io: Io, warnings: readonly string[]): void {
  for (const w of warnings) io.err(`warning: ${w}`);
}

/**
 * Starts every record of `records` (none of them running) with environment `base` plus its own:
 * all supervisors spawned first, then each waited for. A line per daemon; exit 1 when one failed.
 */
export function startAll(dir: string, records: readonly DaemonRecord[], base: NodeJS.ProcessEnv, io: Io, note: (name: string) => string = () => ''): number {
  const pending = records.map((record) => {
    try {
      return { record, daemon: beginRecord(dir, record, base) };
    } catch (err) {
      return { record, error: err };
    }
  });
  let code: number = EXIT.ok;
  for (const entry of pending) {
    let started: StartedDaemon;
    try {
      if ('error' in entry) throw entry.error;
      started = entry.daemon.finish();
    } catch (err) {
      io.err(messageOf(err));
      code = EXIT.failure;
      continue;
    }
    io.out(`${startedLine(entry.record.name, started, entry.record.log)}${note(entry.record.name)}`);
  }
  return code;
}

/**
 * The records of `records` whose daemons do not run (a dead one cleaned up first); those that run
 * are named, untouched.
 */
export async function notRunning(dir: string, records: readonly DaemonRecord[], io: Io): Promise<DaemonRecord[]> {
  const lib = control();
  const states = await Promise.all(records.map((r) => lib.status(daemonPaths(dir, r.name).pidFile)));
  const todo: DaemonRecord[] = [];
  await Promise.all(
    records.map(async (record, i) => {
      const s = states[i] as Awaited<ReturnType<typeof lib.status>>;
      if (s.state === 'running' || s.state === 'restarting') {
        io.out(`${record.name} already runs: supervisor ${s.pid ?? '?'} (untouched)`);
        return;
      }
      // Dead: what its workers left is stopped and the stale pid file removed first.
      if (s.state === 'dead') await lib.stop(daemonPaths(dir, record.name).pidFile);
      todo.push(record);
    }),
  );
  return records.filter((r) => todo.includes(r));
}

/** `start FILE`: checks all, then starts the apps that do not run. */
export async function startFleet(request: FleetRequest, io: Io): Promise<number> {
  const { dir, env, records } = await checkedFleet(request, io);
  return startAll(dir, await notRunning(dir, records, io), env, io);
}

/** `restart FILE`: checks all, stops the apps that run, starts them all with the file's current settings. */
export async function restartFleet(request: FleetRequest, io: Io): Promise<number> {
  const { dir, env, records } = await checkedFleet(request, io);
  const lib = control();
  const wasRunning = new Set<string>();
  await Promise.all(
    records.map(async (record) => {
      const { pidFile } = daemonPaths(dir, record.name);
      const s = await lib.status(pidFile);
      if (s.state === 'stopped') return;
      if (s.state !== 'dead') wasRunning.add(record.name);
      await lib.stop(pidFile);
    }),
  );
  return startAll(dir, records, env, io, (name) => (wasRunning.has(name) ? ' (restarted with the file\'s settings)' : ''));
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
 * `reload FILE`: checks all; an app that runs as the file says is reloaded (its workers replaced one
 * by one, each once its successor is ready); one whose command line or settings changed is
 * restarted with the new ones (a reload keeps its supervisor's settings), saying so; one that does
 * not run is started.
 */
export async function reloadFleet(request: FleetRequest, io: Io): Promise<number> {
  const { dir, env, records } = await checkedFleet(request, io);
  const lib = control();
  const toStart = new Set<DaemonRecord>();
  const changed = new Set<string>();
  let code: number = EXIT.ok;
  await Promise.all(
    records.map(async (record) => {
      const { pidFile } = daemonPaths(dir, record.name);
      const s = await lib.status(pidFile);
      if (s.state === 'running' || s.state === 'restarting') {
        const before = readRecord(dir, record.name);
        if (before !== undefined && runOf(before) === runOf(record)) {
          try {
            io.out(reloadedLine(record.name, await lib.reload(pidFile)));
          } catch (err) {
            io.err(`${record.name}: ${messageOf(err)}`);
            code = EXIT.failure;
          }
          return;
        }
        changed.add(record.name);
      }
      if (s.state !== 'stopped') await lib.stop(pidFile);
      toStart.add(record);
    }),
  );
  const note = (name: string): string => (changed.has(name) ? " (restarted: the file changed it, which a reload cannot apply)" : '');
  return Math.max(code, startAll(dir, records.filter((r) => toStart.has(r)), env, io, note));
}

/** `stop FILE`: stops its apps. */
export async function stopFleet(request: FleetRequest, timeout: number, io: Io): Promise<number> {
  const fleet = await readFleet(request, process.cwd());
  return stopNames(existingStateDirectory(), fleet.apps.map((a) => a.name), timeout, io, true);
}

/** `delete FILE`: stops its apps and forgets them. */
export async function deleteFleet(request: FleetRequest, io: Io): Promise<number> {
  const fleet = await readFleet(request, process.cwd());
  const dir = existingStateDirectory();
  await Promise.all(
    fleet.apps.map(async ({ name }) => {
      if (dir === undefined || readRecord(dir, name) === undefined) io.out(`${name} is not known (nothing to delete)`);
      else await deleteKnown(known(dir, name), io);
    }),
  );
  return EXIT.ok;
}

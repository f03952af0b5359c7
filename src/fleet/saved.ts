/**
 * The files of the state directory that are not daemons: `.saved.json`, the names `xdaemon save`
 * recorded for `xdaemon resurrect` (only names: each daemon's record is already there, and the
 * environment is the resurrecting shell's plus each record's own additions, never a dump of a
 * whole old environment), and `.startup.json`, what `xdaemon startup` installed (so that `status`
 * can warn when the node or the xdaemon it runs is gone). Their names start with a dot: never a
 * daemon's name, so `list` does not take them for records.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomically } from '../control/state-file.js';
import { XDaemonError, errorCode, messageOf } from '../errors.js';
import { isValidName } from './names.js';

/** What `.saved.json` holds. */
export interface SavedList {
  v: 1;
  /** ISO time of the save. */
  savedAt: string;
  names: string[];
}

/** What `.startup.json` holds. */
export interface StartupRecord {
  v: 1;
  /** The service's name and file. */
  name: string;
  path: string;
  backend: string;
  userService: boolean;
  /** The executables the service runs: node and xdaemon's script. */
  node: string;
  cli: string;
}

const SAVED = '.saved.json';
const STARTUP = '.startup.json';

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new XDaemonError(`cannot read ${path}: ${messageOf(err)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new XDaemonError(`${path} is not JSON xdaemon wrote (remove it, and save again)`);
  }
}

function write(path: string, value: unknown): void {
  try {
    writeAtomically(path, `${JSON.stringify(value, null, 2)}\n`, 0o600);
  } catch (err) {
    throw new XDaemonError(`cannot write ${path}: ${messageOf(err)}`, { cause: err, code: errorCode(err) });
  }
}

/** The saved list of `dir`, or undefined when nothing was saved. */
export function readSaved(dir: string): SavedList | undefined {
  const path = join(dir, SAVED);
  const value = readJson(path) as Partial<SavedList> | undefined;
  if (value === undefined) return undefined;
  if (value.v !== 1 || !Array.isArray(value.names) || !value.names.every((n) => typeof n === 'string' && isValidName(n))) {
    throw new XDaemonError(`${path} is not a saved list xdaemon can read (remove it, and save again)`);
  }
  return value as SavedList;
}

/** Writes the saved list of `dir`. */
export function writeSaved(dir: string, names: readonly string[], now: Date = new Date()): void {
  write(join(dir, SAVED), { v: 1, savedAt: now.toISOString(), names: [...names] } satisfies SavedList);
}

/** What `startup` installed, or undefined. */
export function readStartup(dir: string): StartupRecord | undefined {
  const value = readJson(join(dir, STARTUP)) as Partial<StartupRecord> | undefined;
  if (value === undefined || value.v !== 1 || typeof value.node !== 'string' || typeof value.cli !== 'string' || typeof value.name !== 'string') return undefined;
  return value as StartupRecord;
}

/** Records what `startup` installed. */
export function writeStartup(dir: string, record: StartupRecord): void {
  write(join(dir, STARTUP), record);
}

/** Forgets what `startup` installed. */
export function forgetStartup(dir: string): void {
  rmSync(join(dir, STARTUP), { force: true });
}

/**
 * A warning per executable of the startup service that is gone (a Node upgrade, a moved package):
 * at boot it would not run.
 */
export function startupWarnings(dir: string | undefined): string[] {
  if (dir === undefined) return [];
  let startup: StartupRecord | undefined;
  try {
    startup = readStartup(dir);
  } catch {
    return [];
  }
  if (startup === undefined) return [];
  const s = startup;
  return [s.node, s.cli]
    .filter((path) => !existsSync(path))
    .map((path) => `the startup service ${s.name} runs ${path}, which no longer exists (was Node upgraded or xdaemon moved?): run xdaemon startup${s.userService ? ' --user' : ''} --force again`);
}

/**
 * A named daemon's files in the state directory and its record: `<name>.json` (mode 0o600) holds
 * the command line as given and as resolved, the working directory, the `--env` additions, the
 * settings given as flags and the log; `<name>.pid` and `<name>.pid.state` are its supervisor's
 * (single instance, status, stop); `<name>.log` is the default log. The record is what `restart`
 * of a stopped daemon starts again, and what `list` enumerates.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stateFileOf } from '../control/address.js';
import { writeAtomically } from '../control/state-file.js';
import { XDaemonError, errorCode, messageOf } from '../errors.js';
import type { ResolvedSpec } from './daemon-spec.js';
import { nameOfStem, stemOf } from './names.js';

/** What `<name>.json` holds: the checked spec (see ./daemon-spec), named, with its log. */
export interface DaemonRecord extends Omit<ResolvedSpec, 'log'> {
  v: 1;
  name: string;
  /** Absolute log file. */
  log: string;
  /** ISO time of the `start` (or `run`) that wrote it. */
  updatedAt: string;
}

/** The files of daemon `name` in the state directory `dir`. */
export interface DaemonPaths {
  record: string;
  pidFile: string;
  log: string;
}

const RECORD_EXT = '.json';

/** Where daemon `name`'s files are (under its file stem: a name with other characters is written with `%XX`). */
export function daemonPaths(dir: string, name: string): DaemonPaths {
  const stem = stemOf(name);
  return { record: join(dir, `${stem}${RECORD_EXT}`), pidFile: join(dir, `${stem}.pid`), log: join(dir, `${stem}.log`) };
}

/**
 * The record of `name`, or undefined when there is none.
 *
 * @throws XDaemonError naming the file when it cannot be read or is not a record.
 */
export function readRecord(dir: string, name: string): DaemonRecord | undefined {
  const path = daemonPaths(dir, name).record;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new XDaemonError(`cannot read ${path}: ${messageOf(err)}`, { cause: err, code: errorCode(err) });
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    record = undefined;
  }
  if (!isRecord(record) || record.name !== name) throw new XDaemonError(`${path} is not a daemon record xdaemon can read (remove it, or xdaemon delete ${name})`);
  return record;
}

function isRecord(value: unknown): value is DaemonRecord {
  const r = value as Partial<DaemonRecord> | null;
  return (
    typeof r === 'object' && r !== null && r.v === 1 && typeof r.name === 'string' && typeof r.command === 'string' && typeof r.file === 'string' &&
    Array.isArray(r.args) && r.args.every((a) => typeof a === 'string') && typeof r.cwd === 'string' && typeof r.env === 'object' && r.env !== null &&
    typeof r.settings === 'object' && r.settings !== null && typeof r.log === 'string'
  );
}

/** Writes the record atomically, owner-only (0o600). */
export function writeRecord(dir: string, record: DaemonRecord): void {
  const path = daemonPaths(dir, record.name).record;
  try {
    writeAtomically(path, `${JSON.stringify(record, null, 2)}\n`, 0o600);
  } catch (err) {
    throw new XDaemonError(`cannot write ${path}: ${messageOf(err)}`, { cause: err, code: errorCode(err) });
  }
}

/** The names that have a record in `dir`, sorted. */
export function recordNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(RECORD_EXT))
    .flatMap((file) => nameOfStem(file.slice(0, -RECORD_EXT.length)) ?? [])
    .sort();
}

/** Removes the record, the pid file and its state file (the log stays). */
export function forget(dir: string, name: string): void {
  const paths = daemonPaths(dir, name);
  for (const path of [paths.record, paths.pidFile, stateFileOf(paths.pidFile)]) rmSync(path, { force: true });
}

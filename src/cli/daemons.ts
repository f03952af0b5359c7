/**
 * What the verbs that operate daemons by name share: the state directory as it is (never created
 * by a verb that only reads), a name's record and pid file, one line per name for verbs that take
 * several, and the control bundle, which talks to supervisors without loading the launcher or
 * `child_process`.
 */
import { loadBundle } from '../bundles.js';
import { XDaemonError, messageOf } from '../errors.js';
import type { Io } from './io.js';
import { type DaemonRecord, daemonPaths, readRecord } from '../fleet/record.js';
import { currentStateFacts, openStateDirectory, stateDirectoryPath } from '../fleet/state-dir.js';
import { EXIT, UsageError } from './usage-error.js';
import { checkName } from '../fleet/names.js';
import type { NamedStatus } from './render.js';

/** A named daemon with a record. */
export interface Known {
  name: string;
  record: DaemonRecord;
  pidFile: string;
  dir: string;
}

/** The state directory if it exists (checked: a missing one means no daemons). */
export function existingStateDirectory(): string | undefined {
  return openStateDirectory(stateDirectoryPath(currentStateFacts()), false);
}

/** The error for a name without a record. */
export function unknownName(name: string): XDaemonError {
  return new XDaemonError(`no daemon named ${JSON.stringify(name)} (xdaemon list shows them)`, { code: 'ENOENT' });
}

/** The daemon `name` of `dir`; throws an XDaemonError naming it when it has no record. */
export function known(dir: string | undefined, name: string): Known {
  const record = dir === undefined ? undefined : readRecord(dir, name);
  if (record === undefined || dir === undefined) throw unknownName(name);
  return { name, record, pidFile: daemonPaths(dir, name).pidFile, dir };
}

/** The control functions (status, stop, restart) from their bundle. */
export function control(): ReturnType<typeof loadBundle<'control'>> {
  return loadBundle('control');
}

/** The names of `positionals`, each checked; a UsageError when there is none and none is allowed. */
export function namesOf(verb: string, positionals: readonly string[], atLeastOne: boolean): string[] {
  if (atLeastOne && positionals.length === 0) throw new UsageError(`${verb} needs a NAME (see xdaemon ${verb} --help)`);
  return positionals.map(checkName);
}

/** `NAME… | --all` of `verb`'s line: the names, and whether it was --all; a UsageError for neither or both. */
export function namesOrAll(verb: string, line: { positionals: readonly string[]; flags: ReadonlyMap<string, unknown> }): { names: string[]; all: boolean } {
  const all = line.flags.get('all') === true;
  const names = namesOf(verb, line.positionals, false);
  if (all && names.length > 0) throw new UsageError(`${verb} takes NAME… or --all, not both`);
  if (!all && names.length === 0) throw new UsageError(`${verb} needs a NAME or --all (see xdaemon ${verb} --help)`);
  return { names, all };
}

/** The daemons a `NAME… | --all` request means: those named, or every one with a record. */
export function requestedNames(dir: string | undefined, request: { names: readonly string[]; all: boolean }, list: (dir: string) => string[]): string[] {
  return request.all ? (dir === undefined ? [] : list(dir)) : [...request.names];
}

/**
 * Runs `each` for every name at once; a failure is reported on stderr as `NAME: message` and makes
 * the exit code 1, the others go on.
 */
export async function forEachName(names: readonly string[], io: Io, each: (name: string) => Promise<void>): Promise<number> {
  const results = await Promise.all(
    names.map((name) =>
      each(name).then(
        () => true,
        (err: unknown) => {
          const message = messageOf(err);
          io.err(message.includes(JSON.stringify(name)) || message.startsWith(`${name} `) || message.startsWith(`${name}:`) ? message : `${name}: ${message}`);
          return false;
        },
      ),
    ),
  );
  return results.every(Boolean) ? EXIT.ok : EXIT.failure;
}

/**
 * The status of every daemon of `names` in `dir`, asked at once, in the order given; one that
 * cannot be asked (its supervisor refuses) is reported on stderr and left out (`failed` is then true).
 */
export async function statusesOf(dir: string | undefined, names: readonly string[], io: Io): Promise<{ rows: NamedStatus[]; failed: boolean }> {
  if (dir === undefined) return { rows: [], failed: false };
  const { status } = control();
  const answers = await Promise.all(
    names.map((name) =>
      status(daemonPaths(dir, name).pidFile).then(
        (s): NamedStatus => ({ name, ...s }),
        (err: unknown) => {
          io.err(`${name}: ${messageOf(err)}`);
          return undefined;
        },
      ),
    ),
  );
  const rows = answers.filter((r): r is NamedStatus => r !== undefined);
  return { rows, failed: rows.length < names.length };
}

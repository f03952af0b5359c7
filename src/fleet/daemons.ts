/**
 * Finding named daemons: the state directory as it is (never created by an operation that only
 * reads) or created for one that starts, a name's record and pid file, the names an operation
 * means (those given, or every one with a record), and their statuses asked all at once.
 */
import { XDaemonError } from '../errors.js';
import { type DaemonStatus, control } from './control-bundle.js';
import { type DaemonResult, type Failed, eachName, failed } from './outcome.js';
import { type DaemonRecord, daemonPaths, readRecord, recordNames } from './record.js';
import { ALL } from './names.js';
import { type StateFacts, currentStateFacts, openStateDirectory, stateDirectoryPath } from './state-dir.js';

/** A named daemon with a record. */
export interface Known {
  name: string;
  record: DaemonRecord;
  pidFile: string;
  dir: string;
}

/** A daemon's status with its name: what `list` and `status --json` show. */
export type NamedStatus = { name: string } & DaemonStatus;

/** The state directory if it exists (checked: a missing one means no daemons). */
export function existingStateDirectory(facts: StateFacts = currentStateFacts()): string | undefined {
  return openStateDirectory(stateDirectoryPath(facts), false);
}

/** The state directory, created if missing (for an operation that writes records). */
export function createdStateDirectory(facts: StateFacts = currentStateFacts()): string {
  return openStateDirectory(stateDirectoryPath(facts), true) as string;
}

/** The error for a name without a record. */
export function unknownName(name: string): XDaemonError {
  return new XDaemonError(`no daemon named ${JSON.stringify(name)} (xdaemon list shows them)`, { code: 'ENOENT' });
}

/** The daemon `name` of `dir`, or undefined when it has no record. */
export function findKnown(dir: string | undefined, name: string): Known | undefined {
  const record = dir === undefined ? undefined : readRecord(dir, name);
  if (record === undefined || dir === undefined) return undefined;
  return { name, record, pidFile: daemonPaths(dir, name).pidFile, dir };
}

/** The daemon `name` of `dir`; throws an XDaemonError naming it when it has no record. */
export function known(dir: string | undefined, name: string): Known {
  const daemon = findKnown(dir, name);
  if (daemon === undefined) throw unknownName(name);
  return daemon;
}

/** Which daemons an operation is about: those named, or every one with a record. */
export type Selection = { names: readonly string[] } | { all: true };

/** The names `selection` means in `dir` (each word as {@link resolveNames} reads it). */
export function selectedNames(dir: string | undefined, selection: Selection): string[] {
  if ('all' in selection) return dir === undefined ? [] : recordNames(dir);
  return resolveNames(dir, selection.names);
}

/**
 * The daemons words mean in `dir`, as pm2's words mean its apps: `all` is every daemon; a word
 * that names a daemon is that one; a whole number that names none is the daemon at that place of
 * `list` (0 first: pm2's id); any other word stays as it is (an operation says it is not known).
 * Each daemon once, in the order given.
 */
export function resolveNames(dir: string | undefined, words: readonly string[]): string[] {
  let listed: string[] | undefined;
  const list = (): string[] => (listed ??= dir === undefined ? [] : recordNames(dir));
  const names = words.flatMap((word) => {
    if (word === ALL) return list();
    if (/^\d+$/.test(word) && (dir === undefined || readRecord(dir, word) === undefined)) return list()[Number(word)] ?? word;
    return word;
  });
  return [...new Set(names)];
}

/**
 * The daemons `selection` means, with their records (their log files, their commands).
 *
 * @throws XDaemonError naming the first name without a record.
 */
export function knownDaemons(selection: Selection, facts: StateFacts = currentStateFacts()): Known[] {
  const dir = existingStateDirectory(facts);
  return selectedNames(dir, selection).map((name) => known(dir, name));
}

/**
 * The status of every daemon of `names` in `dir`, asked at once, in the order given; one that
 * cannot be asked (its supervisor refuses) is among `failed` instead. `options.pss: false` leaves
 * out the costly PSS (a face that looks every second).
 */
export async function statusesOf(dir: string | undefined, names: readonly string[], options: { pss?: boolean } = {}): Promise<{ rows: NamedStatus[]; failed: Failed[] }> {
  if (dir === undefined) return { rows: [], failed: [] };
  const { status } = control();
  const answers = await Promise.all(
    names.map((name) =>
      status(daemonPaths(dir, name).pidFile, options).then(
        (s): NamedStatus => ({ name, ...s }),
        (err: unknown) => failed(name, err, 'always'),
      ),
    ),
  );
  return {
    rows: answers.filter((r): r is NamedStatus => !('outcome' in r)),
    failed: answers.filter((r): r is Failed => 'outcome' in r),
  };
}

/**
 * `act` on each of `names` (in `dir`) that has a record, all at once, given its status now; a name
 * without one is `not-known`, and a throw is that name's `failed`.
 */
export function eachKnown(dir: string | undefined, names: readonly string[], act: (daemon: Known, now: DaemonStatus) => Promise<DaemonResult>): Promise<DaemonResult[]> {
  const lib = control();
  return eachName(names, async (name): Promise<DaemonResult> => {
    const daemon = findKnown(dir, name);
    if (daemon === undefined) return { name, outcome: 'not-known' };
    return act(daemon, await lib.status(daemon.pidFile));
  });
}

/**
 * What named daemons are doing: every daemon's status, asked at once through the control bundle
 * (neither the launcher nor `child_process` is loaded), or one daemon's with the OS service of the
 * same name, if one is installed (the service bundle is loaded then, and runs the manager's status
 * command only when a service file of that name exists).
 */
import { messageOf } from '../errors.js';
import type { ServiceStatus } from '../service/backends/backend.js';
import { type DaemonStatus, control } from './control-bundle.js';
import { type NamedStatus, existingStateDirectory, resolveNames, statusesOf } from './daemons.js';
import type { Failed } from './outcome.js';
import { daemonPaths, readRecord, recordNames } from './record.js';
import { startupWarnings } from './saved.js';
import { findService } from './services.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';
import { workerLines } from './cause-line.js';
import { readLogFrom } from './log-tail.js';

/** The lines of its log an errored daemon's status shows. */
const TAIL_LINES = 10;

/** The status of every daemon with a record, by name; one whose supervisor refuses is among `failed`. */
export async function daemonStatuses(facts: StateFacts = currentStateFacts()): Promise<{ rows: NamedStatus[]; failed: Failed[] }> {
  const dir = existingStateDirectory(facts);
  return statusesOf(dir, dir === undefined ? [] : recordNames(dir));
}

/** A warning per executable of the startup service that is gone (it would not run at boot), if one was installed. */
export function startupServiceWarnings(facts: StateFacts = currentStateFacts()): string[] {
  return startupWarnings(existingStateDirectory(facts));
}

/** An OS service of a daemon's name: its status, or why it could not be told. */
export type ServiceFinding = { status: ServiceStatus; user: boolean } | { error: string };

/**
 * What is known of a name: the daemon (its status, its working directory, and for one that gave
 * up its worker's last lines in its log), the OS service; neither when undefined.
 */
export interface NameStatus {
  /** The daemon's name (a list index given is resolved to it). */
  name: string;
  daemon: { status: DaemonStatus; cwd: string; tail: string[] } | undefined;
  service: ServiceFinding | undefined;
}

/** The daemon `name` and the OS service of that name, asked at once. */
export async function statusOfName(word: string, facts: StateFacts = currentStateFacts()): Promise<NameStatus> {
  const dir = existingStateDirectory(facts);
  // A list index (pm2's id) is the daemon at that place; a name is itself.
  const name = resolveNames(dir, [word])[0] ?? word;
  const record = dir === undefined ? undefined : readRecord(dir, name);
  const [daemon, service] = await Promise.all([
    record === undefined || dir === undefined
      ? undefined
      : control()
          .status(daemonPaths(dir, name).pidFile)
          .then((s) => ({ status: s, cwd: record.cwd, tail: s.state === 'errored' ? workerLines(readLogFrom(record.log)).slice(-TAIL_LINES) : [] })),
    serviceFinding(name),
  ]);
  return { name, daemon, service };
}

/** The OS service named `name` and its status, if one is installed (none when this machine has no service manager). */
async function serviceFinding(name: string): Promise<ServiceFinding | undefined> {
  const svc = await findService(name);
  if (svc === undefined) return undefined;
  try {
    return { status: await svc.serviceStatus(), user: svc.options.userService === true };
  } catch (err) {
    return { error: messageOf(err) };
  }
}

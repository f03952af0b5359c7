/**
 * `xdaemon status [NAME] [--json]`: one daemon in detail, or every daemon in a line each, with
 * LSB's exit codes (0 running, 1 dead with a pid file, 3 not running, 4 unknown name). For a name,
 * an OS service of that name (installed with `xdaemon install`) is shown too. Supervisors are asked
 * through the control bundle, all at once; neither the launcher nor `child_process` is loaded
 * (the service bundle is, for a name, and runs the manager's status command only when a service
 * file of that name exists).
 */
import type { DaemonStatus } from '../control/status.js';
import type { ServiceStatus } from '../service/backends/backend.js';
import { loadBundle } from '../bundles.js';
import { messageOf } from '../errors.js';
import { boolFlag, readLine } from './flags.js';
import type { Io } from './io.js';
import { control, existingStateDirectory, namesOf, statusesOf } from './daemons.js';
import { daemonPaths, readRecord, recordNames } from '../fleet/record.js';
import { startupWarnings } from '../fleet/saved.js';
import { LSB, lsbCode, lsbCodeOfAll, serviceLine, statusLines, summaryLine } from './render.js';
import { EXIT, UsageError } from './usage-error.js';

/** `status`, read. */
export interface StatusRequest {
  verb: 'status';
  name: string | undefined;
  json: boolean;
}

/** Reads `status`'s arguments. Pure. */
export function parseStatus(args: readonly string[]): StatusRequest | { verb: 'help'; topic: 'status' } {
  const line = readLine('status', args, { json: { type: 'boolean' } });
  if (line.help) return { verb: 'help', topic: 'status' };
  const [name, extra] = namesOf('status', line.positionals, false);
  if (extra !== undefined) throw new UsageError(`status takes one NAME at most, got also ${JSON.stringify(extra)}`);
  return { verb: 'status', name, json: boolFlag(line, 'json') };
}

/** An OS service of the name, as `status` shows it. */
export type ServiceFinding = { status: ServiceStatus; user: boolean } | { error: string };

/** What `status NAME` prints and exits with. */
export interface Report {
  stdout: string;
  code: number;
}

/**
 * `status NAME` from what was found: the daemon (its status and working directory), the service.
 * Neither: exit 4. The daemon's state decides the code; a service alone: 0 when it runs, else 3.
 */
export function statusReport(
  name: string,
  daemon: { status: DaemonStatus; cwd: string } | undefined,
  service: ServiceFinding | undefined,
  json: boolean,
  now: number,
): Report | undefined {
  if (daemon === undefined && service === undefined) return undefined;
  const svc = service !== undefined && 'status' in service ? service.status : undefined;
  const code = daemon !== undefined ? lsbCode(daemon.status.state) : svc?.state === 'running' ? LSB.running : LSB.stopped;
  if (json) {
    const serviceJson = service === undefined ? {} : { service: 'status' in service ? service.status : { error: service.error } };
    const body = daemon !== undefined ? { name, ...daemon.status, ...serviceJson } : { name, state: svc?.state ?? 'unknown', ...serviceJson };
    return { stdout: JSON.stringify(body, null, 2), code };
  }
  const lines: string[] = [];
  if (daemon !== undefined) lines.push(statusLines({ name, ...daemon.status }, daemon.cwd, now));
  if (service !== undefined) lines.push('status' in service ? serviceLine(service.status, service.user) : `service ${name}: cannot tell its state: ${service.error}`);
  if (svc !== undefined) for (const w of svc.warnings) lines.push(`  warning: ${w}`);
  return { stdout: lines.join('\n'), code };
}

/** The OS service named `name`, if one is installed (none when this machine has no service manager). */
async function findService(name: string): Promise<ServiceFinding | undefined> {
  const { Service } = loadBundle('service');
  let svc: Awaited<ReturnType<typeof Service.find>>;
  try {
    svc = await Service.find(name);
  } catch {
    // No service manager here, or a name no service can have.
    return undefined;
  }
  if (svc === undefined) return undefined;
  try {
    return { status: await svc.serviceStatus(), user: svc.options.userService === true };
  } catch (err) {
    return { error: messageOf(err) };
  }
}

/** Prints the status; the exit code is LSB's. */
export async function status(request: StatusRequest, io: Io): Promise<number> {
  const dir = existingStateDirectory();
  const now = Date.now();
  for (const warning of startupWarnings(dir)) io.err(`warning: ${warning}`);
  if (request.name !== undefined) {
    const lib = control();
    const name = request.name;
    const record = dir === undefined ? undefined : readRecord(dir, name);
    const [daemon, service] = await Promise.all([
      record === undefined || dir === undefined ? undefined : lib.status(daemonPaths(dir, name).pidFile).then((s) => ({ status: s, cwd: record.cwd })),
      findService(name),
    ]);
    const report = statusReport(name, daemon, service, request.json, now);
    if (report === undefined) {
      io.err(`no daemon or service named ${JSON.stringify(name)}`);
      return LSB.unknown;
    }
    io.out(report.stdout);
    return report.code;
  }
  const { rows, failed } = await statusesOf(dir, dir === undefined ? [] : recordNames(dir), io);
  if (request.json) io.out(JSON.stringify(rows, null, 2));
  else if (rows.length > 0) io.out(rows.map((s) => summaryLine(s, now)).join('\n'));
  return failed ? EXIT.failure : lsbCodeOfAll(rows.map((s) => s.state));
}

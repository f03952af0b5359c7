/**
 * `xdaemon status [NAME] [--json]`: one daemon in detail, or every daemon in a line each, with
 * LSB's exit codes (0 running, 1 dead with a pid file, 3 not running, 4 unknown name). For a name,
 * an OS service of that name (installed with `xdaemon install`) is shown too. src/fleet/status.ts
 * asks the supervisors, all at once, through the control bundle; neither the launcher nor
 * `child_process` is loaded (the service bundle is, for a name).
 */
import type { DaemonStatus } from '../fleet/control-bundle.js';
import { type ServiceFinding, daemonStatuses, startupServiceWarnings, statusOfName } from '../fleet/status.js';
import { boolFlag, readLine } from './flags.js';
import type { Io } from './io.js';
import { namesOf } from './name-args.js';
import { ALL } from '../fleet/names.js';
import { LSB, lsbCode, lsbCodeOfAll, serviceLine, statusLines, summaryLine } from './render.js';
import { EXIT, UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `status`, read. */
export interface StatusRequest {
  verb: 'status';
  name: string | undefined;
  json: boolean;
}

/** Reads `status`'s arguments. Pure. */
export function parseStatus(args: readonly string[]): StatusRequest | HelpRequest<'status'> {
  const line = readLine('status', args, { json: { type: 'boolean' } });
  if (line.help) return { verb: 'help', topic: 'status' };
  const [name, extra] = namesOf('status', line.positionals, false);
  if (extra !== undefined) throw new UsageError(`status takes one NAME at most, got also ${JSON.stringify(extra)}`);
  // pm2's `status` (and `status all`) is its list: every daemon, a line each.
  return { verb: 'status', name: name === ALL ? undefined : name, json: boolFlag(line, 'json') };
}

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
  daemon: { status: DaemonStatus; cwd: string; tail?: string[] } | undefined,
  service: ServiceFinding | undefined,
  json: boolean,
  now: number,
): Report | undefined {
  if (daemon === undefined && service === undefined) return undefined;
  const svc = service !== undefined && 'status' in service ? service.status : undefined;
  // A service the manager is restarting is supervised, as a restarting daemon is: 0 both.
  const code = daemon !== undefined ? lsbCode(daemon.status.state) : svc?.state === 'running' || svc?.state === 'restarting' ? LSB.running : LSB.stopped;
  if (json) {
    const serviceJson = service === undefined ? {} : { service: 'status' in service ? service.status : { error: service.error } };
    const body = daemon !== undefined ? { name, ...daemon.status, ...serviceJson } : { name, state: svc?.state ?? 'unknown', ...serviceJson };
    return { stdout: JSON.stringify(body, null, 2), code };
  }
  const lines: string[] = [];
  if (daemon !== undefined) lines.push(statusLines({ name, ...daemon.status }, daemon.cwd, now, daemon.tail));
  if (service !== undefined) lines.push('status' in service ? serviceLine(service.status, service.user) : `service ${name}: cannot tell its state: ${service.error}`);
  if (svc !== undefined) for (const w of svc.warnings) lines.push(`  warning: ${w}`);
  return { stdout: lines.join('\n'), code };
}

/** Prints the status; the exit code is LSB's. */
export async function status(request: StatusRequest, io: Io): Promise<number> {
  const now = Date.now();
  for (const warning of startupServiceWarnings()) io.err(`warning: ${warning}`);
  if (request.name !== undefined) {
    const { name, daemon, service } = await statusOfName(request.name);
    const report = statusReport(name, daemon, service, request.json, now);
    if (report === undefined) {
      io.err(`no daemon or service named ${JSON.stringify(request.name)}`);
      return LSB.unknown;
    }
    io.out(report.stdout);
    return report.code;
  }
  const { rows, failed } = await daemonStatuses();
  for (const f of failed) io.err(f.error.message);
  if (request.json) io.out(JSON.stringify(rows, null, 2));
  else if (rows.length > 0) io.out(rows.map((s) => summaryLine(s, now)).join('\n'));
  return failed.length > 0 ? EXIT.failure : lsbCodeOfAll(rows.map((s) => s.state));
}

/** The row of `status`. */
export const STATUS = defineVerb<StatusRequest>({
  name: 'status',
  // pm2's describe NAME
  aliases: ['describe', 'desc', 'info', 'show'],
  parse: parseStatus,
  run: status,
  help: () => `usage: xdaemon status [NAME] [--json]

With NAME: its state in detail, and the OS service of that name if one is installed. Without:
one line per daemon. --json prints the status object(s) with the name.

Exit codes (LSB): 0 running (or restarting), 1 dead (a pid file, no supervisor), 3 not running,
4 unknown NAME. For a NAME that is only an OS service: 0 when it runs or its manager restarts it,
else 3.
Without NAME: 0 when all run, else 1 when one is dead, else 3.
`,
  synopsis: [['status [NAME] [--json]', 'state (exit 0 running, 1 dead, 3 stopped, 4 unknown)']],
});

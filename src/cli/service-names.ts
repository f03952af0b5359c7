/**
 * The verbs a user types after `xdaemon install` (`start`, `stop`, `restart`, `logs`) reach an
 * installed service by its name when no daemon has it (src/fleet/services.ts decides, this prints):
 * a line per service with its state after the verb, a failure on stderr, and one line refusing a
 * name that is both a daemon and a service.
 */
import type { ServiceStatus } from '../service/backends/backend.js';
import { type InstalledService, type ServiceResult, type ServiceVerb, bothError, operateServices, serviceKind } from '../fleet/services.js';
import type { Io } from './io.js';
import { EXIT } from './usage-error.js';

/** `web: running (active/running), pid 1234, restarts 2`: the state of a service in one line. */
export function serviceStateText(s: ServiceStatus): string {
  const pid = s.pid === undefined ? '' : `, pid ${s.pid}`;
  const restarts = s.restarts === undefined || s.restarts === 0 ? '' : `, restarts ${s.restarts}`;
  return `${s.state} (${s.detail})${pid}${restarts}`;
}

const DONE: Record<ServiceVerb, string> = { start: 'started', stop: 'stopped', restart: 'restarted' };

/** What a verb says of a service. */
function said(result: ServiceResult): { out: string } | { err: string } {
  if (result.outcome === 'failed') return { err: result.error.message };
  const kind = `${result.status.backend}${result.user ? ', user service' : ''}`;
  return { out: `${DONE[result.verb]} service ${result.name} (${kind}): ${serviceStateText(result.status)}` };
}

/**
 * Carries `verb` out on the services and prints a line each; the names that are both a daemon and
 * a service are refused, one line each. Exit 1 when one failed or was refused.
 */
export async function operateByName(
  verb: ServiceVerb,
  services: readonly { name: string; service: InstalledService }[],
  both: readonly { name: string; service: InstalledService }[],
  io: Io,
): Promise<number> {
  let code: number = EXIT.ok;
  for (const { name, service } of both) {
    io.err(bothError(name, service).message);
    code = EXIT.failure;
  }
  for (const result of await operateServices(verb, services)) {
    const line = said(result);
    if ('out' in line) io.out(line.out);
    else {
      io.err(line.err);
      code = EXIT.failure;
    }
  }
  return code;
}

/** How a service is named in a line (re-exported for the verbs). */
export { serviceKind };

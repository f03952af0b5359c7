/**
 * Installed OS services reached by name, as named daemons are: the verbs a user types after
 * `xdaemon install` (`start`, `stop`, `restart`, `status`, `logs`) reach the service when a name is
 * an installed service and no daemon has it; a name that is both is refused, naming both. Results
 * are structured (the CLI prints them). The service bundle is loaded only when a name is asked
 * about, and the manager's commands run only when a service file of that name exists.
 */
import { loadBundle } from '../bundles.js';
import { XDaemonError, messageOf } from '../errors.js';
import type { ServiceOutput, ServiceStatus } from '../service/backends/backend.js';
import { existingStateDirectory, findKnown } from './daemons.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';

/** An installed service, as the service bundle's `Service`. */
export type InstalledService = InstanceType<ReturnType<typeof loadBundle<'service'>>['Service']>;

/**
 * The OS service named `name`, if one is installed (system-wide first, then the user's); none
 * where this machine has no service manager or no service can have the name.
 */
export async function findService(name: string): Promise<InstalledService | undefined> {
  try {
    return await loadBundle('service').Service.find(name);
  } catch {
    return undefined;
  }
}

/** How a service is named in a line: `systemd, user service`. */
export function serviceKind(svc: InstalledService): string {
  return `${svc.backend}${svc.options.userService === true ? ', user service' : ''}`;
}

/** What a name means: a daemon (or nothing known: the daemon operations say so), an installed service only, or both. */
export type NameTarget = { kind: 'daemon' } | { kind: 'service'; service: InstalledService } | { kind: 'both'; service: InstalledService };

/** What `name` means in the state directory of `facts` and on this machine. */
export async function targetOf(name: string, facts: StateFacts = currentStateFacts()): Promise<NameTarget> {
  const daemon = findKnown(existingStateDirectory(facts), name) !== undefined;
  const service = await findService(name);
  if (service === undefined) return { kind: 'daemon' };
  return daemon ? { kind: 'both', service } : { kind: 'service', service };
}

/** The error for a name that is a daemon and an installed service alike. */
export function bothError(name: string, svc: InstalledService): XDaemonError {
  return new XDaemonError(
    `${JSON.stringify(name)} is both a daemon (xdaemon status ${name}) and an installed service (${serviceKind(svc)}, ${svc.path}): ` +
      `xdaemon will not guess which one you mean (xdaemon delete ${name} forgets the daemon, xdaemon uninstall ${name} removes the service)`,
    { code: 'EEXIST' },
  );
}

/**
 * The error for a name no daemon has, naming the service of that name and the command that
 * reaches it when one is installed (`delete`, `reload`, `flush` reach daemons only).
 */
export async function unknownDaemonError(name: string, verb: string): Promise<XDaemonError> {
  const svc = await findService(name);
  const service = svc === undefined ? '' : `; ${name} is an installed service (${serviceKind(svc)}): ${verb === 'delete' ? `xdaemon uninstall ${name} removes it` : `xdaemon stop|start|restart|status|logs ${name} reach it`}`;
  return new XDaemonError(`no daemon named ${JSON.stringify(name)}${service || ' (xdaemon list shows them)'}`, { code: 'ENOENT' });
}

/** What a verb did to a service: the state after it, or why it failed. */
export type ServiceResult =
  | { name: string; outcome: 'service'; verb: ServiceVerb; status: ServiceStatus; user: boolean }
  | { name: string; outcome: 'failed'; error: XDaemonError };

/** The verbs that reach a service through its manager. */
export type ServiceVerb = 'start' | 'stop' | 'restart';

/**
 * Carries `verb` out on each service through its manager (`systemctl start`, …, which returns
 * once the manager has done it: with readiness, once the program is ready), then asks its state.
 */
export async function operateServices(verb: ServiceVerb, services: readonly { name: string; service: InstalledService }[]): Promise<ServiceResult[]> {
  return Promise.all(
    services.map(async ({ name, service }): Promise<ServiceResult> => {
      try {
        await service[verb]();
        return { name, outcome: 'service', verb, status: await service.serviceStatus(), user: service.options.userService === true };
      } catch (err) {
        return { name, outcome: 'failed', error: new XDaemonError(`service ${name}: ${messageOf(err)}`, { cause: err }) };
      }
    }),
  );
}

/** Where the output of the service goes (see the service bundle's `ServiceOutput`). */
export function serviceOutput(service: InstalledService): ServiceOutput {
  return service.output() ?? { kind: 'none', reason: 'it is not installed' };
}

/**
 * The names of a verb's command line split by what they mean: those the daemon operations take
 * (daemons, and names nothing has: those say `not known`), the services to operate, and those that
 * are both (refused). In the order given.
 */
export async function splitNames(
  names: readonly string[],
  facts: StateFacts = currentStateFacts(),
): Promise<{ daemons: string[]; services: { name: string; service: InstalledService }[]; both: { name: string; service: InstalledService }[] }> {
  const targets = await Promise.all(names.map(async (name) => ({ name, target: await targetOf(name, facts) })));
  const split = { daemons: [] as string[], services: [] as { name: string; service: InstalledService }[], both: [] as { name: string; service: InstalledService }[] };
  for (const { name, target } of targets) {
    if (target.kind === 'daemon') split.daemons.push(name);
    else split[target.kind === 'service' ? 'services' : 'both'].push({ name, service: target.service });
  }
  return split;
}

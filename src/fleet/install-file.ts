/**
 * `install FILE` and `uninstall FILE`: one OS service per app of a fleet file, for those who want
 * the service manager to supervise each app (the alternative to `startup`, which brings xdaemon's
 * own supervisors back). Every app is mapped and its service checked before any is installed: one
 * bad app, and nothing is (a FleetFileError naming the file and the app). Of an app's settings the
 * service gets those a service manager carries out (the settings table's `service` rows: restart,
 * restart delay, kill timeout, readiness, the stderr file, `listen` as socket units); any other is
 * named in one warning line. Results are structured; the CLI prints them.
 */
import { resolve } from 'node:path';
import { XDaemonError, messageOf } from '../errors.js';
import { loadBundle } from '../bundles.js';
import { SERVICE_SETTING_NAMES } from '../settings/derived.js';
import type { InvocationFacts } from './daemon-spec.js';
import { type FleetRequest, appSpec, readFleet } from './file.js';
import { fleetFileError } from './fleet-error.js';
import { checkPlainName } from './names.js';
import { type Failed, failed } from './outcome.js';
import { type ServiceWhere, notServiceSettings, serviceOptionsOf } from './service-spec.js';
import type { InstalledService } from './services.js';

/** The services of a fleet file's apps, each made and checked, not installed. */
export interface FileServices {
  /** The file, absolute. */
  file: string;
  /** One per app, in the file's order. */
  services: { name: string; service: InstalledService }[];
  /** One line each: a pm2 key not carried out, a setting no service manager has. */
  warnings: string[];
}

/**
 * The service of every app of the file of `request` (each app's name is its service's).
 *
 * @throws FleetFileError for a file that cannot be read or mapped, an app whose program is not
 *   found, or options a service cannot take (naming the file and the app).
 */
export async function fileServices(request: FleetRequest, where: ServiceWhere, facts: InvocationFacts): Promise<FileServices> {
  const fleet = await readFleet(request, facts.cwd);
  const { Service } = loadBundle('service');
  const warnings = [...fleet.warnings];
  const services = fleet.apps.map((app) => {
    const others = notServiceSettings(app.settings);
    if (others.length > 0) {
      warnings.push(`${fleet.path}: app ${app.name}: ${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} not carried out by a service manager (a service has ${SERVICE_SETTING_NAMES.join(', ')})`);
    }
    try {
      const { spec, warning } = appSpec(app);
      if (warning !== undefined) warnings.push(`${fleet.path}: app ${app.name}: ${warning}`);
      checkPlainName(app.name, 'an OS service');
      return { name: app.name, service: new Service(serviceOptionsOf({ ...spec, name: app.name }, where, facts)) };
    } catch (err) {
      if (err instanceof XDaemonError || err instanceof TypeError || err instanceof RangeError) {
        throw fleetFileError({ file: fleet.path, app: app.name, key: (err as { option?: string }).option, reason: messageOf(err) }, err);
      }
      throw err;
    }
  });
  return { file: fleet.path, services, warnings };
}

/** What `uninstall FILE` did to an app's service. */
export type UninstalledApp = { name: string; outcome: 'uninstalled'; path: string } | { name: string; outcome: 'not-installed' } | Failed;

/**
 * Uninstalls the service of every app of the file of `request` (stopped, unregistered, its files
 * removed); an app without one is `not-installed`. All at once.
 *
 * @throws FleetFileError for a file that cannot be read or mapped.
 */
export async function uninstallFile(
  request: FleetRequest,
  where: Omit<ServiceWhere, 'user'>,
  facts: InvocationFacts,
): Promise<{ file: string; warnings: string[]; results: UninstalledApp[] }> {
  const fleet = await readFleet(request, facts.cwd);
  const { Service } = loadBundle('service');
  const options = { ...(where.backend === undefined ? {} : { backend: where.backend }), ...(where.root === undefined ? {} : { root: resolve(facts.cwd, where.root) }) };
  const results = await Promise.all(
    fleet.apps.map(async ({ name }): Promise<UninstalledApp> => {
      try {
        const svc = await Service.find(name, options);
        if (svc === undefined) return { name, outcome: 'not-installed' };
        return { name, outcome: 'uninstalled', path: (await svc.uninstall()).path };
      } catch (err) {
        return failed(name, err);
      }
    }),
  );
  return { file: fleet.path, warnings: fleet.warnings, results };
}

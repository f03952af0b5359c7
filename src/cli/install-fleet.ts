/**
 * `xdaemon install FILE [--only a,b]` and `xdaemon uninstall FILE`: one OS service per app of a
 * fleet file (src/fleet/install-file.ts maps and checks them all first); this module prints a line
 * per app and the file's warnings.
 */
import { loadBundle } from '../bundles.js';
import { fileServices, uninstallFile } from '../fleet/install-file.js';
import type { FleetRequest } from './fleet-request.js';
import type { Io } from './io.js';
import { type InstallRequest, installService } from './install.js';
import { warn } from './results.js';
import { EXIT } from './usage-error.js';

/** Installs (or with --dry-run shows) a service per app. */
export async function installFleet(request: InstallRequest, fleetRequest: FleetRequest, io: Io): Promise<number> {
  const where = { user: request.user, backend: request.backend, root: request.root };
  const { services, warnings } = await fileServices(fleetRequest, where, { cwd: process.cwd(), env: process.env });
  warn(io, warnings);
  const { formatPlan } = loadBundle('service');
  let code: number = EXIT.ok;
  for (const { service } of services) code = Math.max(code, await installService(service, request, io, formatPlan));
  return code;
}

/** Uninstalls the service of each app; exit 1 when one could not be. */
export async function uninstallFleet(fleetRequest: FleetRequest, where: { backend: InstallRequest['backend']; root: string | undefined }, io: Io): Promise<number> {
  const { results, warnings } = await uninstallFile(fleetRequest, where, { cwd: process.cwd(), env: process.env });
  warn(io, warnings);
  let code: number = EXIT.ok;
  for (const r of results) {
    if (r.outcome === 'uninstalled') io.out(`uninstalled ${r.name}: removed ${r.path}`);
    else if (r.outcome === 'not-installed') io.out(`${r.name} was not installed`);
    else {
      io.err(r.error.message);
      code = EXIT.failure;
    }
  }
  return code;
}

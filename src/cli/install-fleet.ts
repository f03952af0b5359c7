/**
 * `xdaemon install FILE [--only a,b]`: one OS service per app of a fleet file, for those who want
 * the service manager to supervise each app (the alternative to `xdaemon startup`, which brings
 * xdaemon's own supervisors back). Every app is mapped and its service checked before any is
 * installed. Of an app's settings, the service manager has only restart, restart delay, kill
 * timeout, readiness and the stderr file: any other is named in one warning line.
 */
import { loadBundle } from '../bundles.js';
import { XDaemonError, shortMessageOf } from '../errors.js';
import type { Io } from './io.js';
import { appSpec, readFleet } from '../fleet/file.js';
import type { FleetRequest } from './fleet-request.js';
import { type InstallRequest, SERVICE_SETTING_FLAGS, installService, serviceOptions } from './install.js';
import { ScriptError } from '../fleet/script-command.js';
import { EXIT, UsageError } from './usage-error.js';

/** Installs (or with --dry-run shows) a service per app. */
export async function installFleet(request: InstallRequest, fleetRequest: FleetRequest, io: Io): Promise<number> {
  const fleet = await readFleet(fleetRequest, process.cwd());
  const { Service, formatPlan } = loadBundle('service');
  const supported = SERVICE_SETTING_FLAGS.map((f) => f.setting as string);
  const services = fleet.apps.map((app) => {
    const named = (err: unknown): UsageError => new UsageError(`${fleet.path}: app ${app.name}: ${shortMessageOf(err)}`);
    try {
      const launch = appSpec(app);
      const s = app.settings;
      for (const setting of Object.keys(s)) {
        if (!supported.includes(setting)) fleet.warnings.push(`${fleet.path}: app ${app.name}: ${setting} is not carried out by a service manager (install supervises with ${supported.join(', ')})`);
      }
      const one: InstallRequest = {
        ...request,
        name: app.name,
        command: launch.command,
        args: launch.args,
        cwd: app.cwd,
        log: app.log,
        errFile: s.errFile as string | undefined,
        env: app.env,
        restart: s.restart as InstallRequest['restart'],
        restartDelay: s.restartDelay as number | undefined,
        killTimeout: s.killTimeout as number | undefined,
        waitReady: s.waitReady as number | undefined,
        envFile: s.envFile as string[] | undefined,
      };
      delete one.fleet;
      return new Service(serviceOptions(one, { cwd: process.cwd(), env: process.env }));
    } catch (err) {
      if (err instanceof ScriptError || err instanceof XDaemonError || err instanceof TypeError || err instanceof RangeError) throw named(err);
      throw err;
    }
  });
  for (const w of fleet.warnings) io.err(`warning: ${w}`);
  let code: number = EXIT.ok;
  for (const svc of services) code = Math.max(code, await installService(svc, request, io, formatPlan));
  return code;
}

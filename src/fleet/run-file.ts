/**
 * `xdaemon run FILE` as a library operation: the apps of a fleet file, read, mapped and checked
 * whole against the machine before anything starts (as `start FILE` does), turned into the plan
 * of the host's foreground profile (../daemon-process/fleet-plan) — no record, no pid file, no
 * state directory, no default log file: an app's lines go to run's own stdout and stderr unless
 * the file gives it a log — and handed to that profile, loaded from its own bundle.
 */
import { loadBundle } from '../bundles.js';
import { XDaemonError, messageOf } from '../errors.js';
import type { ForegroundApp, ForegroundPlan, ProbeAddress } from '../daemon-process/fleet-plan.js';
import type { LogFormat } from '../log/line-format.js';
import type { SettingName } from '../settings/types.js';
import { daemonEnv, resolveSpec } from './daemon-spec.js';
import { type Fleet, type FleetRequest, appSpec, readFleet } from './file.js';
import { fleetFileError } from './fleet-error.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';
import { resolveSignalExit, supervisorConfig } from './supervisor-config.js';

/** A foreground run of a file. */
export interface RunFileRequest extends FleetRequest {
  logFormat: LogFormat;
  keepRunning: boolean;
  /** The whole stop's time, ms; undefined: the apps' own kill timeouts, wave after wave. */
  killTimeout: number | undefined;
  probe: ProbeAddress | undefined;
}

/**
 * Settings that need a log file: without one an app's lines go to run's streams, which can be
 * neither rotated nor split (as `xdaemon run -- cmd` without --log refuses them).
 */
const NEED_A_LOG: readonly SettingName[] = ['maxSize', 'maxFiles', 'errFile'];

/**
 * The plan of `request` (paths relative to `facts.cwd`, environments `facts.env` plus each app's).
 *
 * @throws FleetFileError (`code: EUSAGE`) for a file that cannot be read, mapped or checked,
 *   naming the app and the key.
 */
export async function foregroundPlan(request: RunFileRequest, facts: StateFacts = currentStateFacts()): Promise<{ fleet: Fleet; plan: ForegroundPlan }> {
  const fleet = await readFleet(request, facts.cwd);
  const apps = fleet.apps.map((app): ForegroundApp => {
    const fail = (key: string | undefined, reason: string, cause?: unknown): never => {
      throw fleetFileError({ file: fleet.path, app: app.name, key, reason }, cause);
    };
    if (app.log === undefined) {
      const given = NEED_A_LOG.find((name) => app.settings[name] !== undefined);
      if (given !== undefined) fail(given, `${given} needs a log file under xdaemon run: without one the app's lines go to run's stdout and stderr, a stream that cannot be rotated or split`);
    }
    try {
      const resolved = resolveSpec(appSpec(app), facts);
      const env = daemonEnv(facts.env, resolved.env);
      return {
        name: app.name,
        config: supervisorConfig({ ...resolved, log: resolved.log ?? '', pidFile: '', env }),
        args: resolved.args,
        env,
        dependsOn: [],
      };
    } catch (err) {
      if (err instanceof XDaemonError || err instanceof RangeError || err instanceof TypeError) return fail((err as XDaemonError).option, messageOf(err), err);
      throw err;
    }
  });
  const { start, stop } = fleetOrder(apps);
  const killTimeout = request.killTimeout ?? stop.reduce((sum, wave) => sum + Math.max(...wave.map((name) => apps.find((a) => a.name === name)?.config.settings.killTimeout ?? 0)), 0);
  return {
    fleet,
    plan: { apps, startWaves: start, stopWaves: stop, logFormat: request.logFormat, keepRunning: request.keepRunning, killTimeout, probe: request.probe },
  };
}

/** The order of the apps' starts (waves) and stops (the reverse: dependants first). */
export function fleetOrder(apps: readonly ForegroundApp[]): { start: string[][]; stop: string[][] } {
  const start = [apps.map((a) => a.name)];
  return { start, stop: [...start].reverse() };
}

/**
 * Runs the apps of `request` in this process, which from then on belongs to them: it exits once
 * they have ended (0 after SIGTERM or SIGINT, 1 when an app gave up). Resolves with the file's
 * warnings once the starts are under way.
 *
 * @throws as {@link foregroundPlan}, before anything is started.
 */
export async function runFleetFile(request: RunFileRequest, facts: StateFacts = currentStateFacts(), warn: (warnings: readonly string[]) => void = () => undefined): Promise<void> {
  const { fleet, plan } = await foregroundPlan(request, facts);
  warn(fleet.warnings);
  await loadBundle('fleet-run').runFleet(plan, { signalExit: resolveSignalExit(), title: fleet.path });
}

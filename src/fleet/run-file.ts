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
import { type Fleet, type FleetRequest, appSpec, makeLogFolders, readFleet } from './file.js';
import { FleetFileError, type FleetProblem, fleetFileError } from './fleet-error.js';
import { StartOrderError, startWaves } from './start-order.js';
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
  const problems: FleetProblem[] = [];
  const warnings = [...fleet.warnings];
  const apps: ForegroundApp[] = [];
  for (const app of fleet.apps) {
    const given = app.log === undefined ? NEED_A_LOG.find((name) => app.settings[name] !== undefined) : undefined;
    if (given !== undefined) {
      problems.push({ file: fleet.path, app: app.name, key: given, reason: `${given} needs a log file under xdaemon run: without one the app's lines go to run's stdout and stderr, a stream that cannot be rotated or split` });
      continue;
    }
    try {
      const { spec, warning } = appSpec(app);
      if (warning !== undefined) warnings.push(`${fleet.path}: app ${app.name}: ${warning}`);
      const resolved = resolveSpec(spec, facts);
      const env = daemonEnv(facts.env, resolved.env);
      apps.push({
        name: app.name,
        config: supervisorConfig({ ...resolved, log: resolved.log ?? '', pidFile: '', env, additions: resolved.env }),
        args: resolved.args,
        env,
        dependsOn: resolved.dependsOn ?? [],
      });
    } catch (err) {
      if (!(err instanceof XDaemonError || err instanceof RangeError || err instanceof TypeError)) throw err;
      problems.push({ file: fleet.path, app: app.name, key: (err as XDaemonError).option, reason: messageOf(err) });
    }
  }
  if (problems.length > 0) throw new FleetFileError(problems as [FleetProblem, ...FleetProblem[]]);
  let order: { start: string[][]; stop: string[][] };
  try {
    order = fleetOrder(apps);
  } catch (err) {
    if (err instanceof StartOrderError) throw fleetFileError({ file: fleet.path, app: err.app, key: 'dependsOn', reason: `dependsOn: ${err.reason as string}` }, err);
    throw err;
  }
  // As for start FILE (and pm2): a log file's folder is made where missing.
  makeLogFolders(fleet.path, apps.filter((a) => a.config.logFile !== '').map((a) => ({ name: a.name, log: a.config.logFile, settings: a.config.settings })));
  const byName = new Map(apps.map((a) => [a.name, a]));
  const killTimeout = request.killTimeout ?? order.stop.reduce((sum, wave) => sum + Math.max(...wave.map((name) => byName.get(name)?.config.settings.killTimeout ?? 0)), 0);
  return {
    fleet: { ...fleet, warnings },
    plan: { apps, startWaves: order.start, stopWaves: order.stop, logFormat: request.logFormat, keepRunning: request.keepRunning, killTimeout, probe: request.probe },
  };
}

/**
 * The order of the apps' starts (waves: ../fleet/start-order) and stops (the waves last first:
 * dependants first). Every dependency must be an app of the run: no daemon runs outside it.
 *
 * @throws StartOrderError for a cycle or a dependency that is not an app of the run.
 */
export function fleetOrder(apps: readonly ForegroundApp[]): { start: string[][]; stop: string[][] } {
  const start = startWaves(apps).map((wave) => wave.map((app) => app.name));
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

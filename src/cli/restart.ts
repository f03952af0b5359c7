/**
 * `xdaemon restart NAME… | FILE`: a running daemon gets a new worker (its supervisor stays, its
 * whole tree is stopped gracefully first); a stopped (or dead) one is started again from its record,
 * with the environment of this shell plus its recorded `--env`, its command looked up again
 * (src/fleet/restart.ts). The apps of FILE are stopped and started with the file's current settings.
 */
import { restartDaemons } from '../fleet/restart.js';
import { boolFlag, readLine } from './flags.js';
import { type FleetRequest, ONLY_FLAG, fleetFiles, fleetRequestOf } from './fleet-request.js';
import { FLEET_HELP } from './help.js';
import type { Io } from './io.js';
import { namesOf } from './name-args.js';
import type { DaemonResult } from '../fleet/outcome.js';
import { type Said, commonSaid, report, startedSaid, unexpected, warn } from './results.js';
import { EXIT, UsageError } from './usage-error.js';
import { splitNames } from '../fleet/services.js';
import { operateByName } from './service-names.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `restart`, read. */
export interface RestartRequest {
  verb: 'restart';
  names: string[];
  /** pm2's --update-env (-a): a running daemon gets a new supervisor with this shell's environment. */
  updateEnv?: boolean;
  /** `restart FILE`: the apps of a fleet file, with its current settings. */
  fleet?: FleetRequest;
}

/** Reads `restart`'s arguments. Pure. */
export function parseRestart(args: readonly string[]): RestartRequest | HelpRequest<'restart'> {
  const line = readLine('restart', args, { ...ONLY_FLAG, env: { type: 'string', multiple: true }, 'update-env': { type: 'boolean' } });
  if (line.help) return { verb: 'help', topic: 'restart' };
  // A file's apps restart with this shell's environment anyway: --update-env changes nothing there.
  const fleet = fleetRequestOf('restart', line, ['update-env']);
  if (fleet !== undefined) return { verb: 'restart', names: [], fleet };
  if (line.flags.has('env')) throw new UsageError('--env goes with a fleet file (xdaemon restart FILE --env SET); a daemon restarts with its recorded --env');
  return { verb: 'restart', names: namesOf('restart', line.positionals, true), updateEnv: boolFlag(line, 'update-env') };
}

/** Restarts (or starts) each daemon; exit 1 if one of them failed. */
export async function restart(request: RestartRequest, io: Io): Promise<number> {
  if (request.fleet !== undefined) {
    const { restartFleet } = await fleetFiles();
    const outcome = await restartFleet(request.fleet);
    warn(io, outcome.warnings);
    return report(outcome.results, io, (r) =>
      r.outcome === 'started' && (r.was === 'running' || r.was === 'restarting') ? startedSaid(r, " (restarted with the file's settings)") : (commonSaid(r) ?? unexpected(r)),
    );
  }
  // A name no daemon has may be an installed service: its manager restarts it.
  const { daemons, services, both } = await splitNames(request.names);
  const code = daemons.length === 0 ? EXIT.ok : report(await restartDaemons(daemons, undefined, { updateEnv: request.updateEnv === true }), io, restartSaid);
  return Math.max(code, services.length + both.length === 0 ? EXIT.ok : await operateByName('restart', services, both, io));
}

/** What `restart NAME` (and pm2's `start NAME`) says of a daemon. */
export function restartSaid(r: DaemonResult): Said {
  if (r.outcome === 'started') return startedSaid(r, ` (it was ${r.was})`);
  return commonSaid(r) ?? unexpected(r);
}

/** The row of `restart`. */
export const RESTART = defineVerb<RestartRequest>({
  name: 'restart',
  // pm2's startOrRestart FILE: restart what runs, start the rest
  aliases: ['startOrRestart'],
  parse: parseRestart,
  run: restart,
  help: () => `usage: xdaemon restart NAME… | all | FILE [--only a,b] [--env SET] [--update-env]

A running daemon gets a new worker (the old one's tree is stopped first; the supervisor stays);
with --update-env (-a) a new supervisor too, with this shell's environment plus its recorded --env.
A stopped or dead one is started again from its record, with this shell's environment plus its
recorded --env. The apps of FILE are stopped and started with the file's current settings. A
NAME that no daemon has but an installed OS service has (xdaemon install) is restarted by its
service manager.
${FLEET_HELP}
`,
  synopsis: [['restart NAME… | FILE', 'new worker; a stopped daemon is started; FILE: its settings now']],
});

/**
 * `xdaemon reload NAME… | FILE`: each running daemon's instances are replaced one by one, every
 * old worker stopped only once its replacement is ready, so the service keeps answering
 * (src/fleet/reload.ts). A daemon that does not run is an error (reload never starts one: that is
 * `restart`'s job). The apps of FILE that run as it says are reloaded, one it changed is restarted,
 * one that does not run is started.
 */
import { reloadDaemons } from '../fleet/reload.js';
import { readLine } from './flags.js';
import { type FleetRequest, ONLY_FLAG, fleetFiles, fleetRequestOf } from './fleet-request.js';
import { FLEET_HELP } from './help.js';
import type { Io } from './io.js';
import { namesOf } from './name-args.js';
import { commonSaid, report, startedSaid, unexpected, warn } from './results.js';
import { UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `reload`, read. */
export interface ReloadRequest {
  verb: 'reload';
  names: string[];
  /** `reload FILE`: the apps of a fleet file. */
  fleet?: FleetRequest;
}

/** Reads `reload`'s arguments. Pure. */
export function parseReload(args: readonly string[]): ReloadRequest | HelpRequest<'reload'> {
  const line = readLine('reload', args, { ...ONLY_FLAG, env: { type: 'string', multiple: true }, 'update-env': { type: 'boolean' } });
  if (line.help) return { verb: 'help', topic: 'reload' };
  if (line.flags.has('update-env')) throw new UsageError('a reload keeps its supervisor, and the environment it was started with: xdaemon restart NAME --update-env starts it with this shell\'s');
  const fleet = fleetRequestOf('reload', line);
  if (fleet !== undefined) return { verb: 'reload', names: [], fleet };
  if (line.flags.has('env')) throw new UsageError('--env goes with a fleet file (xdaemon reload FILE --env SET)');
  return { verb: 'reload', names: namesOf('reload', line.positionals, true) };
}

/** Reloads each daemon; exit 1 (one line on stderr) if one of them failed. */
export async function reload(request: ReloadRequest, io: Io): Promise<number> {
  if (request.fleet !== undefined) {
    const { reloadFleet } = await fleetFiles();
    const outcome = await reloadFleet(request.fleet);
    warn(io, outcome.warnings);
    return report(outcome.results, io, (r) =>
      r.outcome === 'started' && r.note === 'changed' ? startedSaid(r, ' (restarted: the file changed it, which a reload cannot apply)') : (commonSaid(r) ?? unexpected(r)),
    );
  }
  return report(await reloadDaemons(request.names), io, (r) => commonSaid(r) ?? unexpected(r));
}

/** The row of `reload`. */
export const RELOAD = defineVerb<ReloadRequest>({
  name: 'reload',
  // pm2's startOrReload FILE: reload what runs, start the rest
  aliases: ['startOrReload', 'startOrGracefulReload'],
  parse: parseReload,
  run: reload,
  help: () => `usage: xdaemon reload NAME… | FILE [--only a,b] [--env SET]

For each instance in turn: a replacement starts, and the old worker is stopped gracefully only
once the replacement is ready (--wait-ready; without it, after --reload-grace). With --listen the
old and new workers share the supervisor's sockets, so no connection is refused. A replacement
that dies or is late is stopped, the old worker keeps running, and reload exits 1 naming the
instance. One reload at a time per daemon: another one meanwhile is refused. The apps of FILE
that run as it says are reloaded; one it changed is restarted with its new settings; one that does
not run is started.
${FLEET_HELP}
`,
  synopsis: [['reload NAME… | FILE', 'replace the workers one by one, each once its successor is ready']],
});

/**
 * `xdaemon reload NAME…`: each running daemon's instances are replaced one by one, every old
 * worker stopped only once its replacement is ready, so the service keeps answering. A daemon that
 * does not run is an error (reload never starts one: that is `restart`'s job). `reload FILE`: the
 * apps of a fleet file (see ./fleet).
 */
import type { Io } from './io.js';
import { control, existingStateDirectory, forEachName, known, namesOf } from './daemons.js';
import { readLine } from './flags.js';
import { type FleetRequest, ONLY_FLAG, fleetRequestOf } from './fleet-request.js';
import { UsageError } from './usage-error.js';

/** `reload`, read. */
export interface ReloadRequest {
  verb: 'reload';
  names: string[];
  /** `reload FILE`: the apps of a fleet file. */
  fleet?: FleetRequest;
}

/** Reads `reload`'s arguments. Pure. */
export function parseReload(args: readonly string[]): ReloadRequest | { verb: 'help'; topic: 'reload' } {
  const line = readLine('reload', args, { ...ONLY_FLAG, env: { type: 'string', multiple: true } });
  if (line.help) return { verb: 'help', topic: 'reload' };
  const fleet = fleetRequestOf('reload', line);
  if (fleet !== undefined) return { verb: 'reload', names: [], fleet };
  if (line.flags.has('env')) throw new UsageError('--env goes with a fleet file (xdaemon reload FILE --env SET)');
  return { verb: 'reload', names: namesOf('reload', line.positionals, true) };
}

/** Reloads each daemon; exit 1 (one line on stderr) if one of them failed. */
export async function reload(request: ReloadRequest, io: Io): Promise<number> {
  if (request.fleet !== undefined) {
    const { reloadFleet } = await import('./fleet.js');
    return reloadFleet(request.fleet, io);
  }
  const dir = existingStateDirectory();
  const lib = control();
  return forEachName(request.names, io, async (name) => {
    const daemon = known(dir, name);
    io.out(reloadedLine(name, await lib.reload(daemon.pidFile)));
  });
}

/** `reloaded web: instance 0 1234 -> 1240 (0.41 s), …`. */
export function reloadedLine(name: string, result: Awaited<ReturnType<ReturnType<typeof control>['reload']>>): string {
  const each = result.instances.map((i) => `instance ${i.instance} ${i.oldPid ?? '-'} -> ${i.workerPid} (${i.seconds.toFixed(2)} s)`);
  return `reloaded ${name}: ${each.join(', ')}`;
}

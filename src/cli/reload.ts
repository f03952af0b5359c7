/**
 * `xdaemon reload NAME…`: each running daemon's instances are replaced one by one, every old
 * worker stopped only once its replacement is ready, so the service keeps answering. A daemon that
 * does not run is an error (reload never starts one: that is `restart`'s job).
 */
import type { Io } from './io.js';
import { control, existingStateDirectory, forEachName, known, namesOf } from './daemons.js';
import { readLine } from './flags.js';

/** `reload`, read. */
export interface ReloadRequest {
  verb: 'reload';
  names: string[];
}

/** Reads `reload`'s arguments. Pure. */
export function parseReload(args: readonly string[]): ReloadRequest | { verb: 'help'; topic: 'reload' } {
  const line = readLine('reload', args, {});
  if (line.help) return { verb: 'help', topic: 'reload' };
  return { verb: 'reload', names: namesOf('reload', line.positionals, true) };
}

/** Reloads each daemon; exit 1 (one line on stderr) if one of them failed. */
export async function reload(request: ReloadRequest, io: Io): Promise<number> {
  const dir = existingStateDirectory();
  const lib = control();
  return forEachName(request.names, io, async (name) => {
    const daemon = known(dir, name);
    const { instances } = await lib.reload(daemon.pidFile);
    const each = instances.map((i) => `instance ${i.instance} ${i.oldPid ?? '-'} -> ${i.workerPid} (${i.seconds.toFixed(2)} s)`);
    io.out(`reloaded ${name}: ${each.join(', ')}`);
  });
}

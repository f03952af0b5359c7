/**
 * `xdaemon uninstall NAME | FILE`: the OS service of that name (system-wide first, then the
 * user's), or the service of each app of a fleet file, is stopped, unregistered and its files
 * removed, through the `xdaemon/service` bundle.
 */
import { resolve } from 'node:path';
import { loadBundle } from '../bundles.js';
import { XDaemonError, shortMessageOf } from '../errors.js';
import { readLine } from './flags.js';
import type { Io } from './io.js';
import { BACKENDS, serviceWhereOf } from './install.js';
import { namesOf } from './name-args.js';
import { type FleetRequest, ONLY_FLAG, fleetRequestOf } from './fleet-request.js';
import { EXIT, UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `uninstall`, read. */
export interface UninstallRequest {
  verb: 'uninstall';
  name: string;
  backend: (typeof BACKENDS)[number] | undefined;
  root: string | undefined;
  /** `uninstall FILE`: the services of a fleet file's apps. */
  fleet?: FleetRequest;
}

/** Reads `uninstall`'s arguments. Pure. */
export function parseUninstall(args: readonly string[]): UninstallRequest | HelpRequest<'uninstall'> {
  const line = readLine('uninstall', args, { backend: { type: 'string' }, root: { type: 'string' }, ...ONLY_FLAG });
  if (line.help) return { verb: 'help', topic: 'uninstall' };
  const fleet = fleetRequestOf('uninstall', line, ['backend', 'root']);
  if (fleet !== undefined) return { verb: 'uninstall', name: '', ...serviceWhereOf(line), fleet };
  const [name, extra] = namesOf('uninstall', line.positionals, true);
  if (extra !== undefined) throw new UsageError(`uninstall takes one NAME, got also ${JSON.stringify(extra)}`);
  return { verb: 'uninstall', name: name as string, ...serviceWhereOf(line) };
}

/** Uninstalls the service; exit 1 when none of that name is installed. */
export async function uninstall(request: UninstallRequest, io: Io): Promise<number> {
  if (request.fleet !== undefined) {
    const { uninstallFleet } = await import('./install-fleet.js');
    return uninstallFleet(request.fleet, request, io);
  }
  const { Service } = loadBundle('service');
  const where = {
    ...(request.backend === undefined ? {} : { backend: request.backend }),
    ...(request.root === undefined ? {} : { root: resolve(request.root) }),
  };
  let svc: Awaited<ReturnType<typeof Service.find>>;
  try {
    svc = await Service.find(request.name, where);
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) throw new UsageError(shortMessageOf(err));
    throw err;
  }
  if (svc === undefined) throw new XDaemonError(`no service named ${JSON.stringify(request.name)} is installed`, { code: 'ENOENT' });
  const result = await svc.uninstall();
  io.out(`uninstalled ${request.name}: removed ${result.path}`);
  return EXIT.ok;
}

/** The row of `uninstall`. */
export const UNINSTALL = defineVerb<UninstallRequest>({
  name: 'uninstall',
  parse: parseUninstall,
  run: uninstall,
  help: () => `usage: xdaemon uninstall NAME | FILE [--only a,b] [--backend systemd|launchd|windows] [--root DIR]

Stops the OS service NAME, unregisters it and removes its files (system-wide first, then yours).
FILE: the service of each app of that fleet file (xdaemon install FILE).

  --backend B  the service manager (default: the one running this machine)
  --root DIR   look for its file under DIR
`,
  synopsis: [
    ['uninstall NAME', 'remove that OS service'],
    ['uninstall FILE [--only a,b]', 'the OS service of each app of a fleet file'],
  ],
});

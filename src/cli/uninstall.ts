/**
 * `xdaemon uninstall NAME`: the OS service of that name (system-wide first, then the user's) is
 * stopped, unregistered and its file removed, through the `xdaemon/service` bundle.
 */
import { resolve } from 'node:path';
import { loadBundle } from '../bundles.js';
import { XDaemonError, shortMessageOf } from '../errors.js';
import { readLine } from './flags.js';
import type { Io } from './io.js';
import { namesOf } from './daemons.js';
import { BACKENDS, serviceWhereOf } from './install.js';
import { EXIT, UsageError } from './usage-error.js';

/** `uninstall`, read. */
export interface UninstallRequest {
  verb: 'uninstall';
  name: string;
  backend: (typeof BACKENDS)[number] | undefined;
  root: string | undefined;
}

/** Reads `uninstall`'s arguments. Pure. */
export function parseUninstall(args: readonly string[]): UninstallRequest | { verb: 'help'; topic: 'uninstall' } {
  const line = readLine('uninstall', args, { backend: { type: 'string' }, root: { type: 'string' } });
  if (line.help) return { verb: 'help', topic: 'uninstall' };
  const [name, extra] = namesOf('uninstall', line.positionals, true);
  if (extra !== undefined) throw new UsageError(`uninstall takes one NAME, got also ${JSON.stringify(extra)}`);
  return { verb: 'uninstall', name: name as string, ...serviceWhereOf(line) };
}

/** Uninstalls the service; exit 1 when none of that name is installed. */
export async function uninstall(request: UninstallRequest, io: Io): Promise<number> {
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

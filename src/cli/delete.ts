/**
 * `xdaemon delete NAME`: stop the daemon if it runs (or clean up after a dead one), then forget it:
 * its record, pid file and pid file's state go; its log stays.
 */
import type { Io } from './io.js';
import { type Known, control, existingStateDirectory, known, namesOf } from './daemons.js';
import { type FleetRequest, ONLY_FLAG, fleetRequestOf } from './fleet-request.js';
import { forget } from '../fleet/record.js';
import { readLine } from './flags.js';
import { EXIT, UsageError } from './usage-error.js';

/** `delete`, read. */
export interface DeleteRequest {
  verb: 'delete';
  name: string;
  /** `delete FILE`: the apps of a fleet file. */
  fleet?: FleetRequest;
}

/** Reads `delete`'s arguments. Pure. */
export function parseDelete(args: readonly string[]): DeleteRequest | { verb: 'help'; topic: 'delete' } {
  const line = readLine('delete', args, { ...ONLY_FLAG });
  if (line.help) return { verb: 'help', topic: 'delete' };
  const fleet = fleetRequestOf('delete', line);
  if (fleet !== undefined) return { verb: 'delete', name: '', fleet };
  const [name, extra] = namesOf('delete', line.positionals, true);
  if (extra !== undefined) throw new UsageError(`delete takes one NAME, got also ${JSON.stringify(extra)}`);
  return { verb: 'delete', name: name as string };
}

/** Stops (if needed) and forgets the daemon. */
export async function deleteDaemon(request: DeleteRequest, io: Io): Promise<number> {
  if (request.fleet !== undefined) {
    const { deleteFleet } = await import('./fleet.js');
    return deleteFleet(request.fleet, io);
  }
  await deleteKnown(known(existingStateDirectory(), request.name), io);
  return EXIT.ok;
}

/** Stops (if needed) and forgets a daemon that has a record. */
export async function deleteKnown(daemon: Known, io: Io): Promise<void> {
  const lib = control();
  const before = await lib.status(daemon.pidFile);
  if (before.state !== 'stopped') await lib.stop(daemon.pidFile);
  forget(daemon.dir, daemon.name);
  io.out(before.state === 'stopped' ? `deleted ${daemon.name}` : `deleted ${daemon.name} (stopped it first)`);
}

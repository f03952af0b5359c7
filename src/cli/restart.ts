/**
 * `xdaemon restart NAME…`: a running daemon gets a new worker (its supervisor stays, its whole
 * tree is stopped gracefully first); a stopped (or dead) one is started again from its record, with
 * the environment of this shell plus its recorded `--env`, its command looked up again.
 */
import type { Io } from './io.js';
import { control, existingStateDirectory, forEachName, known, namesOf } from './daemons.js';
import { refreshedRecord } from '../fleet/daemon-spec.js';
import { startRecord } from '../fleet/daemon-start.js';
import { startedLine } from './launch.js';
import { readLine } from './flags.js';
import { type FleetRequest, ONLY_FLAG, fleetRequestOf } from './fleet-request.js';
import { UsageError } from './usage-error.js';

/** `restart`, read. */
export interface RestartRequest {
  verb: 'restart';
  names: string[];
  /** `restart FILE`: the apps of a fleet file, with its current settings. */
  fleet?: FleetRequest;
}

/** Reads `restart`'s arguments. Pure. */
export function parseRestart(args: readonly string[]): RestartRequest | { verb: 'help'; topic: 'restart' } {
  const line = readLine('restart', args, { ...ONLY_FLAG, env: { type: 'string', multiple: true } });
  if (line.help) return { verb: 'help', topic: 'restart' };
  const fleet = fleetRequestOf('restart', line);
  if (fleet !== undefined) return { verb: 'restart', names: [], fleet };
  if (line.flags.has('env')) throw new UsageError('--env goes with a fleet file (xdaemon restart FILE --env SET); a daemon restarts with its recorded --env');
  return { verb: 'restart', names: namesOf('restart', line.positionals, true) };
}

/** Restarts (or starts) each daemon; exit 1 if one of them failed. */
export async function restart(request: RestartRequest, io: Io): Promise<number> {
  if (request.fleet !== undefined) {
    const { restartFleet } = await import('./fleet.js');
    return restartFleet(request.fleet, io);
  }
  const dir = existingStateDirectory();
  const lib = control();
  return forEachName(request.names, io, async (name) => {
    const daemon = known(dir, name);
    const now = await lib.status(daemon.pidFile);
    if (now.state === 'running' || now.state === 'restarting') {
      const { workerPid } = await lib.restart(daemon.pidFile);
      io.out(`restarted ${name}: worker ${workerPid}`);
      return;
    }
    // Dead: what its workers left is stopped and the stale pid file removed first.
    if (now.state === 'dead') await lib.stop(daemon.pidFile);
    const record = refreshedRecord(daemon.record, process.env);
    const started = startRecord(daemon.dir, record, process.env);
    io.out(`${startedLine(name, started, record.log)} (it was ${now.state})`);
  });
}

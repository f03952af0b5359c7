/**
 * `xdaemon stop NAME… | --all [--timeout MS]`: each supervisor stops its worker's whole tree and
 * exits; the verb returns once they are gone. A stopped name succeeds (exit 0), as LSB asks; a dead
 * one (its supervisor was killed) has its leftover processes stopped and its pid file removed.
 */
import { millis, readLine, textFlag } from './flags.js';
import type { Io } from './io.js';
import { type FleetRequest, ONLY_FLAG, fleetRequestOf } from './fleet-request.js';
import { control, existingStateDirectory, forEachName, known, namesOrAll, requestedNames } from './daemons.js';
import { readRecord, recordNames } from '../fleet/record.js';
import { UsageError } from './usage-error.js';

/** `stop`, read. */
export interface StopRequest {
  verb: 'stop';
  names: string[];
  all: boolean;
  /** Milliseconds to wait for each daemon to be gone. */
  timeout: number;
  /** `stop FILE`: the apps of a fleet file. */
  fleet?: FleetRequest;
}

/** The library's stop() default. */
export const DEFAULT_STOP_TIMEOUT = 30_000;

/** Reads `stop`'s arguments. Pure. */
export function parseStop(args: readonly string[]): StopRequest | { verb: 'help'; topic: 'stop' } {
  const line = readLine('stop', args, { all: { type: 'boolean' }, timeout: { type: 'string' }, ...ONLY_FLAG, env: { type: 'string', multiple: true } });
  if (line.help) return { verb: 'help', topic: 'stop' };
  const fleet = fleetRequestOf('stop', line, ['timeout']);
  const text = textFlag(line, 'timeout');
  const timeout = text === undefined ? DEFAULT_STOP_TIMEOUT : millis('timeout', text);
  if (fleet !== undefined) return { verb: 'stop', names: [], all: false, timeout, fleet };
  if (line.flags.has('env')) throw new UsageError('--env goes with a fleet file (xdaemon stop FILE)');
  const { names, all } = namesOrAll('stop', line);
  return { verb: 'stop', names, all, timeout };
}

/** Stops the daemons at once; exit 1 if one of them could not be stopped or has no record. */
export async function stop(request: StopRequest, io: Io): Promise<number> {
  if (request.fleet !== undefined) {
    const { stopFleet } = await import('./fleet.js');
    return stopFleet(request.fleet, request.timeout, io);
  }
  const dir = existingStateDirectory();
  return stopNames(dir, requestedNames(dir, request, recordNames), request.timeout, io);
}

/**
 * Stops the daemons `names` of `dir` at once, a line each; exit 1 if one could not be stopped or
 * (unless `unknownOk`: an app of a fleet file never started) has no record.
 */
export async function stopNames(dir: string | undefined, names: readonly string[], timeout: number, io: Io, unknownOk = false): Promise<number> {
  const { status, stop: stopDaemon } = control();
  return forEachName(names, io, async (name) => {
    if (unknownOk && (dir === undefined || readRecord(dir, name) === undefined)) {
      io.out(`${name} was not running`);
      return;
    }
    const daemon = known(dir, name);
    const before = await status(daemon.pidFile);
    if (before.state === 'stopped') {
      io.out(`${name} was not running`);
      return;
    }
    await stopDaemon(daemon.pidFile, { timeout });
    io.out(before.state === 'dead' ? `stopped ${name} (its supervisor was gone: cleaned up what it left)` : `stopped ${name}`);
  });
}

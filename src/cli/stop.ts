/**
 * `xdaemon stop NAME… | FILE | --all [--timeout MS]`: each supervisor stops its worker's whole
 * tree and exits (src/fleet/stop.ts); the verb returns once they are gone. A stopped name succeeds
 * (exit 0), as LSB asks; a dead one (its supervisor was killed) has its leftover processes stopped
 * and its pid file removed.
 */
import type { DaemonResult } from '../fleet/outcome.js';
import { stopDaemons } from '../fleet/stop.js';
import { millis, readLine, textFlag } from './flags.js';
import { type FleetRequest, ONLY_FLAG, fleetFiles, fleetRequestOf } from './fleet-request.js';
import { FLEET_HELP } from './help.js';
import type { Io } from './io.js';
import { namesOrAll, selectionOf } from './name-args.js';
import { type Said, commonSaid, report, unexpected } from './results.js';
import { EXIT, UsageError } from './usage-error.js';
import { splitNames } from '../fleet/services.js';
import { operateByName } from './service-names.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

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
export function parseStop(args: readonly string[]): StopRequest | HelpRequest<'stop'> {
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

/** What `stop` says of a daemon; an app of a file never started was not running either. */
function said(result: DaemonResult, ofFile: boolean): Said {
  switch (result.outcome) {
    case 'stopped':
      return { out: result.was === 'dead' ? `stopped ${result.name} (its supervisor was gone: cleaned up what it left)` : `stopped ${result.name}` };
    case 'not-running':
      return { out: `${result.name} was not running` };
    case 'not-known':
      return ofFile ? { out: `${result.name} was not running` } : (commonSaid(result) as Said);
    default:
      return commonSaid(result) ?? unexpected(result);
  }
}

/** Stops the daemons at once; exit 1 if one of them could not be stopped or has no record. */
export async function stop(request: StopRequest, io: Io): Promise<number> {
  const options = { timeout: request.timeout };
  if (request.fleet !== undefined) {
    const { stopFleet } = await fleetFiles();
    return report((await stopFleet(request.fleet, options)).results, io, (r) => said(r, true));
  }
  if (request.all) return report(await stopDaemons(selectionOf(request), options), io, (r) => said(r, false));
  // A name no daemon has may be an installed service: its manager stops it.
  const { daemons, services, both } = await splitNames(request.names);
  const code = daemons.length === 0 ? EXIT.ok : report(await stopDaemons({ names: daemons }, options), io, (r) => said(r, false));
  return Math.max(code, services.length + both.length === 0 ? EXIT.ok : await operateByName('stop', services, both, io));
}

/** The row of `stop`. */
export const STOP = defineVerb<StopRequest>({
  name: 'stop',
  parse: parseStop,
  run: stop,
  help: () => `usage: xdaemon stop NAME… | FILE [--only a,b] | --all [--timeout MS]

Stops each daemon: its supervisor stops the worker's whole tree (SIGTERM, then SIGKILL after
--kill-timeout) and exits. Returns once they are gone. A stopped daemon is fine (exit 0); a dead
one (its supervisor was killed) has what it left stopped and its pid file removed. A NAME that no
daemon has but an installed OS service has (xdaemon install) is stopped by its service manager.

  --all         every daemon
  --timeout MS  give up waiting for each after MS (default 30000; exit 1)
${FLEET_HELP}
`,
  synopsis: [['stop NAME… | FILE | --all [--timeout MS]', 'stop daemons and everything they started']],
});

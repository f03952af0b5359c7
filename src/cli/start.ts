/**
 * `xdaemon start`, in its three forms:
 * - `start [options] [--name NAME] -- <command> [args…]`: the command, supervised in the background
 *   under a name;
 * - `start SCRIPT [options] [-- args…]`, pm2's one-liner: a Node script (`.js`, `.cjs`, `.mjs`;
 *   `.ts` through its loader) runs with this node, an executable as it is;
 * - `start [FILE] [--only a,b] [--env SET]`: the apps of a fleet file.
 * The work is src/fleet/'s (everything that can be wrong is found before anything detaches); this
 * module reads the command line and prints what was started.
 */
import type { DaemonSpec } from '../fleet/daemon-spec.js';
import { DEFAULT_FLEET_FILES, defaultFleetFile } from '../fleet/file-load.js';
import { ScriptError, scriptSpec } from '../fleet/script-command.js';
import { startDaemon } from '../fleet/start.js';
import { currentStateFacts } from '../fleet/state-dir.js';
import { readLine } from './flags.js';
import { type FleetRequest, ONLY_FLAG, envOf, fleetLine, fleetFiles, fleetRequestOf } from './fleet-request.js';
import { launchHelp } from './help.js';
import type { Io } from './io.js';
import { LAUNCH_FLAGS, launchOptionsOf, parseLaunch } from './launch.js';
import { commonSaid, report, startedSaid, unexpected, warn } from './results.js';
import { UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `start`, read: a command line, a script (pm2's one-liner), or a fleet file. */
export type StartRequest =
  | ({ verb: 'start'; fleet: undefined; script: undefined } & DaemonSpec)
  | ({ verb: 'start'; fleet: undefined; script: string } & Omit<DaemonSpec, 'command'>)
  | { verb: 'start'; fleet: FleetRequest };

/** Reads `start`'s arguments; `help` for `--help`. Pure. */
export function parseStart(args: readonly string[]): StartRequest | HelpRequest<'start'> {
  const line = readLine('start', args, { ...LAUNCH_FLAGS, ...ONLY_FLAG });
  if (line.help) return { verb: 'help', topic: 'start' };
  const fleet = fleetRequestOf('start', line);
  if (fleet !== undefined) return { verb: 'start', fleet };
  const [script, stray] = line.positionals;
  // `xdaemon start` alone: the fleet file of this directory.
  if (script === undefined && line.command === undefined && [...line.flags.keys()].every((f) => f === 'env')) {
    return { verb: 'start', fleet: fleetLine('start', line, undefined) };
  }
  envOf(line, false);
  if (script === undefined) return { verb: 'start', fleet: undefined, script: undefined, ...parseLaunch('start', line) };
  // `--watch src`: a flag that may stand alone (`--watch`) takes its value only as `--watch=src`.
  const before = args[args.indexOf(script) - 1];
  const bare = Object.entries(LAUNCH_FLAGS).filter(([, spec]) => spec.bare !== undefined).map(([flag]) => `--${flag}`);
  if (before !== undefined && bare.includes(before)) {
    throw new UsageError(`unexpected argument ${JSON.stringify(script)}: the command goes after -- (${before}=${script} for a value; a script to run comes first: xdaemon start ${script} ${before})`);
  }
  if (stray !== undefined) {
    throw new UsageError(`unexpected argument ${JSON.stringify(stray)}: the program's arguments go after -- (xdaemon start server.js -- --port 8080), a command too (xdaemon start -- <command> [args…])`);
  }
  return { verb: 'start', fleet: undefined, script, ...launchOptionsOf(line), args: line.command ?? [] };
}

/** Starts the daemon (or the fleet's apps); exit 0 once its supervisor handles signals. */
export async function start(request: StartRequest, io: Io): Promise<number> {
  const facts = currentStateFacts();
  if (request.fleet !== undefined) {
    if (request.fleet.file === undefined && defaultFleetFile(facts.cwd) === undefined) {
      throw new UsageError(`missing -- <command> (xdaemon start [options] -- <command> [args…]), and no fleet file here (${DEFAULT_FLEET_FILES.join(', ')})`);
    }
    const { startFleet } = await fleetFiles();
    const outcome = await startFleet(request.fleet, facts);
    warn(io, outcome.warnings);
    return report(outcome.results, io, (r) => (r.outcome === 'already-running' ? { out: `${r.name} already runs: supervisor ${r.pid ?? '?'} (untouched)` } : (commonSaid(r) ?? unexpected(r))));
  }
  return report([await startDaemon(daemonOf(request, facts.cwd), facts)], io, (r) => startedSaid(r));
}

/** The daemon of a command line, or of a script (relative to --cwd, else to `cwd`) with the command line that runs it. */
function daemonOf(request: Exclude<StartRequest, { fleet: FleetRequest }>, cwd: string): DaemonSpec {
  if (request.script === undefined) {
    const { verb: _verb, fleet: _fleet, script: _script, ...spec } = request;
    return spec;
  }
  const { verb: _verb, fleet: _fleet, script, ...spec } = request;
  try {
    return scriptSpec(script, spec, cwd);
  } catch (err) {
    if (err instanceof ScriptError) throw new UsageError(`${err.message} (xdaemon start SCRIPT, or start -- <command> [args…])`);
    throw err;
  }
}

/** The row of `start`. */
export const START = defineVerb<StartRequest>({
  name: 'start',
  parse: parseStart,
  run: start,
  help: () => launchHelp('start'),
  synopsis: [
    ['start [options] [--name NAME] -- <command> [args…]', 'start it supervised, in the background'],
    ['start SCRIPT [options] [-- args…]', 'a script (.js, .mjs, .cjs, .ts) with this node, or an executable'],
    ['start [FILE] [--only a,b] [--env SET]', 'the apps of a fleet file (default: xdaemon.config.*, ecosystem.config.*)'],
  ],
});

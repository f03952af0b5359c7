/**
 * `xdaemon start`, in its three forms:
 * - `start [options] [--name NAME] -- <command> [args…]`: the command, supervised in the background
 *   under a name;
 * - `start SCRIPT [options] [-- args…]`, pm2's one-liner: a Node script (`.js`, `.cjs`, `.mjs`;
 *   `.ts` through its loader) runs with this node, an executable as it is (see ./script-command);
 * - `start [FILE] [--only a,b] [--env SET]`: the apps of a fleet file (see ./fleet).
 * Everything that can be wrong is reported before anything detaches (bad flags, a command not
 * found, an unusable state directory, a name that runs already); then the launcher bundle starts
 * the supervisor, waits for its handshake, and the record is written. A dead daemon of the name
 * (its supervisor killed) is cleaned up first.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadBundle } from '../bundles.js';
import { type FleetRequest, ONLY_FLAG, envOf, fleetLine, fleetRequestOf } from './fleet-request.js';
import { daemonPaths } from './record.js';
import { LAUNCH_FLAGS, type LaunchRequest, launchOptionsOf, parseLaunch, prepare, readLaunchLine, recordOf, startRecord, startedLine } from './launch.js';
import { ScriptError, scriptCommand } from './script-command.js';
import { currentStateFacts, openStateDirectory, stateDirectoryPath } from './state-dir.js';
import type { Io } from './io.js';
import { EXIT, UsageError } from './usage-error.js';

/** `start`, read: a command line, a script (pm2's one-liner), or a fleet file. */
export type StartRequest =
  | ({ verb: 'start'; fleet: undefined; script: undefined } & LaunchRequest)
  | ({ verb: 'start'; fleet: undefined; script: string } & Omit<LaunchRequest, 'command'>)
  | { verb: 'start'; fleet: FleetRequest };

/** Reads `start`'s arguments; `help` for `--help`. Pure, but for whether a word after `--watch` is a folder. */
export function parseStart(args: readonly string[]): StartRequest | { verb: 'help'; topic: 'start' } {
  const line = readLaunchLine('start', args, { ...LAUNCH_FLAGS, ...ONLY_FLAG });
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
  // `--watch src` with nothing after it: the word is the script (a folder followed by a script or
  // -- was taken as the value already, see readLine).
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

/** Starts the daemon (or the fleet); exit 0 once its supervisor handles signals. */
export async function start(request: StartRequest, io: Io): Promise<number> {
  if (request.fleet !== undefined) {
    const { startFleet } = await import('./fleet.js');
    return startFleet(request.fleet, io);
  }
  const facts = currentStateFacts();
  const launch = request.script === undefined ? request : scriptRequest(request, facts.cwd);
  const prepared = prepare(launch, facts);
  const dir = openStateDirectory(stateDirectoryPath(facts), true) as string;
  const record = recordOf(prepared, dir);
  const { pidFile } = daemonPaths(dir, record.name);
  // A pid file: it runs (the launcher refuses it, naming its supervisor), or it is dead, and what
  // its workers left is stopped first. Without one (the usual case) nothing is asked.
  if (existsSync(pidFile)) {
    const lib = loadBundle('control');
    if ((await lib.status(pidFile)).state === 'dead') await lib.stop(pidFile);
  }
  const started = startRecord(dir, record, facts.env);
  io.out(startedLine(record.name, started, record.log));
  return EXIT.ok;
}

/** The one-liner's script (relative to --cwd, else here) as the command line that runs it. */
function scriptRequest(request: Omit<LaunchRequest, 'command'> & { script: string }, cwd: string): LaunchRequest {
  const { script, ...rest } = request;
  const path = resolve(cwd, request.cwd ?? '.', script);
  let program: { command: string; args: string[] };
  try {
    program = scriptCommand(path, undefined, []);
  } catch (err) {
    if (err instanceof ScriptError) throw new UsageError(`${err.message} (xdaemon start SCRIPT, or start -- <command> [args…])`);
    throw err;
  }
  return { ...rest, command: program.command, args: [...program.args, ...request.args] };
}

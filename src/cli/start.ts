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
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DaemonSpec } from '../fleet/daemon-spec.js';
import { existingStateDirectory, findKnown, resolveNames } from '../fleet/daemons.js';
import { ALL } from '../fleet/names.js';
import { restartDaemons } from '../fleet/restart.js';
import { restartSaid } from './restart.js';
import { DEFAULT_FLEET_FILES, defaultFleetFile } from '../fleet/file-load.js';
import { ScriptError, scriptSpec } from '../fleet/script-command.js';
import { startDaemon } from '../fleet/start.js';
import { currentStateFacts } from '../fleet/state-dir.js';
import { checkName, isValidName } from '../fleet/names.js';
import { bothError, targetOf } from '../fleet/services.js';
import { operateByName } from './service-names.js';
import { type FlagSpecs, boolFlag, listFlag, textFlag } from './flags.js';
import { pm2Words } from '../fleet/pm2-units.js';
import { type FleetRequest, ONLY_FLAG, envOf, fleetLine, fleetFiles, fleetRequestOf } from './fleet-request.js';
import { launchHelp } from './help.js';
import type { Io } from './io.js';
import { LAUNCH_FLAGS, launchOptionsOf, parseLaunch, readLaunchLine } from './launch.js';
import { commonSaid, report, startedSaid, unexpected, warn } from './results.js';
import { UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `start`, read: a command line, a script (pm2's one-liner), or a fleet file. */
export type StartRequest =
  | ({ verb: 'start'; fleet: undefined; script: undefined; force: boolean } & DaemonSpec)
  | ({ verb: 'start'; fleet: undefined; script: string; interpreter: string | undefined; interpreterArgs: string[]; force: boolean } & Omit<DaemonSpec, 'command'>)
  | { verb: 'start'; fleet: FleetRequest };

/** Flags of start alone: pm2's for the script of the one-liner, -f (a daemon of the name that runs is replaced), --depends-on. */
const START_FLAGS: FlagSpecs = {
  interpreter: { type: 'string' },
  'node-args': { type: 'string' },
  force: { type: 'boolean' },
  // Named daemons that must run (and be ready) before this one starts.
  'depends-on': { type: 'string', multiple: true },
};

/** Reads `start`'s arguments; `help` for `--help`. Pure, but for whether a word after `--watch` is a folder. */
export function parseStart(args: readonly string[]): StartRequest | HelpRequest<'start'> {
  const line = readLaunchLine('start', args, { ...LAUNCH_FLAGS, ...ONLY_FLAG, ...START_FLAGS, ...OWN_PROCESS_FLAG });
  if (line.help) return { verb: 'help', topic: 'start' };
  // Only when given: a request reads as before without it.
  const ownProcess = boolFlag(line, OWN_PROCESS) ? { ownProcess: true } : {};
  const fleet = fleetRequestOf('start', line, [OWN_PROCESS]);
  const force = boolFlag(line, 'force');
  const interpreter = textFlag(line, 'interpreter');
  const nodeArgs = textFlag(line, 'node-args');
  if (fleet !== undefined) return { verb: 'start', fleet: { ...fleet, ...ownProcess } };
  const [script, stray] = line.positionals;
  // `xdaemon start` alone: the fleet file of this directory.
  if (script === undefined && line.command === undefined && [...line.flags.keys()].every((f) => f === 'env' || f === OWN_PROCESS)) {
    return { verb: 'start', fleet: { ...fleetLine('start', line, undefined, [OWN_PROCESS]), ...ownProcess } };
  }
  envOf(line, false);
  const dependsOn = listFlag(line, 'depends-on');
  for (const name of dependsOn) checkName(name);
  const order = dependsOn.length === 0 ? {} : { dependsOn };
  if (script === undefined) {
    if (interpreter !== undefined || nodeArgs !== undefined) throw new UsageError(`--${interpreter !== undefined ? 'interpreter' : 'node-args'} goes with a script (xdaemon start app.py --interpreter python3); a command after -- names its own program`);
    return { verb: 'start', fleet: undefined, script: undefined, force, ...parseLaunch('start', line), ...order, ...ownProcess };
  }
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
  return { verb: 'start', fleet: undefined, script, interpreter, interpreterArgs: nodeArgs === undefined ? [] : pm2Words(nodeArgs), force, ...launchOptionsOf(line), args: line.command ?? [], ...order, ...ownProcess };
}

/** `--own-process`: a supervisor process of its own, not a place in the state directory's host. */
const OWN_PROCESS = 'own-process';
const OWN_PROCESS_FLAG = { [OWN_PROCESS]: { type: 'boolean' } } as const;

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
  // pm2's `start NAME` (or `all`, or a list index): a daemon it knows, not a script here, is started again.
  if (request.script !== undefined && request.args.length === 0 && !existsSync(resolve(facts.cwd, request.cwd ?? '.', request.script))) {
    const dir = existingStateDirectory(facts);
    const known = request.script === ALL ? dir !== undefined : resolveNames(dir, [request.script]).some((name) => findKnown(dir, name) !== undefined);
    if (known) return report(await restartDaemons([request.script], facts), io, restartSaid);
  }
  if (request.script !== undefined && bareName(request)) {
    // `start NAME`, NAME no daemon and no file here: an installed service of that name is started by its manager.
    const target = await targetOf(request.script, facts);
    if (target.kind === 'both') throw bothError(request.script, target.service);
    if (target.kind === 'service') return operateByName('start', [{ name: request.script, service: target.service }], [], io);
  }
  // Up, or exit 1 with the cause from its log (src/fleet/wait-up).
  return report([await startDaemon(daemonOf(request, facts.cwd), facts, { replace: request.force })], io, (r) => startedSaid(r));
}

/** `start WORD` alone (no flag, no argument), WORD a name and no file of the current directory. */
function bareName(request: Extract<StartRequest, { script: string }>): boolean {
  const { script, name, args, settings, log, cwd, env } = request;
  const alone = name === undefined && args.length === 0 && Object.keys(settings).length === 0 && log === undefined && cwd === undefined && Object.keys(env).length === 0;
  return alone && isValidName(script) && !existsSync(script);
}

/** The daemon of a command line, or of a script (relative to --cwd, else to `cwd`) with the command line that runs it. */
function daemonOf(request: Exclude<StartRequest, { fleet: FleetRequest }>, cwd: string): DaemonSpec {
  if (request.script === undefined) {
    const { verb: _verb, fleet: _fleet, script: _script, force: _force, ...spec } = request;
    return spec;
  }
  const { verb: _verb, fleet: _fleet, script, interpreter, interpreterArgs, force: _force, ...spec } = request;
  try {
    return scriptSpec(script, spec, cwd, interpreter, interpreterArgs);
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
    ['start NAME', 'an OS service installed with xdaemon install, by its service manager'],
    ['start [FILE] [--only a,b] [--env SET]', 'the apps of a fleet file (default: xdaemon.config.*, ecosystem.config.*)'],
  ],
});

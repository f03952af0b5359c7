/**
 * `xdaemon startup [--user]` and `xdaemon unstartup`: one OS service, through `xdaemon/service`,
 * that runs `xdaemon resurrect` at boot (or login) and `xdaemon stop --all` at shutdown (systemd
 * `Type=oneshot` with `ExecStop=`), for the daemons of this state directory. The service runs
 * node and xdaemon by their absolute paths, with nothing of this shell's environment but
 * `XDAEMON_HOME` (pm2's unit bakes the saving shell's PATH, which an nvm or Node upgrade breaks);
 * what it runs is recorded in the state directory, so that `status` warns when one of them is gone.
 * `--dry-run` prints the unit and the commands.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { loadBundle } from '../bundles.js';
import { XDaemonError } from '../errors.js';
import type { ServiceOptions } from '../service/options.js';
import { type FlagSpecs, boolFlag, readLine } from './flags.js';
import type { Io } from './io.js';
import { BACKENDS, serviceWhereOf } from './install.js';
import { forgetStartup, writeStartup } from '../fleet/saved.js';
import { currentStateFacts, openStateDirectory, stateDirectoryPath } from '../fleet/state-dir.js';
import { EXIT, UsageError } from './usage-error.js';

/** The startup service's name. */
export const STARTUP_SERVICE = 'xdaemon-resurrect';

/** How long the service gives `stop --all` (its own default 30 s per daemon, all at once) before SIGKILL. */
const STOP_TIME = 35_000;

/** `startup` or `unstartup`, read. */
export interface StartupRequest {
  verb: 'startup' | 'unstartup';
  user: boolean;
  dryRun: boolean;
  force: boolean;
  backend: (typeof BACKENDS)[number] | undefined;
  root: string | undefined;
}

/** Reads `startup`'s (or `unstartup`'s) arguments. Pure. */
export function parseStartup(verb: 'startup' | 'unstartup', args: readonly string[]): StartupRequest | { verb: 'help'; topic: 'startup' | 'unstartup' } {
  const where: FlagSpecs = { backend: { type: 'string' }, root: { type: 'string' } };
  const specs: FlagSpecs = verb === 'startup' ? { ...where, user: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, force: { type: 'boolean' } } : where;
  const line = readLine(verb, args, specs);
  if (line.help) return { verb: 'help', topic: verb };
  const [stray] = line.positionals;
  if (stray !== undefined) throw new UsageError(`${verb} takes no argument, got ${JSON.stringify(stray)}`);
  return { verb, user: boolFlag(line, 'user'), dryRun: boolFlag(line, 'dry-run'), force: boolFlag(line, 'force'), ...serviceWhereOf(line) };
}

/** The startup service's options for state directory `dir`; `node` and `cli` absolute. Pure. */
export function startupOptions(request: StartupRequest, facts: { dir: string; node: string; cli: string; cwd: string; uid: number | undefined; username: string }): ServiceOptions {
  const options: ServiceOptions = {
    name: STARTUP_SERVICE,
    description: `xdaemon: the saved daemons of ${facts.dir}`,
    command: facts.node,
    args: [facts.cli, 'resurrect'],
    stopArgs: [facts.cli, 'stop', '--all'],
    oneshot: true,
    workingDirectory: facts.dir,
    env: { XDAEMON_HOME: facts.dir },
    killTimeout: STOP_TIME,
    userService: request.user,
  };
  // A system service for the state directory of a user runs as that user.
  if (!request.user && facts.uid !== undefined && facts.uid !== 0) options.user = facts.username;
  if (request.backend !== undefined) options.backend = request.backend;
  if (request.root !== undefined) options.root = resolve(facts.cwd, request.root);
  return options;
}

/** This xdaemon's script (the `xdaemon` bin, `dist/cli.js`), absolute. */
function cliPath(): string {
  return __filename;
}

/** Installs (or with --dry-run shows) the startup service. */
export async function startup(request: StartupRequest, io: Io): Promise<number> {
  const facts = currentStateFacts();
  const dir = openStateDirectory(stateDirectoryPath(facts), true) as string;
  const options = startupOptions(request, { dir, node: process.execPath, cli: cliPath(), cwd: facts.cwd, uid: process.getuid?.(), username: userInfo().username });
  const { Service, formatPlan } = loadBundle('service');
  const svc = new Service(options);
  if (request.dryRun) {
    io.out(formatPlan(await svc.plan()).trimEnd());
    return EXIT.ok;
  }
  const result = await svc.install({ force: request.force });
  writeStartup(dir, { v: 1, name: svc.name, path: result.path, backend: result.backend, userService: result.userService, node: process.execPath, cli: cliPath() });
  const kind = `${result.backend}${result.userService ? ', user service' : ''}`;
  io.out(
    result.changed
      ? `installed ${svc.name}: ${result.path} (${kind}): at ${request.user ? 'login' : 'boot'} it runs xdaemon resurrect (xdaemon save chooses what comes back)`
      : `${svc.name} is already installed: ${result.path} (${kind}; unchanged)`,
  );
  for (const warning of result.warnings) io.err(`warning: ${warning}`);
  return EXIT.ok;
}

/** Removes the startup service. */
export async function unstartup(request: StartupRequest, io: Io): Promise<number> {
  const { Service } = loadBundle('service');
  const where = {
    ...(request.backend === undefined ? {} : { backend: request.backend }),
    ...(request.root === undefined ? {} : { root: resolve(request.root) }),
  };
  const svc = await Service.find(STARTUP_SERVICE, where);
  const facts = currentStateFacts();
  const dir = openStateDirectory(stateDirectoryPath(facts), false);
  if (svc === undefined) {
    if (dir !== undefined) forgetStartup(dir);
    throw new XDaemonError(`no startup service is installed (${STARTUP_SERVICE})`, { code: 'ENOENT' });
  }
  const result = await svc.uninstall();
  if (dir !== undefined) forgetStartup(dir);
  io.out(`uninstalled ${STARTUP_SERVICE}: removed ${result.path} (the daemons that run go on; xdaemon stop --all stops them)`);
  return EXIT.ok;
}

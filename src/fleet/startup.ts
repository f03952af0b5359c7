/**
 * The startup service: one OS service, through `xdaemon/service`, that runs `xdaemon resurrect`
 * at boot (or login) and `xdaemon stop --all` at shutdown (systemd `Type=oneshot` with
 * `ExecStop=`), for the daemons of one state directory. It runs node and xdaemon by their absolute
 * paths, with nothing of the invoking environment but `XDAEMON_HOME` (pm2's unit bakes the saving
 * shell's PATH, which an nvm or Node upgrade breaks); what it runs is recorded in the state
 * directory, so that a status can warn when one of them is gone (./saved).
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { loadBundle } from '../bundles.js';
import { XDaemonError } from '../errors.js';
import type { ServiceOptions } from '../service/options.js';
import { createdStateDirectory, existingStateDirectory } from './daemons.js';
import { forgetStartup, writeStartup } from './saved.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';

/** The startup service's name. */
export const STARTUP_SERVICE = 'xdaemon-resurrect';

/** How long the service gives `stop --all` (its own default 30 s per daemon, all at once) before SIGKILL. */
const STOP_TIME = 35_000;

/** The service managers a startup service can be written for. */
export type StartupBackend = 'systemd' | 'launchd' | 'windows';

/** Where and how the startup service is installed. */
export interface StartupRequest {
  /** A service of the current user (at login) rather than the system's (at boot). */
  user: boolean;
  /** The service manager; undefined: the one running this machine. */
  backend: StartupBackend | undefined;
  /** Write under this directory (preparing an image), relative to the invoking directory. */
  root: string | undefined;
}

/** The service's options for state directory `dir`; `node` and `cli` absolute. Pure. */
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

type ServiceBundle = ReturnType<typeof loadBundle<'service'>>;
type StartupService = InstanceType<ServiceBundle['Service']>;

/** The startup service of the state directory (created) that runs xdaemon's script `cli` with this node. */
function startupService(request: StartupRequest, cli: string, facts: StateFacts): { svc: StartupService; dir: string } {
  const dir = createdStateDirectory(facts);
  const options = startupOptions(request, { dir, node: process.execPath, cli, cwd: facts.cwd, uid: process.getuid?.(), username: userInfo().username });
  return { svc: new (loadBundle('service').Service)(options), dir };
}

/** What installing the startup service would write and run. */
export function planStartup(request: StartupRequest, cli: string, facts: StateFacts = currentStateFacts()): ReturnType<StartupService['plan']> {
  return startupService(request, cli, facts).svc.plan();
}

/** Installs the startup service (`force`: over a different file of its name), and records what it runs. */
export async function installStartup(
  request: StartupRequest & { force?: boolean },
  cli: string,
  facts: StateFacts = currentStateFacts(),
): Promise<{ name: string; result: Awaited<ReturnType<StartupService['install']>> }> {
  const { svc, dir } = startupService(request, cli, facts);
  const result = await svc.install({ force: request.force === true });
  writeStartup(dir, { v: 1, name: svc.name, path: result.path, backend: result.backend, userService: result.userService, node: process.execPath, cli });
  return { name: svc.name, result };
}

/**
 * Removes the startup service, and its record, without stopping it: stopping it would run its
 * `stop --all` (and under systemd end what its cgroup holds: the daemons it resurrected), while
 * the daemons that run go on. (systemd keeps the unit loaded and active until logout or shutdown.)
 *
 * @throws XDaemonError (`code: 'ENOENT'`) when none is installed.
 */
export async function removeStartup(
  where: Omit<StartupRequest, 'user'>,
  facts: StateFacts = currentStateFacts(),
): Promise<Awaited<ReturnType<StartupService['uninstall']>>> {
  const { Service } = loadBundle('service');
  const svc = await Service.find(STARTUP_SERVICE, {
    ...(where.backend === undefined ? {} : { backend: where.backend }),
    ...(where.root === undefined ? {} : { root: resolve(where.root) }),
  });
  const dir = existingStateDirectory(facts);
  if (svc === undefined) {
    if (dir !== undefined) forgetStartup(dir);
    throw new XDaemonError(`no startup service is installed (${STARTUP_SERVICE})`, { code: 'ENOENT' });
  }
  const result = await svc.uninstall({ stop: false });
  if (dir !== undefined) forgetStartup(dir);
  return result;
}

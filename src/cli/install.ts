/**
 * `xdaemon install [--user] [--name NAME] [options] -- <command> [args…]`: the command as an OS
 * service (systemd, launchd, a Windows scheduled task) through the `xdaemon/service` bundle's
 * `Service`, enabled at boot (or login) but not started. `--dry-run` prints what would be written
 * and run; `--force` replaces a different file of the same name. The service manager supervises:
 * of the settings, only those it has (restart, restart delay, kill timeout, readiness, stderr
 * file) are flags here.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadBundle } from '../bundles.js';
import { shortMessageOf } from '../errors.js';
import type { ServiceOptions } from '../service/options.js';
import { SERVICE_SETTING_NAMES } from '../settings/derived.js';
import { resolveCommand } from '../process/which.js';
import { type ParsedLine, SETTING_FLAGS, boolFlag, listFlag, parseEnv, readLine, settingsOf, textFlag } from './flags.js';
import type { Io } from './io.js';
import { LAUNCH_FLAGS, commandOf } from './launch.js';
import { checkName, defaultName } from '../fleet/names.js';
import { type FleetRequest, ONLY_FLAG, fleetRequestOf } from './fleet-request.js';
import { NAME_ROW, rows, settingRows } from './help.js';
import { EXIT, UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** The settings a service manager has (the rows marked so), as flags of `install`. */
export const SERVICE_SETTING_FLAGS = SETTING_FLAGS.filter((f) => (SERVICE_SETTING_NAMES as readonly string[]).includes(f.setting));

/** The service managers `--backend` names. */
export const BACKENDS = ['systemd', 'launchd', 'windows'] as const;

/** `install`, read (paths as given). */
export interface InstallRequest {
  verb: 'install';
  name: string | undefined;
  command: string;
  args: string[];
  user: boolean;
  dryRun: boolean;
  force: boolean;
  cwd: string | undefined;
  log: string | undefined;
  errFile: string | undefined;
  env: Record<string, string>;
  restart: 'always' | 'on-failure' | 'never' | undefined;
  restartDelay: number | undefined;
  killTimeout: number | undefined;
  waitReady: number | undefined;
  /** Addresses for a socket unit beside the service (systemd). */
  listen: string[] | undefined;
  /** Environment files the service manager reads at every start (systemd `EnvironmentFile=`). */
  envFile: string[] | undefined;
  backend: (typeof BACKENDS)[number] | undefined;
  root: string | undefined;
  /** `install FILE`: one service per app of a fleet file. */
  fleet?: FleetRequest;
}

const INSTALL_FLAGS = {
  ...ONLY_FLAG,
  ...LAUNCH_FLAGS,
  user: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  backend: { type: 'string' },
  root: { type: 'string' },
} as const;

/** Reads `install`'s arguments. Pure. */
export function parseInstall(args: readonly string[]): InstallRequest | HelpRequest<'install'> {
  const line = readLine('install', args, INSTALL_FLAGS);
  if (line.help) return { verb: 'help', topic: 'install' };
  const fleet = fleetRequestOf('install', line, ['user', 'dry-run', 'force', 'backend', 'root']);
  refuseUnsupported(line);
  const s = settingsOf(line, SERVICE_SETTING_FLAGS);
  const name = textFlag(line, 'name');
  if (name !== undefined) checkName(name);
  const backend = backendOf(line);
  for (const flag of ['log', 'cwd', 'root']) if (textFlag(line, flag) === '') throw new UsageError(`--${flag} needs a path`);
  const [command, ...rest] = fleet === undefined ? commandOf('install', line) : [''];
  return {
    verb: 'install',
    name,
    command,
    args: rest,
    user: boolFlag(line, 'user'),
    dryRun: boolFlag(line, 'dry-run'),
    force: boolFlag(line, 'force'),
    cwd: textFlag(line, 'cwd'),
    log: textFlag(line, 'log'),
    errFile: s.errFile as string | undefined,
    env: fleet === undefined ? parseEnv(listFlag(line, 'env')) : fleet.env,
    restart: s.restart as InstallRequest['restart'],
    restartDelay: s.restartDelay as number | undefined,
    killTimeout: s.killTimeout as number | undefined,
    waitReady: s.waitReady as number | undefined,
    listen: s.listen as string[] | undefined,
    envFile: s.envFile as string[] | undefined,
    backend,
    root: textFlag(line, 'root'),
    ...(fleet === undefined ? {} : { fleet }),
  };
}

/** `--backend`, checked (install, uninstall, startup). */
export function backendOf(line: ParsedLine): (typeof BACKENDS)[number] | undefined {
  const backend = textFlag(line, 'backend');
  if (backend !== undefined && !(BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend must be ${BACKENDS.join(', ')}, got ${JSON.stringify(backend)}`);
  }
  return backend as (typeof BACKENDS)[number] | undefined;
}

/** `--backend` and `--root` of the verbs that find a service (uninstall, unstartup, startup). */
export function serviceWhereOf(line: ParsedLine): { backend: (typeof BACKENDS)[number] | undefined; root: string | undefined } {
  const root = textFlag(line, 'root');
  if (root === '') throw new UsageError('--root needs a path');
  return { backend: backendOf(line), root };
}

/** A setting the service manager does not have: refused, saying so. */
function refuseUnsupported(line: ParsedLine): void {
  for (const f of SETTING_FLAGS) {
    if (line.flags.has(f.flag) && !SERVICE_SETTING_FLAGS.includes(f)) {
      const supported = SERVICE_SETTING_FLAGS.map((s) => `--${s.flag}`).join(', ');
      throw new UsageError(`--${f.flag} is not an option of install: the service manager supervises (install takes ${supported})`);
    }
  }
}

/**
 * The service's options: paths absolute against the invoking directory, the command found in
 * PATH (with `--root`, the service looks it up under the root instead). Throws an XDaemonError
 * for a command that is not found; a UsageError for a name that cannot be derived.
 */
export function serviceOptions(request: InstallRequest, facts: { cwd: string; env: NodeJS.ProcessEnv }): ServiceOptions {
  const root = request.root === undefined ? undefined : resolve(facts.cwd, request.root);
  const cwd = resolve(facts.cwd, request.cwd ?? '.');
  const command = root === undefined ? resolveCommand(request.command, { ...facts.env, ...request.env }, cwd) : request.command;
  const isFile = (arg: string): boolean => {
    try {
      return statSync(resolve(cwd, arg)).isFile();
    } catch {
      return false;
    }
  };
  const options: ServiceOptions = {
    name: request.name ?? defaultName(request.command, request.args, isFile),
    command,
    args: request.args,
    workingDirectory: cwd,
    env: request.env,
    userService: request.user,
  };
  const set = <K extends keyof ServiceOptions>(key: K, value: ServiceOptions[K] | undefined): void => {
    if (value !== undefined) options[key] = value;
  };
  set('logFile', request.log === undefined ? undefined : resolve(facts.cwd, request.log));
  set('errFile', request.errFile === undefined ? undefined : resolve(facts.cwd, request.errFile));
  set('restart', request.restart);
  set('restartDelay', request.restartDelay);
  set('killTimeout', request.killTimeout);
  set('waitReady', request.waitReady);
  set('listen', request.listen);
  set('envFile', request.envFile?.map((file) => resolve(facts.cwd, file)));
  set('backend', request.backend);
  set('root', root);
  return options;
}

/** Installs (or, with --dry-run, shows) the service. */
export async function install(request: InstallRequest, io: Io): Promise<number> {
  if (request.fleet !== undefined) {
    const { installFleet } = await import('./install-fleet.js');
    return installFleet(request, request.fleet, io);
  }
  const options = serviceOptions(request, { cwd: process.cwd(), env: process.env });
  const { Service, formatPlan } = loadBundle('service');
  let svc: InstanceType<typeof Service>;
  try {
    svc = new Service(options);
  } catch (err) {
    // The service's own rules (a name a unit cannot hold, an env name, a fraction of a millisecond).
    throw new UsageError(shortMessageOf(err));
  }
  return installService(svc, request, io, formatPlan);
}

/** Installs `svc` (or with --dry-run prints its plan), a line saying what was done. */
export async function installService(
  svc: InstanceType<ReturnType<typeof loadBundle<'service'>>['Service']>,
  request: Pick<InstallRequest, 'dryRun' | 'force'>,
  io: Io,
  formatPlan: ReturnType<typeof loadBundle<'service'>>['formatPlan'],
): Promise<number> {
  if (request.dryRun) {
    io.out(formatPlan(await svc.plan()).trimEnd());
    return EXIT.ok;
  }
  const result = await svc.install({ force: request.force });
  const kind = `${result.backend}${result.userService ? ', user service' : ''}`;
  io.out(
    result.changed
      ? `installed ${svc.name}: ${result.path} (${kind}; enabled, not started)`
      : `${svc.name} is already installed: ${result.path} (${kind}; unchanged)`,
  );
  for (const warning of result.warnings) io.err(`warning: ${warning}`);
  return EXIT.ok;
}

/** The help of `install`, with the service's own defaults (its restart delay is not the library's). */
export function installHelp(serviceDefaults: Readonly<Record<string, unknown>>): string {
  return `usage: xdaemon install [--user] [--name NAME] [options] -- <command> [args…]

Installs <command> as an OS service: a systemd unit, a launchd plist or a Windows scheduled task
(which runs xdaemon run). Enabled at boot (login, with --user), not started. The same file again
is left alone; a different one is refused unless --force.

options:
${rows([
  ['--user', 'a service of the current user (systemd --user, a LaunchAgent, a task at logon)'],
  NAME_ROW,
  ['--log FILE', 'its stdout (default: the service manager\'s: journal, none, …)'],
  ['--cwd DIR', 'its working directory (default: this one)'],
  ['--env NAME=VALUE', 'add to its environment (repeatable)'],
  ...settingRows(SERVICE_SETTING_FLAGS, serviceDefaults),
  ['--dry-run', 'print the file and the commands instead'],
  ['--force', 'replace a different file of the same name'],
  ['--backend B', 'systemd, launchd or windows (default: the one running this machine)'],
  ['--root DIR', 'write under DIR (preparing an image)'],
])}
`;
}

/** The row of `install`. */
export const INSTALL = defineVerb<InstallRequest>({
  name: 'install',
  parse: parseInstall,
  run: install,
  help: () => installHelp({ ...loadBundle('service').SERVICE_DEFAULTS, waitReady: 0 }),
  synopsis: [
    ['install [--user] [--name NAME] [options] -- <command> [args…]', 'install it as an OS service (systemd, launchd, Windows)'],
    ['install FILE [--only a,b] [--user]', 'one OS service per app of a fleet file'],
  ],
});

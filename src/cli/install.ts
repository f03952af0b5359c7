/**
 * `xdaemon install [--user] [--now] [--name NAME] [options] -- <command> [args…]`: the command as
 * an OS service (systemd, launchd, a Windows scheduled task) through the `xdaemon/service`
 * bundle's `Service`, enabled at boot (or login), started with --now. `--dry-run` prints what
 * would be written and run; `--force` replaces a different file of the same name. The service
 * manager supervises: of the settings, only those it has (the settings table's `service` rows)
 * are flags here. The mapping is src/fleet/service-spec.ts's; this module reads and prints.
 */
import { loadBundle } from '../bundles.js';
import { shortMessageOf } from '../errors.js';
import { SERVICE_SETTING_NAMES } from '../settings/derived.js';
import type { ServiceSettingName } from '../settings/types.js';
import { serviceOptionsOf } from '../fleet/service-spec.js';
import { type ParsedLine, SETTING_FLAGS, boolFlag, listFlag, parseEnv, readLine, settingsOf, textFlag } from './flags.js';
import type { Io } from './io.js';
import { LAUNCH_FLAGS, commandOf } from './launch.js';
import { checkPlainName } from '../fleet/names.js';
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
  /** Start it too (restart it when it ran and the install changed it), as `systemctl enable --now`. */
  now: boolean;
  cwd: string | undefined;
  log: string | undefined;
  env: Record<string, string>;
  /** The settings a service manager has, as given (by library name). */
  settings: Partial<Record<ServiceSettingName, unknown>>;
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
  now: { type: 'boolean' },
  backend: { type: 'string' },
  root: { type: 'string' },
} as const;

/** Reads `install`'s arguments. Pure. */
export function parseInstall(args: readonly string[]): InstallRequest | HelpRequest<'install'> {
  const line = readLine('install', args, INSTALL_FLAGS);
  if (line.help) return { verb: 'help', topic: 'install' };
  const fleet = fleetRequestOf('install', line, ['user', 'dry-run', 'force', 'now', 'backend', 'root']);
  refuseUnsupported(line);
  const s = settingsOf(line, SERVICE_SETTING_FLAGS);
  const name = textFlag(line, 'name');
  if (name !== undefined) checkPlainName(name, 'an OS service');
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
    now: boolFlag(line, 'now'),
    cwd: textFlag(line, 'cwd'),
    log: textFlag(line, 'log'),
    env: fleet === undefined ? parseEnv(listFlag(line, 'env')) : fleet.env,
    settings: s as Partial<Record<ServiceSettingName, unknown>>,
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

/** Installs (or, with --dry-run, shows) the service. */
export async function install(request: InstallRequest, io: Io): Promise<number> {
  if (request.fleet !== undefined) {
    const { installFleet } = await import('./install-fleet.js');
    return installFleet(request, request.fleet, io);
  }
  const options = serviceOptionsOf(request, { user: request.user, backend: request.backend, root: request.root }, { cwd: process.cwd(), env: process.env });
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

/**
 * Installs `svc` (or with --dry-run prints its plan), a line saying what was done. A service that
 * runs keeps running what it was started with until it is restarted: the line says so, and with
 * --now it is restarted (else started).
 */
export async function installService(
  svc: InstanceType<ReturnType<typeof loadBundle<'service'>>['Service']>,
  request: Pick<InstallRequest, 'dryRun' | 'force' | 'now'>,
  io: Io,
  formatPlan: ReturnType<typeof loadBundle<'service'>>['formatPlan'],
): Promise<number> {
  if (request.dryRun) {
    io.out(formatPlan(await svc.plan()).trimEnd());
    return EXIT.ok;
  }
  // A manager that cannot be asked (an image prepared with --root) has nothing running to tell of.
  const before = await svc.serviceStatus().then((s) => s.state, () => 'not-installed' as const);
  const ran = before === 'running' || before === 'restarting';
  const result = await svc.install({ force: request.force });
  const kind = `${result.backend}${result.userService ? ', user service' : ''}`;
  let state: string;
  if (request.now) {
    await (ran && result.changed ? svc.restart() : svc.start());
    const now = await svc.serviceStatus();
    state = `${ran && result.changed ? 'restarted' : ran ? 'running' : 'started'}: ${now.state}`;
  } else if (ran) {
    state = result.changed ? `it runs what it was started with until restarted: xdaemon restart ${svc.name}` : 'running';
  } else state = 'not started';
  io.out(
    result.changed
      ? `installed ${svc.name}: ${result.path} (${kind}; enabled, ${state})`
      : `${svc.name} is already installed: ${result.path} (${kind}; unchanged, ${state})`,
  );
  for (const warning of result.warnings) io.err(`warning: ${warning}`);
  return EXIT.ok;
}

/** How a setting reads for a service, where the table's words are those of a supervised worker. */
const SERVICE_DOCS: Readonly<Partial<Record<string, string>>> = {
  waitReady: 'ms the program has to say it is ready (systemd Type=notify): ready() in Node, systemd-notify --ready in a shell; 0: do not wait',
  killTimeout: 'ms between SIGTERM to every process of the service and SIGKILL',
  restartDelay: 'ms the service manager waits before each restart',
  errFile: 'file for its stderr; none: where its stdout goes',
  listen: 'address systemd holds for it in a socket unit (PORT, HOST:PORT, [V6]:PORT, unix:PATH; NAME=ADDR): the program gets it as a descriptor (listenHandle(NAME)); repeatable',
};

/** The help of `install`, with the service's own defaults (its restart delay is not the library's). */
export function installHelp(serviceDefaults: Readonly<Record<string, unknown>>): string {
  return `usage: xdaemon install [--user] [--name NAME] [options] -- <command> [args…]

Installs <command> as an OS service: a systemd unit, a launchd plist or a Windows scheduled task
(which runs xdaemon run). Enabled at boot (login, with --user), not started unless --now. The same
file again is left alone; a different one is refused unless --force. Then xdaemon start, stop,
restart, status and logs NAME reach it (when no daemon is named NAME).

options:
${rows([
  ['--user', 'a service of the current user (systemd --user, a LaunchAgent, a task at logon)'],
  NAME_ROW,
  ['--log FILE', 'its stdout (default: the service manager\'s: journal, none, …)'],
  ['--cwd DIR', 'its working directory (default: this one)'],
  ['--env NAME=VALUE', 'add to its environment (repeatable)'],
  ...settingRows(SERVICE_SETTING_FLAGS.map((f) => ({ ...f, doc: SERVICE_DOCS[f.setting] ?? f.doc })), serviceDefaults),
  ['--dry-run', 'print the file and the commands instead'],
  ['--force', 'replace a different file of the same name'],
  ['--now', 'start it too (restart it when it runs and the file changed), as systemctl enable --now'],
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
    ['install [--user] [--now] [--name NAME] [options] -- <command> [args…]', 'install it as an OS service (systemd, launchd, Windows)'],
    ['install FILE [--only a,b] [--user]', 'one OS service per app of a fleet file'],
  ],
});

/**
 * `Service`: one program installed as an OS service (systemd, launchd, a Windows task) and driven
 * from its own command line, as the seed's Config.Run does: install, uninstall, start, stop,
 * restart, status, and run/debug on the program side. The manager is detected once, on the first
 * call that needs it, so a program that only runs (`run`, `debug`) works on any machine.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { XDaemonError, messageOf } from '../errors.js';
import { type Backend, type BackendTarget, type Command, type InstallResult, type ServicePlan, type ServiceState, type ServiceOutput, type ServiceStatus, type UninstallOptions, type UninstallResult } from './backends/backend.js';
import { launchdBackend } from './backends/launchd.js';
import { systemdBackend } from './backends/systemd.js';
import { windowsBackend } from './backends/windows.js';
import { detectBackend } from './detect.js';
import { execCommand } from './exec.js';
import { type HostFacts, currentHost, underRoot } from './host.js';
import { type BackendName, type ServiceConfig, type ServiceOptions, checkServiceOptions, isBareCommand, resolveServiceConfig } from './options.js';
import { type ServiceHooks, checkHooks, runService } from './runner.js';

/** Options of {@link Service.handle}. */
export interface HandleOptions {
  /** `install` replaces a different file already installed under the same name. */
  force?: boolean;
}

/** The verbs {@link Service.handle} understands. */
export const SERVICE_VERBS = ['install', 'uninstall', 'remove', 'start', 'stop', 'restart', 'status', 'debug', 'run'] as const;

/**
 * A program as an OS service.
 *
 * @example
 * ```ts
 * const svc = new Service({ name: 'my-service', description: 'My Service provides support for…' });
 * await svc.handle(process.argv[2], {
 *   start: () => server.listen(8080),
 *   stop: () => new Promise((done) => server.close(done)),
 * });
 * ```
 */
export class Service {
  /** The service's name. */
  readonly name: string;
  /** The options it was created with (a copy). */
  readonly options: Readonly<ServiceOptions>;
  readonly #host: HostFacts;
  #backend: Backend | undefined;

  /**
   * Validates the options; nothing is detected or resolved yet.
   *
   * @throws TypeError/RangeError naming the option and the value.
   */
  constructor(options: ServiceOptions) {
    checkServiceOptions(options);
    this.options = Object.freeze({ ...options });
    this.name = options.name;
    this.#host = currentHost();
  }

  /** The title used in messages: `displayName`, or the name. */
  get displayName(): string {
    return this.options.displayName ?? this.name;
  }

  /**
   * The service manager: the `backend` option, or the one detected on this machine.
   *
   * @throws XDaemonError naming what was looked for when none is found.
   */
  get backend(): BackendName {
    return this.#manager().name;
  }

  /** The service file (under the `root` prefix), installed or not. @throws like {@link Service.backend}. */
  get path(): string {
    return this.#manager().path;
  }

  /**
   * What {@link Service.install} would write and run, without doing either: the file's path and
   * content, the commands, and warnings. For `--dry-run`.
   */
  async plan(): Promise<ServicePlan> {
    return this.#manager().plan(this.#config());
  }

  /**
   * Writes the service file (atomically, mode 0o644) and registers it with the manager, enabled
   * at boot (or login) but not started. Idempotent: the same file again is left untouched (and the
   * registration commands run again); a different one is refused unless `force`.
   *
   * @throws XDaemonError when the file differs (code EEXIST), cannot be written, or a command fails.
   */
  async install(options: { force?: boolean } = {}): Promise<InstallResult> {
    return this.#manager().install(this.#config(), options.force === true);
  }

  /**
   * Stops and unregisters the service and removes its file (`stop: false`: without stopping it,
   * see {@link UninstallOptions}); `removed` is false when it was not installed.
   */
  async uninstall(options: UninstallOptions = {}): Promise<UninstallResult> {
    return this.#manager().uninstall(options);
  }

  /** Starts the service through its manager. @throws XDaemonError when not installed or the manager fails. */
  async start(): Promise<void> {
    await this.#manager().start();
  }

  /** Stops the service through its manager (for launchd: unloads it until the next start or boot). */
  async stop(): Promise<void> {
    await this.#manager().stop();
  }

  /** Restarts the service (starts it when it is not running). */
  async restart(): Promise<void> {
    await this.#manager().restart();
  }

  /** The service's state: `running`, `restarting`, `failed`, `stopped` or `not-installed`. */
  async status(): Promise<ServiceState> {
    return (await this.serviceStatus()).state;
  }

  /** The state with the manager's own words, the main pid, the file and warnings (see {@link ServiceStatus}). */
  async serviceStatus(): Promise<ServiceStatus> {
    return this.#manager().status();
  }

  /**
   * Where the installed service's output goes, as its file says: its log files, the journal (with
   * the `journalctl` command that shows it), or nowhere a command can show (with the reason);
   * undefined when it is not installed.
   */
  output(): ServiceOutput | undefined {
    return this.#manager().output();
  }

  /**
   * The program side, as the service manager runs it: init and start hooks, `ready()` once start
   * resolved (which also notifies systemd under `Type=notify`), then wait for SIGTERM/SIGINT, run
   * the stop hook and exit 0 (1 when a hook fails). Never resolves.
   */
  run(hooks: ServiceHooks): Promise<never> {
    return runService(hooks, { name: this.name, debug: false });
  }

  /**
   * Dispatches a verb from the command line and prints what it did, as the seed's Config.Run:
   * `install`, `uninstall` (or `remove`), `start`, `stop`, `restart`, `status`, `debug` (run in
   * the foreground until Enter) and `run` (also when `verb` is undefined). Failures are printed on
   * stderr and set `process.exitCode` (1; `status` sets 3 when neither running nor restarting, as LSB scripts do; an
   * unknown verb prints the usage and sets 2). `run` and `debug` need the hooks and never return.
   */
  async handle(verb: string | undefined, hooks?: ServiceHooks, options: HandleOptions = {}): Promise<void> {
    const title = `Service ${JSON.stringify(this.displayName)}`;
    const out = (line: string): void => void process.stdout.write(`${line}\n`);
    const warn = (warnings: readonly string[]): void => {
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    };
    try {
      switch (verb) {
        case undefined:
        case 'run':
        case 'debug':
          checkHooks(hooks);
          return await runService(hooks, { name: this.name, debug: verb === 'debug' });
        case 'install': {
          const r = await this.install({ force: options.force === true });
          out(r.changed ? `${title} installed: ${r.path}` : `${title} is already installed: ${r.path} (unchanged)`);
          warn(r.warnings);
          return;
        }
        case 'uninstall':
        case 'remove': {
          const r = await this.uninstall();
          out(r.removed ? `${title} removed.` : `${title} is not installed.`);
          return;
        }
        case 'start':
        case 'stop':
        case 'restart':
          await this[verb]();
          out(`${title} ${verb === 'stop' ? 'stopped' : `${verb}ed`}.`);
          return;
        case 'status': {
          const s = await this.serviceStatus();
          out(`${title}: ${s.state} (${s.detail})`);
          warn(s.warnings);
          // Restarting: the manager supervises it (as xdaemon status counts a restarting daemon).
          if (s.state !== 'running' && s.state !== 'restarting') process.exitCode = 3;
          return;
        }
        default:
          process.stderr.write(`Options for ${JSON.stringify(this.displayName)}: (${SERVICE_VERBS.join(' | ')})\n`);
          process.exitCode = 2;
      }
    } catch (err) {
      process.stderr.write(`Failed to ${verb ?? 'run'}: ${messageOf(err)}\n`);
      process.exitCode = 1;
    }
  }

  /**
   * The installed service of that name, system-wide first, then the current user's; undefined
   * when neither exists. For commands that get only a name (`xdaemon status NAME`).
   */
  static async find(name: string, options: Pick<ServiceOptions, 'backend' | 'root' | 'exec'> = {}): Promise<Service | undefined> {
    for (const userService of [false, true]) {
      const svc = new Service({ ...options, name, userService });
      if (existsSync(svc.path)) return svc;
    }
    return undefined;
  }

  #manager(): Backend {
    if (this.#backend !== undefined) return this.#backend;
    const root = this.options.root ?? '/';
    const target: BackendTarget = {
      name: this.name,
      userService: this.options.userService ?? false,
      root,
      exec: this.options.exec ?? execCommand,
      host: this.#host,
    };
    const kind = this.options.backend ?? detectBackend({ platform: this.#host.platform, root, exists: existsSync });
    this.#backend = kind === 'systemd' ? systemdBackend(target) : kind === 'launchd' ? launchdBackend(target) : windowsBackend(target);
    return this.#backend;
  }

  /** The resolved configuration, the command looked up in PATH when it is a bare name. */
  #config(): ServiceConfig {
    const config = resolveServiceConfig(this.options);
    if (isBareCommand(config.command)) config.command = findInPath(config.command, this.options.root ?? '/', this.#host.platform);
    return config;
  }
}

/**
 * The absolute path of an executable named without a directory, from PATH (and PATHEXT on
 * Windows), checked under the root prefix.
 *
 * @throws XDaemonError when no directory in PATH holds it.
 */
export function findInPath(name: string, root: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv = process.env): string {
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : delimiter).filter(Boolean);
  const exts = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      const real = underRoot(root, candidate);
      try {
        if (!statSync(real).isFile()) continue;
        if (platform !== 'win32') accessSync(real, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  throw new XDaemonError(`service command ${JSON.stringify(name)} was not found in PATH; give its absolute path`, { code: 'ENOENT' });
}

/** A plan as text: the file, its content and the commands, as `--dry-run` shows them. */
export function formatPlan(plan: ServicePlan): string {
  const shown = (command: Command): string => command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
  return [
    `would write ${plan.path} (${plan.backend}${plan.userService ? ', user service' : ''}):`,
    plan.content.replace(/\r\n/g, '\n').trimEnd(),
    ...(plan.extraFiles ?? []).flatMap((f) => [`would write ${f.path}:`, f.content.trimEnd()]),
    'would run:',
    ...plan.commands.map((c) => `  ${shown(c)}`),
    ...plan.warnings.map((w) => `warning: ${w}`),
    '',
  ].join('\n');
}

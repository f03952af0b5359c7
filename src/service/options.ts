/**
 * Service options: what a `Service` and the pure renderers take, the defaults, validation with
 * errors that name the option and the value, and the resolution of everything that depends on the
 * running process (this program's command line, relative paths) into one `ServiceConfig`. No I/O:
 * looking a bare command up in PATH is the Service's job, at install.
 */
import { isAbsolute, resolve } from 'node:path';
import { XDaemonError, describe, optionError } from '../errors.js';
import { type ProcessFacts, currentFacts, programCommand } from '../launcher/program.js';
import { SERVICE_SETTING_NAMES } from '../settings/derived.js';
import { MAX_TIMER, SETTINGS } from '../settings/table.js';
import type { SettingValue } from '../settings/types.js';
import { type ListenAddress, parseAddresses } from '../socket/address.js';

/** When the service manager restarts the program (the values of the `restart` setting). */
export type RestartMode = SettingValue<'restart'>;

/** The service managers xdaemon installs into. */
export type BackendName = 'systemd' | 'launchd' | 'windows';

/** What a command run through {@link ExecFn} returned. */
export interface ExecResult {
  /** Exit code (non-zero for failure; a signal death counts as non-zero). */
  code: number;
  /** What it printed on stdout. */
  stdout: string;
  /** What it printed on stderr. */
  stderr: string;
}

/**
 * Runs a service manager's command (`systemctl`, `launchctl`, `schtasks`) and resolves with its
 * exit code and output; it rejects only when the command cannot be run at all. Tests pass their own
 * to record the commands and answer for the init system.
 */
export type ExecFn = (file: string, args: readonly string[]) => Promise<ExecResult>;

/**
 * Options of a {@link Service} and of the renderers. `undefined` always means "not set": the
 * default applies.
 */
export interface ServiceOptions {
  /**
   * The service's name: unit `NAME.service`, launchd label and plist `NAME.plist`, task `NAME`.
   * 1–100 letters, digits, `.`, `_`, `-` and one `@` (not first or last); not starting with `.`.
   */
  name: string;
  /** A human-readable title (default: `name`); shown in messages and in the task's description. */
  displayName?: string;
  /** One line describing the service: systemd's `Description=` (default: displayName, then name). */
  description?: string;
  /**
   * The executable to run (default: this program: `process.execPath`, its Node flags and the
   * absolute path of its main script). A bare name is looked up in PATH at install; a relative
   * path is resolved against the current directory.
   */
  command?: string;
  /** Arguments after the command (after the script when `command` is not set). Default none. */
  args?: readonly string[];
  /** Working directory of the service (default: the current directory, made absolute). */
  workingDirectory?: string;
  /** Environment variables for the service; names are letters, digits and `_`, not starting with a digit. */
  env?: Readonly<Record<string, string>>;
  /** Run a system service as this user (systemd `User=`, launchd `UserName`). Not with `userService`. */
  user?: string;
  /** File the service's stdout is appended to (default: the manager's own: journal, none, …). */
  logFile?: string;
  /** File the service's stderr is appended to (default: `logFile`). */
  errFile?: string;
  /** `always` (default), `on-failure` (after a non-zero exit or a signal) or `never`. */
  restart?: RestartMode;
  /**
   * Files of `NAME=value` lines the service manager reads into the program's environment at every
   * start (systemd `EnvironmentFile=`); relative paths against the current directory. Their values
   * are never written into the unit. Default none.
   */
  envFile?: readonly string[];
  /**
   * Milliseconds before a restart (default 1000). Not systemd's 100 ms: with its default start
   * limit (5 starts in 10 s) a crash loop at 100 ms gives up within half a second, before a passing
   * cause (a port still held, the network not up yet) can clear; and launchd counts whole seconds.
   * One second behaves the same under all three managers. A whole number.
   */
  restartDelay?: number;
  /** Milliseconds between the stop signal and SIGKILL (default 5000). A whole number. */
  killTimeout?: number;
  /**
   * Install for the current user instead of the whole system: systemd `--user`
   * (`~/.config/systemd/user`), a LaunchAgent, a task started at the user's logon. Default false.
   */
  userService?: boolean;
  /**
   * Wait until the program calls `ready()` before the service counts as started: `true` (up to
   * 90 s) or a number of milliseconds. Under systemd this is `Type=notify`. Default false.
   */
  waitReady?: number | boolean;
  /**
   * Run the command once at boot (login) instead of keeping it running (default false): systemd
   * `Type=oneshot` with `RemainAfterExit=yes` (active once the command has succeeded, so that a
   * stop runs `stopArgs`); launchd and Windows run it at load or logon without restarting it.
   * For a command that starts detached daemons (`xdaemon resurrect`). Not with `restart` other
   * than `never`, nor `waitReady`.
   */
  oneshot?: boolean;
  /**
   * Arguments for the command at stop, at shutdown or logout (systemd `ExecStop=`), for a `oneshot`
   * service (`['stop', '--all']`). launchd and Windows have no stop command: they signal the
   * processes, and the plan warns so.
   */
  stopArgs?: readonly string[];
  /**
   * Addresses the service manager listens on for the program (systemd: a `NAME.socket` unit beside
   * the service, whose sockets the program gets as descriptors 3, 4, … with `LISTEN_FDS`: use
   * `listenHandle()`). The forms of the `listen` setting; systemd only. Default none.
   */
  listen?: readonly string[];
  /** The service manager (default: the one detected on this machine). */
  backend?: BackendName;
  /**
   * Prefix for every file the service writes or reads (default `/`); home-relative paths go under
   * it too. For tests and for preparing an image; commands are still run through `exec`.
   */
  root?: string;
  /** Runs the manager's commands (default: the real `systemctl`, `launchctl` or `schtasks`). */
  exec?: ExecFn;
}

/** Everything a renderer needs, resolved: absolute paths, defaults applied. */
export interface ServiceConfig {
  name: string;
  displayName: string;
  description: string;
  command: string;
  args: string[];
  workingDirectory: string;
  env: Record<string, string>;
  user: string | undefined;
  logFile: string | undefined;
  errFile: string | undefined;
  /** Environment files, absolute (none: empty). */
  envFile: string[];
  restart: RestartMode;
  restartDelay: number;
  killTimeout: number;
  userService: boolean;
  /** Milliseconds to wait for readiness; 0 when off. */
  waitReady: number;
  oneshot: boolean;
  /** Empty: no stop command. */
  stopArgs: string[];
  /** Addresses of the socket unit (none: no socket unit). */
  listen: ListenAddress[];
}

/** Defaults of the settings. */
export const SERVICE_DEFAULTS = Object.freeze({
  restart: 'always' as RestartMode,
  restartDelay: 1000,
  killTimeout: 5000,
  userService: false,
  waitReady: false as number | boolean,
});

/** What `waitReady: true` waits, in ms: systemd's default start timeout. */
export const DEFAULT_WAIT_READY = 90_000;

/** The settings table's rows marked `service` (a new one must become an option above: else this fails to compile). */
const SETTING_KEYS: readonly (keyof ServiceOptions)[] = SERVICE_SETTING_NAMES;

/** The options: the service's own, then the settings a service manager has. */
const OPTION_KEYS: readonly (keyof ServiceOptions)[] = [
  'name', 'displayName', 'description', 'command', 'args', 'workingDirectory', 'env', 'user', 'logFile',
  'userService', 'oneshot', 'stopArgs', 'backend', 'root', 'exec', ...SETTING_KEYS,
];

const RESTART_MODES: readonly RestartMode[] = SETTINGS.restart.kind.values;
const BACKENDS: readonly BackendName[] = ['systemd', 'launchd', 'windows'];
/** A letter-or-digit-led service name a unit file, a launchd label and a task can all hold. */
const NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9._@-]{0,99}$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** C0 and C1 control characters and DEL. */
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
const WINDOWS_ABSOLUTE_RE = /^([A-Za-z]:[\\/]|\\\\)/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A TypeError or RangeError refusing service option `key` for `reason` (`subject`: how the message names it). */
const bad = <E extends TypeError | RangeError>(Kind: new (message: string) => E, key: string, reason: string, subject = `service option ${key}`): E =>
  optionError(Kind, `${subject} ${reason}`, { option: key, reason });

const fail = (key: string, must: string, value: unknown): TypeError => bad(TypeError, key, `must be ${must}, got ${describe(value)}`);

/** Throws unless `text` can be written out as UTF-8 and passed to a process (no NUL, no lone surrogate). */
function checkText(key: string, value: unknown, what = 'a string'): asserts value is string {
  if (typeof value !== 'string') throw fail(key, what, value);
  if (value.includes('\0')) throw bad(RangeError, key, `must not contain a NUL character, got ${describe(value)}`);
  if (LONE_SURROGATE_RE.test(value)) throw bad(RangeError, key, `must be valid Unicode (it has a lone surrogate), got ${describe(value)}`);
}

function checkNonEmpty(key: string, value: unknown): asserts value is string {
  checkText(key, value, 'a non-empty string');
  if (value === '') throw fail(key, 'a non-empty string', value);
}

function checkOneLine(key: string, value: unknown): asserts value is string {
  checkText(key, value);
  if (CONTROL_RE.test(value)) throw bad(RangeError, key, `must be one line without control characters, got ${describe(value)}`);
}

function checkMillis(key: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw fail(key, 'a number of milliseconds', value);
  if (!Number.isInteger(value) || value < 0 || value > MAX_TIMER) {
    throw bad(RangeError, key, `must be a whole number of milliseconds from 0 to ${MAX_TIMER}, got ${describe(value)}`);
  }
}

/**
 * Throws a TypeError or RangeError naming the first option that is wrong: an unknown key, a value
 * of the wrong type, a name a unit file cannot hold, a control character in a one-line text.
 */
export function checkServiceOptions(options: unknown): asserts options is ServiceOptions {
  checkOptions(options);
}

/** {@link checkServiceOptions}, returning the `listen` addresses it parsed (none: empty). */
function checkOptions(options: unknown): ListenAddress[] {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw bad(TypeError, 'options', `must be an object, got ${describe(options)}`, 'service options');
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      throw optionError(TypeError, `unknown service option ${JSON.stringify(key)} (known: ${OPTION_KEYS.join(', ')})`, { option: key, reason: 'is not a service option' });
    }
  }
  checkServiceName(o.name);
  const set = (key: string): boolean => o[key] !== undefined;
  if (set('displayName')) checkOneLine('displayName', o.displayName);
  if (set('description')) checkOneLine('description', o.description);
  if (set('command')) checkNonEmpty('command', o.command);
  if (set('args')) {
    if (!Array.isArray(o.args)) throw fail('args', 'an array of strings', o.args);
    o.args.forEach((arg: unknown, i: number) => checkText(`args[${i}]`, arg));
  }
  for (const key of ['workingDirectory', 'logFile', 'errFile', 'root'] as const) if (set(key)) checkNonEmpty(key, o[key]);
  if (set('root') && !isAbsolute(o.root as string)) throw fail('root', 'an absolute path', o.root);
  if (set('env')) {
    const env = o.env;
    if (typeof env !== 'object' || env === null || Array.isArray(env)) throw fail('env', 'an object of strings', env);
    for (const [name, value] of Object.entries(env)) {
      if (!ENV_NAME_RE.test(name)) {
        throw bad(RangeError, 'env', `has a name that is not letters, digits and _ (not starting with a digit): ${JSON.stringify(name)}`);
      }
      checkText(`env.${name}`, value);
    }
  }
  if (set('user')) {
    checkNonEmpty('user', o.user);
    checkOneLine('user', o.user);
    if (o.userService === true) {
      const reason = 'cannot be combined with userService: a user service runs as the user who installs it';
      throw optionError(TypeError, `service options user (${describe(o.user)}) and userService cannot be combined: a user service runs as the user who installs it`, { option: 'user', reason });
    }
  }
  if (set('envFile')) {
    if (!Array.isArray(o.envFile)) throw fail('envFile', 'an array of file names', o.envFile);
    o.envFile.forEach((file: unknown, i: number) => checkNonEmpty(`envFile[${i}]`, file));
  }
  if (set('restart') && !RESTART_MODES.includes(o.restart as RestartMode)) {
    throw fail('restart', `one of ${RESTART_MODES.map((m) => `"${m}"`).join(', ')}`, o.restart);
  }
  if (set('restartDelay')) checkMillis('restartDelay', o.restartDelay);
  if (set('killTimeout')) checkMillis('killTimeout', o.killTimeout);
  if (set('userService') && typeof o.userService !== 'boolean') throw fail('userService', 'a boolean', o.userService);
  if (set('waitReady') && typeof o.waitReady !== 'boolean') checkMillis('waitReady', o.waitReady);
  if (set('oneshot') && typeof o.oneshot !== 'boolean') throw fail('oneshot', 'a boolean', o.oneshot);
  if (set('stopArgs')) {
    if (!Array.isArray(o.stopArgs)) throw fail('stopArgs', 'an array of strings', o.stopArgs);
    o.stopArgs.forEach((arg: unknown, i: number) => checkText(`stopArgs[${i}]`, arg));
    if (o.oneshot !== true) throw bad(TypeError, 'stopArgs', 'goes with oneshot: true (a service that keeps running is stopped by a signal)');
  }
  if (o.oneshot === true) {
    if (set('restart') && o.restart !== 'never') {
      throw bad(TypeError, 'restart', `must be "never" (or unset), got ${describe(o.restart)}`, 'service option oneshot runs the command once: restart');
    }
    if (set('waitReady') && o.waitReady !== false && o.waitReady !== 0) {
      throw bad(TypeError, 'waitReady', 'cannot be combined: a oneshot service is started when its command has ended', 'service options oneshot and waitReady');
    }
  }
  let listen: ListenAddress[] = [];
  if (set('listen')) {
    if (!Array.isArray(o.listen)) throw fail('listen', 'an array of addresses', o.listen);
    o.listen.forEach((a: unknown, i: number) => checkOneLine(`listen[${i}]`, a));
    listen = parseAddresses(o.listen as string[]);
    if (o.backend !== undefined && o.backend !== 'systemd') {
      throw bad(TypeError, 'listen', `needs systemd (a socket unit); ${String(o.backend)} cannot pass sockets to the program`);
    }
  }
  if (set('backend') && !BACKENDS.includes(o.backend as BackendName)) {
    throw fail('backend', `one of ${BACKENDS.map((b) => `"${b}"`).join(', ')}`, o.backend);
  }
  if (set('exec') && typeof o.exec !== 'function') throw fail('exec', 'a function', o.exec);
  return listen;
}

/**
 * Throws unless `name` can name a unit, a launchd job and a task alike: 1–100 characters of
 * letters, digits, `.`, `_`, `-`, at most one `@` (neither first nor last: systemd reads
 * `a@.service` as a template), not starting with `.`; never `/`, `\`, `..` or a NUL.
 */
export function checkServiceName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw fail('name', 'a string', name);
  const badName = (why: string): RangeError => bad(RangeError, 'name', why, `service name ${JSON.stringify(name)}`);
  if (name.length === 0 || name.length > 100) throw badName('must be 1 to 100 characters long');
  if (name.includes('..')) throw badName('must not contain ".."');
  if (!NAME_RE.test(name)) {
    throw badName('may hold only letters, digits, ".", "_", "-" and "@", and must not start with "." or "@"');
  }
  const at = name.split('@').length - 1;
  if (at > 1 || name.endsWith('@')) throw badName('may hold one "@", not at its end (systemd reads that as a template)');
}

/** The facts a configuration is resolved against: the process (for "this program") and the current directory. */
export interface ResolveFacts {
  /** The running program (for the default command). */
  process: ProcessFacts;
  /** The directory relative paths are resolved against. */
  cwd: string;
}

/** The current process's facts. */
export function currentResolveFacts(): ResolveFacts {
  return { process: currentFacts(), cwd: process.cwd() };
}

/**
 * Applies the defaults and resolves the options into a {@link ServiceConfig}: relative paths
 * against `facts.cwd`, an unset command to this program. A bare command name is kept as it is
 * (see {@link isBareCommand}). Validates first; throws like {@link checkServiceOptions}, or an
 * XDaemonError when this program cannot be started again (`node -e`, a REPL).
 */
export function resolveServiceConfig(options: ServiceOptions, facts: ResolveFacts = currentResolveFacts()): ServiceConfig {
  const listen = checkOptions(options);
  // A Windows path (C:\x, \\server\share) is absolute wherever the options are resolved.
  const abs = (path: string): string => (WINDOWS_ABSOLUTE_RE.test(path) ? path : resolve(facts.cwd, path));
  const extra = [...(options.args ?? [])];
  let command: string;
  let args: string[];
  if (options.command === undefined) {
    const program = thisProgram(facts.process, facts.cwd);
    command = program.command;
    args = [...program.args, ...extra];
  } else {
    command = isBareCommand(options.command) ? options.command : abs(options.command);
    args = extra;
  }
  const waitReady = options.waitReady ?? SERVICE_DEFAULTS.waitReady;
  const displayName = options.displayName ?? options.name;
  return {
    name: options.name,
    displayName,
    description: options.description ?? displayName,
    command,
    args,
    workingDirectory: abs(options.workingDirectory ?? facts.cwd),
    env: { ...(options.env ?? {}) },
    user: options.user,
    logFile: options.logFile === undefined ? undefined : abs(options.logFile),
    errFile: options.errFile === undefined ? undefined : abs(options.errFile),
    envFile: (options.envFile ?? []).map(abs),
    restart: options.oneshot === true ? 'never' : options.restart ?? SERVICE_DEFAULTS.restart,
    restartDelay: options.restartDelay ?? SERVICE_DEFAULTS.restartDelay,
    killTimeout: options.killTimeout ?? SERVICE_DEFAULTS.killTimeout,
    userService: options.userService ?? SERVICE_DEFAULTS.userService,
    waitReady: waitReady === true ? DEFAULT_WAIT_READY : waitReady === false ? 0 : waitReady,
    oneshot: options.oneshot === true,
    stopArgs: [...(options.stopArgs ?? [])],
    listen,
  };
}

/** True for a command given as a bare name (`node`), which is looked up in PATH at install. */
export function isBareCommand(command: string): boolean {
  return !command.includes('/') && !command.includes('\\');
}

/** The command line that starts this program as a service: node, its flags, the script made absolute. */
function thisProgram(facts: ProcessFacts, cwd: string): { command: string; args: string[] } {
  // programCommand refuses `node -e`, a REPL and stdin scripts, and drops debugger flags.
  const program = programCommand({ ...facts, argv: facts.argv.slice(0, 2) });
  if (facts.isSea) return { command: program.file, args: [] };
  const script = program.args[program.args.length - 1] as string;
  return { command: program.file, args: [...program.args.slice(0, -1), resolve(cwd, script)] };
}

/** Throws an XDaemonError unless the resolved command is an absolute path (what every unit format needs). */
export function requireAbsoluteCommand(config: ServiceConfig): void {
  if (!isAbsolute(config.command) && !WINDOWS_ABSOLUTE_RE.test(config.command)) {
    throw new XDaemonError(
      `service command ${JSON.stringify(config.command)} is not an absolute path; give one (Service#install looks a bare name up in PATH)`,
    );
  }
}

/** A user name a Unix service manager accepts: letters, digits, `_`, `.`, `-` (a trailing `$` for Samba machine accounts), or a numeric uid. */
const POSIX_USER_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,255}\$?$/;

/** Throws an XDaemonError unless `user` is a name `manager` can switch to. */
export function checkPosixUser(user: string, manager: string): void {
  if (!POSIX_USER_RE.test(user)) {
    throw new XDaemonError(`service option user ${JSON.stringify(user)} is not a user name ${manager} accepts (letters, digits, "_", ".", "-")`);
  }
}

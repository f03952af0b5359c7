/**
 * The one interface the three service managers are driven through, the results they return, and
 * the steps they share: writing the service file atomically and idempotently, running a manager's
 * command and failing clearly when it fails, warning about a recorded executable that is gone.
 */
import { closeSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { XDaemonError, errorCode, messageOf } from '../../errors.js';
import type { HostFacts } from '../host.js';
import { underRoot } from '../host.js';
import type { BackendName, ExecFn, ExecResult, ServiceConfig } from '../options.js';

/**
 * What a service is doing: `running`; `restarting` (the manager is bringing it up: systemd
 * `activating`, launchd `spawn scheduled`); `failed` (it exited with an error or hit a start limit
 * and the manager gave up); `stopped`; `not-installed` (no service file).
 */
export type ServiceState = 'running' | 'restarting' | 'failed' | 'stopped' | 'not-installed';

/** A service's state with the manager's own words and anything the user should know. */
export interface ServiceStatus {
  /** The service's name. */
  name: string;
  /** The manager asked. */
  backend: BackendName;
  /** What the service is doing (see {@link ServiceState}). */
  state: ServiceState;
  /** The manager's own words (`active/running`, `state = spawn scheduled; last exit code = 1`, …). */
  detail: string;
  /** The main process, when the manager names one. */
  pid: number | undefined;
  /**
   * How many times the manager restarted it since it was last started on request (systemd
   * `NRestarts`); undefined where the manager does not count (launchd, Windows).
   */
  restarts?: number | undefined;
  /** The service file (under the root prefix). */
  path: string;
  /** Problems found on the way: the recorded node binary is gone, lingering is off, … */
  warnings: string[];
}

/** A command a backend runs: the executable and its arguments. */
export type Command = readonly [string, ...string[]];

/** What install writes and runs; `Service#plan()` returns it without doing anything. */
export interface ServicePlan {
  /** The manager the file is for. */
  backend: BackendName;
  /** The service's name. */
  name: string;
  /** True for a user service (systemd --user, a LaunchAgent, a task at the user's logon). */
  userService: boolean;
  /** The service file (under the root prefix). */
  path: string;
  /** Its content. */
  content: string;
  /** Files written beside it (systemd: the `NAME.socket` unit), each with its content. */
  extraFiles?: { path: string; content: string }[];
  /** The commands install runs after writing it, in order. */
  commands: Command[];
  /** What the user should know before relying on it (lingering off, waitReady ignored, …). */
  warnings: string[];
}

/**
 * Throws unless the service can have its `listen` addresses: only systemd passes sockets to a
 * program (a socket unit); launchd's socket activation is not supported, and Node cannot pass a
 * socket to a child on Windows.
 */
export function refuseListen(config: { listen: readonly unknown[] }, backend: BackendName): void {
  if (config.listen.length === 0) return;
  const why = backend === 'windows' ? 'Node cannot pass a listening socket to a child process on Windows' : "launchd's socket activation is not supported";
  throw new XDaemonError(`listen is not supported by the ${backend} backend: ${why} (systemd only)`, { code: 'ENOTSUP' });
}

/** What install did. */
export interface InstallResult extends ServicePlan {
  /** False when the same file was already installed (it was left as it was). */
  changed: boolean;
}

/** Options of an uninstall. */
export interface UninstallOptions {
  /**
   * `false`: unregister and remove the service without stopping it, so that what it started runs
   * on (`xdaemon unstartup`: stopping the startup service would run its `stop --all`). systemd
   * only: launchd and the Task Scheduler run no stop command, and a oneshot's detached processes
   * are not theirs to end. Default true.
   */
  stop?: boolean;
}

/** What uninstall did. */
export interface UninstallResult {
  /** The service file (under the root prefix). */
  path: string;
  /** False when there was nothing to remove (no commands were run). */
  removed: boolean;
  /** The commands it ran, in order. */
  commands: Command[];
}

/** Who a backend acts for: everything but the program's command line. */
export interface BackendTarget {
  /** The service's name. */
  name: string;
  /** A user service rather than a system one. */
  userService: boolean;
  /** Prefix of every file written or read. */
  root: string;
  /** Runs the manager's commands. */
  exec: ExecFn;
  /** The machine and user. */
  host: HostFacts;
}

/** A service manager. */
export interface Backend {
  readonly name: BackendName;
  /** The service file (under the root prefix). */
  readonly path: string;
  /** What install would write and run, and its warnings. */
  plan(config: ServiceConfig): ServicePlan;
  install(config: ServiceConfig, force: boolean): Promise<InstallResult>;
  uninstall(options?: UninstallOptions): Promise<UninstallResult>;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  status(): Promise<ServiceStatus>;
  /** Where the installed service's output goes, as its file says (undefined: not installed). */
  output(): ServiceOutput | undefined;
}

/**
 * Where a service's output goes: its files (`out`: stdout; `err`: stderr, when it has its own), or
 * the manager's log (`journal`: the systemd journal, which `journalctl` reads), or nowhere a
 * command can show (`none`, with the reason).
 */
export type ServiceOutput =
  | { kind: 'files'; out: string; err: string | undefined }
  | { kind: 'journal'; command: Command }
  | { kind: 'none'; reason: string };

/** How a service file is stored. */
export type FileEncoding = 'utf8' | 'utf16le';

/** The text of an installed service file, or undefined when there is none. */
export function readServiceFile(path: string, encoding: FileEncoding): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new XDaemonError(`cannot read ${path}: ${messageOf(err)}`, { cause: err, code: errorCode(err) });
  }
  if (encoding === 'utf8') return bytes.toString('utf8');
  const text = bytes.toString('utf16le');
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}

/**
 * The install every backend shares: write the planned file (unless the same is there), then run
 * its commands in order with `run` (which decides what failure of a command means).
 */
export async function installPlan(plan: ServicePlan, encoding: FileEncoding, force: boolean, run: (command: Command) => Promise<unknown>): Promise<InstallResult> {
  let changed = writeServiceFile(plan.path, plan.content, encoding, force);
  for (const extra of plan.extraFiles ?? []) changed = writeServiceFile(extra.path, extra.content, encoding, force) || changed;
  for (const command of plan.commands) await run(command);
  return { ...plan, changed };
}

/**
 * Writes the service file unless the same content is already there: atomically (a temporary file
 * beside it, fsync, rename), mode 0o644 whatever the umask. A different file is replaced only with
 * `force`. Returns whether it wrote.
 *
 * @throws XDaemonError (code EEXIST) when a different file is there and `force` is false.
 */
export function writeServiceFile(path: string, content: string, encoding: FileEncoding, force: boolean): boolean {
  const existing = readServiceFile(path, encoding);
  if (existing === content) return false;
  if (existing !== undefined && !force) {
    throw new XDaemonError(`${path} exists with different content (another service, or an older install); pass force to replace it`, {
      code: 'EEXIST',
    });
  }
  const bytes = encoding === 'utf8' ? Buffer.from(content, 'utf8') : Buffer.from(`\ufeff${content}`, 'utf16le');
  const tmp = `${path}.xdaemon-${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    const fd = openSync(tmp, 'w', 0o644);
    try {
      fchmodSync(fd, 0o644);
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new XDaemonError(`cannot write ${path}: ${messageOf(err)}`, { cause: err, code: errorCode(err) });
  }
  return true;
}

/** Removes a service file; false when it was not there. */
export function removeServiceFile(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    rmSync(path);
  } catch (err) {
    throw new XDaemonError(`cannot remove ${path}: ${messageOf(err)}`, { cause: err, code: errorCode(err) });
  }
  return true;
}

/** Runs a command and returns its output. @throws XDaemonError naming the command when it fails. */
export async function runCommand(exec: ExecFn, command: Command): Promise<string> {
  const [file, ...args] = command;
  const result = await exec(file, args);
  if (result.code !== 0) throw commandFailed(command, result);
  return result.stdout;
}

/** The error for a command that exited non-zero, with the first lines it said. */
export function commandFailed(command: Command, result: ExecResult): XDaemonError {
  const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(0, 5).join('; ');
  return new XDaemonError(`${command.join(' ')} failed with exit code ${result.code}${said ? `: ${said}` : ''}`);
}

/** The error for a control call on a service that is not installed. */
export function notInstalled(name: string, path: string): XDaemonError {
  return new XDaemonError(`service ${JSON.stringify(name)} is not installed (no ${path})`, { code: 'ENOENT' });
}

/**
 * A warning when the executable a service file records is gone (a Node upgrade removed the
 * version it was installed with: pm2's startup scripts break silently that way).
 */
export function missingExecutableWarning(root: string, executable: string | undefined): string[] {
  if (executable === undefined || existsSync(underRoot(root, executable))) return [];
  return [`the recorded executable ${executable} no longer exists (was Node upgraded or moved?); install again with force`];
}

/**
 * A warning when the script a service file runs with its interpreter (`node /abs/cli.js …`: an
 * absolute `.js`, `.cjs` or `.mjs` file as its first argument) is gone: a package moved or removed.
 */
export function missingScriptWarning(root: string, script: string | undefined): string[] {
  if (script === undefined || !isAbsolute(script) || !/\.(c|m)?js$/.test(script) || existsSync(underRoot(root, script))) return [];
  return [`the recorded script ${script} no longer exists (was the package moved or removed?); install again with force`];
}

/** Refuses to write into a manager's directories on a machine that does not run it, unless a root prefix is given. */
export function checkPlatform(target: BackendTarget, backend: BackendName, platform: NodeJS.Platform, what: string): void {
  if (target.root === '/' && target.host.platform !== platform) {
    throw new XDaemonError(`the ${backend} backend installs only on ${what} (this is ${target.host.platform}); pass root to write its files elsewhere`, {
      code: 'ENOTSUP',
    });
  }
}

/**
 * launchd: the plist goes to /Library/LaunchDaemons (system, domain `system`) or
 * ~/Library/LaunchAgents (user, domain `gui/<uid>`). Control uses the domain commands of macOS
 * 10.10+ (bootstrap, bootout, kickstart, print); when launchctl does not know them (older macOS) it
 * falls back to load/unload/list.
 */
import { join } from 'node:path';
import type { ExecResult, ServiceConfig } from '../options.js';
import { underRoot } from '../host.js';
import { launchdPlist, plistExecutable, plistPath } from '../launchd-plist.js';
import {
  type Backend,
  type BackendTarget,
  type Command,
  type ServicePlan,
  type ServiceState,
  type ServiceStatus,
  checkPlatform,
  refuseListen,
  commandFailed,
  missingExecutableWarning,
  notInstalled,
  readServiceFile,
  removeServiceFile,
  runCommand,
  installPlan,
} from './backend.js';

/** What `launchctl print` (or `list` on old macOS) says about a job. */
type Probe = { kind: 'loaded'; output: string; legacy: boolean } | { kind: 'absent'; legacy: boolean };

/** launchctl answers a subcommand it does not know (macOS before 10.10) like this. */
const UNKNOWN_SUBCOMMAND = /unrecognized subcommand|unknown subcommand/i;
/** …and a job it does not have like this (exit 113 on current macOS). */
const NO_SUCH_JOB = /could not find service|no such process|not found/i;

/** The launchd backend for `target`. */
export function launchdBackend(target: BackendTarget): Backend {
  const dir = target.userService ? join(target.host.home, 'Library', 'LaunchAgents') : '/Library/LaunchDaemons';
  const path = underRoot(target.root, join(dir, `${target.name}.plist`));
  const domain = target.userService ? `gui/${target.host.uid}` : 'system';
  const job = `${domain}/${target.name}`;
  const installed = (): string | undefined => readServiceFile(path, 'utf8');
  const exec = (command: Command): Promise<ExecResult> => target.exec(command[0], command.slice(1));
  const run = (...args: string[]): Promise<string> => runCommand(target.exec, ['launchctl', ...args]);

  /** Asks launchd whether the job is loaded (modern `print`, or `list LABEL` when that is unknown). */
  const probe = async (): Promise<Probe> => {
    const print: Command = ['launchctl', 'print', job];
    const modern = await exec(print);
    const said = `${modern.stdout}\n${modern.stderr}`;
    if (modern.code === 0) return { kind: 'loaded', output: modern.stdout, legacy: false };
    if (!UNKNOWN_SUBCOMMAND.test(said)) {
      if (modern.code === 113 || NO_SUCH_JOB.test(said)) return { kind: 'absent', legacy: false };
      throw commandFailed(print, modern);
    }
    const legacy = await exec(['launchctl', 'list', target.name]);
    return legacy.code === 0 ? { kind: 'loaded', output: legacy.stdout, legacy: true } : { kind: 'absent', legacy: true };
  };
  const bootstrap = (legacy: boolean): Promise<string> => (legacy ? run('load', '-w', path) : run('bootstrap', domain, path));
  const bootout = (legacy: boolean): Promise<string> => (legacy ? run('unload', path) : run('bootout', job));
  const requireInstalled = (): void => {
    if (installed() === undefined) throw notInstalled(target.name, path);
  };

  const plan = (config: ServiceConfig): ServicePlan => {
    refuseListen(config, 'launchd');
    return {
      backend: 'launchd',
      name: target.name,
      userService: target.userService,
      path,
      content: launchdPlist(config),
      // Clears a `launchctl disable` left from before, so that the job loads at boot/login.
      commands: [['launchctl', 'enable', job]],
      warnings: [
        ...(config.waitReady > 0 ? ['launchd has no readiness protocol: waitReady is ignored'] : []),
        ...(config.stopArgs.length > 0 ? ['launchd runs no stop command: at shutdown or logout it signals the processes (SIGTERM), which a supervisor handles'] : []),
      ],
    };
  };

  return {
    name: 'launchd',
    path,
    plan,
    async install(config, force) {
      checkPlatform(target, 'launchd', 'darwin', 'macOS');
      // Old launchctl has no enable (nor the disabled list it clears): nothing to do there.
      return installPlan(plan(config), 'utf8', force, async (command) => {
        const result = await exec(command);
        if (result.code !== 0 && !UNKNOWN_SUBCOMMAND.test(`${result.stdout}\n${result.stderr}`)) throw commandFailed(command, result);
      });
    },
    async uninstall() {
      checkPlatform(target, 'launchd', 'darwin', 'macOS');
      if (installed() === undefined) return { path, removed: false, commands: [] };
      const p = await probe();
      const commands: Command[] = [p.legacy ? ['launchctl', 'list', target.name] : ['launchctl', 'print', job]];
      if (p.kind === 'loaded') {
        commands.push(p.legacy ? ['launchctl', 'unload', path] : ['launchctl', 'bootout', job]);
        await bootout(p.legacy);
      }
      removeServiceFile(path);
      return { path, removed: true, commands };
    },
    async start() {
      requireInstalled();
      const p = await probe();
      if (p.kind === 'absent') await bootstrap(p.legacy);
      else if (launchdState(p.output, p.legacy).state !== 'running') await (p.legacy ? run('start', target.name) : run('kickstart', job));
    },
    async stop() {
      requireInstalled();
      const p = await probe();
      // Unloading is what stops a KeepAlive job for good (a kill would be answered with a restart).
      if (p.kind === 'loaded') await bootout(p.legacy);
    },
    async restart() {
      requireInstalled();
      const p = await probe();
      if (p.kind === 'absent') await bootstrap(p.legacy);
      else if (p.legacy) {
        await bootout(true);
        await bootstrap(true);
      } else await run('kickstart', '-k', job);
    },
    output() {
      const content = installed();
      if (content === undefined) return undefined;
      const out = plistPath(content, 'StandardOutPath');
      const err = plistPath(content, 'StandardErrorPath');
      if (out === undefined) return { kind: 'none', reason: 'launchd discards the output of a job without StandardOutPath (install it again with --log FILE)' };
      return { kind: 'files', out, err: err === out ? undefined : err };
    },
    async status() {
      const content = installed();
      const base = { name: target.name, backend: 'launchd' as const, path };
      if (content === undefined) return { ...base, state: 'not-installed', detail: `no ${path}`, pid: undefined, warnings: [] };
      const p = await probe();
      const read = p.kind === 'absent' ? { state: 'stopped' as const, detail: 'not loaded', pid: undefined } : launchdState(p.output, p.legacy);
      return { ...base, ...read, warnings: missingExecutableWarning(target.root, plistExecutable(content)) } satisfies ServiceStatus;
    },
  };
}

/**
 * The state of a loaded job from `launchctl print` (or, `legacy`, `launchctl list LABEL`):
 * `state = running` is running; `spawn scheduled` (KeepAlive is about to start it again) is
 * restarting; otherwise a non-zero last exit code or a terminating signal is failed, and anything
 * else stopped.
 */
export function launchdState(output: string, legacy = false): { state: ServiceState; detail: string; pid: number | undefined } {
  const field = (re: RegExp): string | undefined => re.exec(output)?.[1]?.trim();
  if (legacy) {
    const pid = Number(field(/"PID"\s*=\s*(\d+)/));
    const status = Number(field(/"LastExitStatus"\s*=\s*(-?\d+)/) ?? 0);
    const detail = `PID ${Number.isInteger(pid) && pid > 0 ? pid : '-'}, LastExitStatus ${status}`;
    if (Number.isInteger(pid) && pid > 0) return { state: 'running', detail, pid };
    return { state: status !== 0 ? 'failed' : 'stopped', detail, pid: undefined };
  }
  const state = field(/^\s*state = (.+)$/m) ?? 'unknown';
  const pidNumber = Number(field(/^\s*pid = (\d+)$/m));
  const pid = Number.isInteger(pidNumber) && pidNumber > 0 ? pidNumber : undefined;
  const exit = field(/^\s*last exit code = (.+)$/m);
  const signal = field(/^\s*last terminating signal = (.+)$/m);
  const detail = [`state = ${state}`, exit !== undefined ? `last exit code = ${exit}` : '', signal !== undefined ? `last terminating signal = ${signal}` : '']
    .filter(Boolean)
    .join('; ');
  if (state === 'running') return { state: 'running', detail, pid };
  if (state === 'spawn scheduled') return { state: 'restarting', detail, pid: undefined };
  const code = exit === undefined ? 0 : Number.parseInt(exit, 10);
  const failed = (Number.isInteger(code) && code !== 0) || signal !== undefined;
  return { state: failed ? 'failed' : 'stopped', detail, pid: undefined };
}

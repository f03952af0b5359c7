/**
 * systemd: the unit goes to /etc/systemd/system (system) or ~/.config/systemd/user (user, driven
 * with `systemctl --user`); install writes it and runs daemon-reload and enable; uninstall runs
 * `disable --now`, removes it and reloads; status reads `systemctl show` and tells a unit waiting
 * to restart (`activating/auto-restart`) from a running one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ServiceConfig } from '../options.js';
import { underRoot } from '../host.js';
import { systemdSocketUnits, systemdUnit, unitAppendPath, unitExecWords, unitExecutable, unitSockets } from '../systemd-unit.js';
import {
  type Backend,
  type BackendTarget,
  type Command,
  type ServicePlan,
  type ServiceState,
  type ServiceStatus,
  checkPlatform,
  missingExecutableWarning,
  missingScriptWarning,
  notInstalled,
  readServiceFile,
  removeServiceFile,
  runCommand,
  installPlan,
} from './backend.js';

/** The properties status asks `systemctl show` for. */
export const SHOW_PROPERTIES = 'LoadState,ActiveState,SubState,Result,MainPID,NRestarts,NeedDaemonReload';

/** The systemd backend for `target`. */
export function systemdBackend(target: BackendTarget): Backend {
  const unit = `${target.name}.service`;
  const dir = target.userService ? join(target.host.xdgConfigHome ?? join(target.host.home, '.config'), 'systemd', 'user') : '/etc/systemd/system';
  const path = underRoot(target.root, join(dir, unit));
  const unitPath = (name: string): string => underRoot(target.root, join(dir, name));
  /** The socket units an installed unit takes its sockets from (an install before `Sockets=` had only NAME.socket). */
  const installedSockets = (content: string | undefined): string[] => {
    if (content === undefined) return [];
    const listed = unitSockets(content);
    if (listed.length > 0) return listed;
    return existsSync(unitPath(`${target.name}.socket`)) ? [`${target.name}.socket`] : [];
  };
  const systemctl = (...args: string[]): Command => ['systemctl', ...(target.userService ? ['--user'] : []), ...args];
  const installed = (): string | undefined => readServiceFile(path, 'utf8');
  const control = async (verb: string): Promise<void> => {
    if (installed() === undefined) throw notInstalled(target.name, path);
    await runCommand(target.exec, systemctl(verb, unit));
  };

  /** A user manager stops the user's services at logout and starts none at boot unless lingering is on. */
  const lingerWarnings = (): string[] => {
    if (!target.userService) return [];
    const user = target.host.username;
    if (existsSync(underRoot(target.root, `/var/lib/systemd/linger/${user}`))) return [];
    return [`lingering is off for ${user}: this user service stops at logout and does not start at boot (loginctl enable-linger ${user})`];
  };

  const plan = (config: ServiceConfig): ServicePlan => {
    const sockets = systemdSocketUnits(config);
    return {
      backend: 'systemd',
      name: target.name,
      userService: target.userService,
      path,
      content: systemdUnit(config),
      ...(sockets.length === 0 ? {} : { extraFiles: sockets.map((s) => ({ path: unitPath(s.unit), content: s.content })) }),
      commands: [systemctl('daemon-reload'), systemctl('enable', unit, ...sockets.map((s) => s.unit))],
      warnings: lingerWarnings(),
    };
  };

  return {
    name: 'systemd',
    path,
    plan,
    async install(config, force) {
      checkPlatform(target, 'systemd', 'linux', 'Linux');
      const next = plan(config);
      // Socket units of the unit being replaced that the new one no longer has: stopped and removed.
      const keep = new Set(next.extraFiles?.map((f) => f.path));
      const stale = installedSockets(installed()).filter((s) => !keep.has(unitPath(s)));
      // Both commands are idempotent; running them again finishes an install that failed half-way.
      const result = await installPlan(next, 'utf8', force, (command) => runCommand(target.exec, command));
      if (stale.length > 0) {
        await runCommand(target.exec, systemctl('disable', '--now', ...stale));
        for (const s of stale) removeServiceFile(unitPath(s));
        await runCommand(target.exec, systemctl('daemon-reload'));
      }
      return result;
    },
    async uninstall(options = {}) {
      checkPlatform(target, 'systemd', 'linux', 'Linux');
      const content = installed();
      if (content === undefined) return { path, removed: false, commands: [] };
      const sockets = installedSockets(content);
      // Without stopping, what the unit started runs on: disabled and forgotten, not stopped (its
      // ExecStop= would run, and KillMode=control-group would end what it left in its cgroup).
      const commands: Command[] = [systemctl('disable', ...(options.stop === false ? [] : ['--now']), unit, ...sockets), systemctl('daemon-reload')];
      await runCommand(target.exec, commands[0] as Command);
      removeServiceFile(path);
      for (const s of sockets) removeServiceFile(unitPath(s));
      await runCommand(target.exec, commands[1] as Command);
      return { path, removed: true, commands };
    },
    output() {
      const content = installed();
      if (content === undefined) return undefined;
      const out = unitAppendPath(content, 'StandardOutput');
      const err = unitAppendPath(content, 'StandardError');
      if (out !== undefined) return { kind: 'files', out, err };
      // Without journald (a container, a minimal system) systemd connects the output to /dev/null.
      if (!existsSync(underRoot(target.root, '/run/systemd/journal/stdout'))) {
        return { kind: 'none', reason: `it writes to the journal, and journald does not run here: its output is discarded (install it again with --log FILE)` };
      }
      return { kind: 'journal', command: ['journalctl', ...(target.userService ? ['--user'] : []), '-u', unit] };
    },
    start: () => control('start'),
    stop: () => control('stop'),
    restart: () => control('restart'),
    async status() {
      const content = installed();
      const base = { name: target.name, backend: 'systemd' as const, path };
      if (content === undefined) return { ...base, state: 'not-installed', detail: `no ${path}`, pid: undefined, warnings: [] };
      const output = await runCommand(target.exec, systemctl('show', '-p', SHOW_PROPERTIES, unit));
      const read = systemdState(parseShow(output));
      return {
        ...base,
        ...read,
        warnings: [...read.warnings, ...missingExecutableWarning(target.root, unitExecutable(content)), ...missingScriptWarning(target.root, unitExecWords(content)[1]), ...lingerWarnings()],
      } satisfies ServiceStatus;
    },
  };
}

/** `Key=Value` lines of `systemctl show` as a map. */
export function parseShow(output: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) props[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return props;
}

/**
 * The state of a unit from its `systemctl show` properties. `activating` (waiting to restart, or
 * to be ready) is `restarting`, never `running`: kardianos/service reports a crash-looping unit
 * as running.
 */
export function systemdState(p: Record<string, string>): { state: ServiceState; detail: string; pid: number | undefined; restarts: number | undefined; warnings: string[] } {
  const load = p.LoadState ?? '';
  const active = p.ActiveState ?? '';
  const sub = p.SubState ?? '';
  const pidNumber = Number(p.MainPID);
  const pid = Number.isInteger(pidNumber) && pidNumber > 0 ? pidNumber : undefined;
  const detail = [`${active}/${sub}`, p.Result !== undefined && p.Result !== 'success' ? `result ${p.Result}` : '', load !== 'loaded' ? `load ${load}` : '']
    .filter(Boolean)
    .join(', ');
  const warnings: string[] = [];
  if (p.NeedDaemonReload === 'yes') warnings.push('the unit file changed since systemd loaded it: run systemctl daemon-reload');
  if (load === 'not-found') warnings.push('systemd has not loaded this unit: run systemctl daemon-reload');
  if (load === 'masked') warnings.push('the unit is masked: it cannot be started until unmasked');
  if (load === 'error' || load === 'bad-setting') warnings.push(`systemd cannot load the unit (LoadState=${load}): see systemctl status`);
  const restarts = Number(p.NRestarts);
  let state: ServiceState;
  if (load === 'error' || load === 'bad-setting') state = 'failed';
  else if (active === 'active' || active === 'reloading') state = 'running';
  else if (active === 'activating') state = 'restarting';
  else if (active === 'failed') state = 'failed';
  else state = 'stopped';
  return { state, detail, pid: state === 'running' || state === 'restarting' ? pid : undefined, restarts: Number.isInteger(restarts) ? restarts : undefined, warnings };
}

/**
 * Windows: a scheduled task that runs xdaemon's supervisor in the foreground (Node cannot answer
 * the service control manager). Install keeps the task XML under %ProgramData%\xdaemon\services
 * (system) or %LOCALAPPDATA%\xdaemon\services (user), UTF-16 as schtasks reads it, and registers
 * it with `schtasks /Create /XML`; control is `/Run`, `/End`, `/Query`, `/Delete`. Untested on a
 * real Windows host.
 */
import { win32 } from 'node:path';
import type { ServiceConfig } from '../options.js';
import { underRoot } from '../host.js';
import { currentWindowsAccount, supervisorCliPath, taskExecutable, windowsTask } from '../windows-task.js';
import {
  type Backend,
  type BackendTarget,
  type Command,
  type ServicePlan,
  type ServiceState,
  type ServiceStatus,
  checkPlatform,
  refuseListen,
  missingExecutableWarning,
  notInstalled,
  readServiceFile,
  removeServiceFile,
  runCommand,
  installPlan,
} from './backend.js';

/** The Windows backend for `target`. */
export function windowsBackend(target: BackendTarget): Backend {
  const { host } = target;
  const base = target.userService ? (host.localAppData ?? win32.join(host.home, 'AppData', 'Local')) : (host.programData ?? 'C:\\ProgramData');
  const path = underRoot(target.root, win32.join(base, 'xdaemon', 'services', `${target.name}.xml`));
  const schtasks = (...args: string[]): Command => ['schtasks', ...args];
  const installed = (): string | undefined => readServiceFile(path, 'utf16le');
  const requireInstalled = (): void => {
    if (installed() === undefined) throw notInstalled(target.name, path);
  };
  /** Ends the task if it runs; a task that does not run is not an error here. */
  const end = async (): Promise<void> => {
    await target.exec('schtasks', ['/End', '/TN', target.name]);
  };

  const plan = (config: ServiceConfig): ServicePlan => {
    refuseListen(config, 'windows');
    return {
      backend: 'windows',
      name: target.name,
      userService: target.userService,
      path,
      content: windowsTask(config, currentWindowsAccount(), process.execPath, supervisorCliPath()),
      commands: [schtasks('/Create', '/TN', target.name, '/XML', path, '/F')],
      warnings: [
        'the Windows backend is untested on a real Windows host',
        ...(config.stopArgs.length > 0 ? ['Task Scheduler runs no stop command: the processes are ended at shutdown or logoff'] : []),
      ],
    };
  };

  return {
    name: 'windows',
    path,
    plan,
    async install(config, force) {
      checkPlatform(target, 'windows', 'win32', 'Windows');
      return installPlan(plan(config), 'utf16le', force, (command) => runCommand(target.exec, command));
    },
    async uninstall() {
      checkPlatform(target, 'windows', 'win32', 'Windows');
      if (installed() === undefined) return { path, removed: false, commands: [] };
      const commands: Command[] = [schtasks('/End', '/TN', target.name), schtasks('/Delete', '/TN', target.name, '/F')];
      await end();
      await runCommand(target.exec, commands[1] as Command);
      removeServiceFile(path);
      return { path, removed: true, commands };
    },
    async start() {
      requireInstalled();
      await runCommand(target.exec, schtasks('/Run', '/TN', target.name));
    },
    async stop() {
      requireInstalled();
      await runCommand(target.exec, schtasks('/End', '/TN', target.name));
    },
    async restart() {
      requireInstalled();
      await end();
      await runCommand(target.exec, schtasks('/Run', '/TN', target.name));
    },
    output() {
      const content = installed();
      if (content === undefined) return undefined;
      // The task runs `xdaemon run --log=FILE …`: its log is a daemon's log.
      const log = /--log=([^ "&]+)/.exec(content)?.[1];
      return log === undefined ? { kind: 'none', reason: 'the task was installed without --log FILE: its output is discarded' } : { kind: 'files', out: log, err: undefined };
    },
    async status() {
      const content = installed();
      const base = { name: target.name, backend: 'windows' as const, path };
      if (content === undefined) return { ...base, state: 'not-installed', detail: `no ${path}`, pid: undefined, warnings: [] };
      const query = await target.exec('schtasks', ['/Query', '/TN', target.name, '/FO', 'CSV', '/V', '/NH']);
      const warnings = missingExecutableWarning(target.root, taskExecutable(content));
      if (query.code !== 0) {
        return { ...base, state: 'stopped', detail: 'not registered', pid: undefined, warnings: [...warnings, 'the task file exists but no such task is registered: install again with force'] };
      }
      return { ...base, ...windowsTaskState(query.stdout), pid: undefined, warnings } satisfies ServiceStatus;
    },
  };
}

/** Task results that are not failures: success, never run, running, ended by a user (schtasks /End). */
const BENIGN_RESULTS = new Set([0, 0x41303, 0x41301, 0x41306]);

/**
 * The state of a task from `schtasks /Query /FO CSV /V /NH` (columns: host, task name, next run
 * time, status, logon mode, last run time, last result, …). Status words are those of an English
 * Windows; others read as stopped or failed by the last result.
 */
export function windowsTaskState(csv: string): { state: ServiceState; detail: string } {
  const row = csvFields(csv.split(/\r?\n/).find((l) => l.trim() !== '') ?? '');
  const status = row[3] ?? '';
  const result = Number(row[6]);
  const detail = `status ${status || 'unknown'}, last result ${row[6] ?? 'unknown'}`;
  if (status === 'Running') return { state: 'running', detail };
  if (status === 'Queued') return { state: 'restarting', detail };
  if (Number.isInteger(result) && !BENIGN_RESULTS.has(result)) return { state: 'failed', detail };
  return { state: 'stopped', detail };
}

/** The fields of one CSV line (double-quoted fields, `""` for a quote). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  const re = /"((?:[^"]|"")*)"|([^,]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    fields.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] as string));
    if (re.lastIndex >= line.length) break;
    re.lastIndex++; // the comma
  }
  return fields;
}

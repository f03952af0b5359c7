/**
 * The Windows scheduled task of a service, as Task Scheduler XML: a pure function of the options.
 * Node cannot answer the service control manager, so the task runs xdaemon's own supervisor in the
 * foreground (`node <dist>/cli.js run … -- <command> <args…>`), at boot as SYSTEM or at the user's
 * logon, with no execution time limit; the supervisor restarts the program.
 *
 * The text is returned as a string whose declaration says UTF-16: `schtasks /Create /XML` reads
 * the UTF-16 files Task Scheduler itself exports, so the backend writes it UTF-16LE with a BOM.
 * Arguments are quoted by the rules Windows programs (and Node) split a command line with. Task
 * Scheduler expands `%NAME%` in a task's command, arguments and directory and has no escape for
 * `%`, so a `%` there is refused. Untested on a real Windows host.
 */
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { XDaemonError } from '../errors.js';
import { type ServiceConfig, type ServiceOptions, requireAbsoluteCommand, resolveServiceConfig } from './options.js';
import { unxml, xml } from './xml-text.js';

/**
 * The xdaemon command-line entry the task runs (`cli.js` beside this module in dist/). The one
 * place that knows where it is.
 */
export function supervisorCliPath(): string {
  return join(__dirname, 'cli.js');
}

/**
 * The arguments the task gives `cli.js`: `run`, the settings as `--kebab-case=value` flags (one
 * `--env=NAME=value` per variable), `--`, then the command and its arguments unchanged.
 */
export function supervisorRunArgs(c: ServiceConfig): string[] {
  const args = ['run', `--name=${c.name}`, `--restart=${c.restart}`, `--restart-delay=${c.restartDelay}`, `--kill-timeout=${c.killTimeout}`];
  if (c.waitReady > 0) args.push(`--wait-ready=${c.waitReady}`);
  if (c.logFile !== undefined) args.push(`--log=${c.logFile}`);
  if (c.errFile !== undefined) args.push(`--err-file=${c.errFile}`);
  for (const [name, value] of Object.entries(c.env)) args.push(`--env=${name}=${value}`);
  return [...args, '--', c.command, ...c.args];
}

/** The account a user task runs as (`DOMAIN\user` when Windows names a domain). */
export function currentWindowsAccount(): string {
  const user = process.env.USERNAME ?? userInfo().username;
  const domain = process.env.USERDOMAIN;
  return domain ? `${domain}\\${user}` : user;
}

/**
 * Renders the task XML of a service. System tasks start at boot as SYSTEM (or as `user`, without
 * a stored password: S4U logon); user tasks start at the installing user's logon. No execution time
 * limit, one instance, normal priority, and Task Scheduler's own restart (3 times, a minute apart)
 * only if the supervisor itself dies. Pure, apart from reading the account name for a user task.
 *
 * @throws TypeError/RangeError for bad options; XDaemonError for a value the task cannot hold.
 */
export function renderWindowsTask(options: ServiceOptions): string {
  return windowsTask(resolveServiceConfig(options), currentWindowsAccount(), process.execPath, supervisorCliPath());
}

/** The task XML of a resolved configuration, run by `node` with the CLI at `cli`. */
export function windowsTask(c: ServiceConfig, account: string, node: string, cli: string): string {
  requireAbsoluteCommand(c);
  const runArgs = supervisorRunArgs(c);
  for (const [what, value] of [['node', node], ['workingDirectory', c.workingDirectory], ['cli', cli], ...runArgs.map((a) => ['argument', a])]) {
    if ((value as string).includes('%')) {
      throw new XDaemonError(`${what} ${JSON.stringify(value)} cannot be put in a scheduled task: Task Scheduler expands %NAME% and has no escape for "%"`);
    }
  }
  const text = (what: string, value: string): string => xml(what, value);
  const user = c.userService ? account : c.user;
  const trigger = c.userService
    ? ['    <LogonTrigger>', '      <Enabled>true</Enabled>', `      <UserId>${text('user', account)}</UserId>`, '    </LogonTrigger>']
    : ['    <BootTrigger>', '      <Enabled>true</Enabled>', '    </BootTrigger>'];
  const principal =
    user === undefined
      ? ['      <UserId>S-1-5-18</UserId>', '      <RunLevel>HighestAvailable</RunLevel>']
      : [
          `      <UserId>${text('user', user)}</UserId>`,
          `      <LogonType>${c.userService ? 'InteractiveToken' : 'S4U'}</LogonType>`,
          '      <RunLevel>LeastPrivilege</RunLevel>',
        ];
  const restart = c.restart === 'never' ? [] : ['    <RestartOnFailure>', '      <Interval>PT1M</Interval>', '      <Count>3</Count>', '    </RestartOnFailure>'];
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    '    <Author>xdaemon</Author>',
    `    <Description>${text('description', c.description)}</Description>`,
    `    <URI>\\${c.name}</URI>`,
    '  </RegistrationInfo>',
    '  <Triggers>',
    ...trigger,
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="Author">',
    ...principal,
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <AllowHardTerminate>true</AllowHardTerminate>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>',
    '    <IdleSettings>',
    '      <StopOnIdleEnd>false</StopOnIdleEnd>',
    '      <RestartOnIdle>false</RestartOnIdle>',
    '    </IdleSettings>',
    '    <AllowStartOnDemand>true</AllowStartOnDemand>',
    '    <Enabled>true</Enabled>',
    '    <Hidden>false</Hidden>',
    '    <RunOnlyIfIdle>false</RunOnlyIfIdle>',
    '    <WakeToRun>false</WakeToRun>',
    '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
    '    <Priority>5</Priority>',
    ...restart,
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${text('node', windowsArg(node))}</Command>`,
    `      <Arguments>${text('arguments', [cli, ...runArgs].map(windowsArg).join(' '))}</Arguments>`,
    `      <WorkingDirectory>${text('workingDirectory', c.workingDirectory)}</WorkingDirectory>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\r\n');
}

/**
 * One argument of a Windows command line, quoted so that CommandLineToArgvW and the C runtime
 * (hence Node's process.argv) split it back unchanged: quotes only when needed; inside them, a
 * quote is `\"` and backslashes are doubled when a quote follows them.
 */
export function windowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      slashes++;
      continue;
    }
    out += '\\'.repeat(ch === '"' ? slashes * 2 + 1 : slashes) + ch;
    slashes = 0;
  }
  return `${out}${'\\'.repeat(slashes * 2)}"`;
}

/** The node executable a task written by {@link windowsTask} runs (its `<Command>`, unquoted). */
export function taskExecutable(task: string): string | undefined {
  const m = /<Command>([^<]*)<\/Command>/.exec(task);
  if (m === null) return undefined;
  const command = unxml(m[1] as string);
  return command.startsWith('"') && command.endsWith('"') ? command.slice(1, -1) : command;
}

/**
 * Service install, uninstall, start, stop, restart and status under each backend, with `root` a
 * temporary directory and a recording `exec` answering for the init system: the exact commands,
 * the files and their modes, idempotency and `force`; the status tables (systemctl show, launchctl
 * print, schtasks) and detection. Nothing here touches /etc, ~/Library or a real init system.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type ExecFn, type ExecResult, Service, type ServiceOptions, detectBackend, formatPlan, renderLaunchdPlist, renderSystemdUnit } from '../../src/service/index';
import { launchdState } from '../../src/service/backends/launchd';
import { parseShow, systemdState } from '../../src/service/backends/systemd';
import { windowsTaskState } from '../../src/service/backends/windows';
import { findInPath } from '../../src/service/service';
import { cleanup, tempDir } from '../support/fixtures';

after(cleanup);

/** An exec that records every command and answers with `answer(command)` (default: success, no output). */
function recorder(answer: (command: string[]) => Partial<ExecResult> | undefined = () => undefined): { calls: string[][]; exec: ExecFn } {
  const calls: string[][] = [];
  const exec: ExecFn = async (file, args) => {
    const command = [file, ...args];
    calls.push(command);
    return { code: 0, stdout: '', stderr: '', ...answer(command) };
  };
  return { calls, exec };
}

const isXDaemonError = (code: string | undefined, re: RegExp) => (err: unknown): boolean => {
  assert.ok(err instanceof Error && err.name === 'XDaemonError', `expected an XDaemonError, got ${String(err)}`);
  assert.equal((err as { code?: string }).code, code);
  assert.match(err.message, re);
  return true;
};

const APP: Omit<ServiceOptions, 'root' | 'exec'> = { name: 'app', command: '/usr/bin/node', args: ['/srv/app/main.js'], workingDirectory: '/srv/app' };
const USER_CONFIG = process.env.XDG_CONFIG_HOME?.startsWith('/') ? process.env.XDG_CONFIG_HOME : join(homedir(), '.config');

describe('systemd', () => {
  const setup = (over: Partial<ServiceOptions> = {}, answer?: (command: string[]) => Partial<ExecResult> | undefined) => {
    const root = tempDir();
    const rec = recorder(answer);
    const svc = new Service({ ...APP, backend: 'systemd', root, exec: rec.exec, ...over });
    return { root, svc, ...rec };
  };

  test('install writes the unit (0o644, atomically) and runs daemon-reload and enable', async () => {
    const { root, svc, calls } = setup();
    const path = join(root, 'etc/systemd/system/app.service');
    assert.equal(svc.path, path);
    const result = await svc.install();
    assert.equal(result.changed, true);
    assert.equal(result.path, path);
    assert.equal(readFileSync(path, 'utf8'), renderSystemdUnit(APP));
    assert.equal(statSync(path).mode & 0o777, 0o644);
    assert.deepEqual(calls, [['systemctl', 'daemon-reload'], ['systemctl', 'enable', 'app.service']]);
    assert.deepEqual(result.commands, calls);
  });

  test('install is idempotent; a different file is refused unless force', async () => {
    const { root, svc, calls, exec } = setup();
    const path = join(root, 'etc/systemd/system/app.service');
    await svc.install();
    const before = statSync(path);
    const again = await svc.install();
    assert.equal(again.changed, false);
    const after = statSync(path);
    assert.equal(after.ino, before.ino, 'the file was not rewritten');
    assert.equal(after.mtimeMs, before.mtimeMs);
    assert.equal(calls.length, 4, 'the registration commands run again');

    const changed = new Service({ ...APP, args: ['/srv/app/other.js'], backend: 'systemd', root, exec });
    calls.length = 0;
    await assert.rejects(changed.install(), isXDaemonError('EEXIST', /exists with different content.*force/));
    assert.deepEqual(calls, [], 'nothing run after a refusal');
    assert.equal(readFileSync(path, 'utf8'), renderSystemdUnit(APP));
    const forced = await changed.install({ force: true });
    assert.equal(forced.changed, true);
    assert.match(readFileSync(path, 'utf8'), /other\.js/);
    assert.equal(statSync(path).mode & 0o777, 0o644);
  });

  test('mode 0o644 whatever the umask', async () => {
    const { root, svc } = setup();
    const old = process.umask(0o077);
    try {
      await svc.install();
    } finally {
      process.umask(old);
    }
    assert.equal(statSync(join(root, 'etc/systemd/system/app.service')).mode & 0o777, 0o644);
  });

  test('start, stop, restart', async () => {
    const { svc, calls } = setup();
    await svc.install();
    calls.length = 0;
    await svc.start();
    await svc.stop();
    await svc.restart();
    assert.deepEqual(calls, [['systemctl', 'start', 'app.service'], ['systemctl', 'stop', 'app.service'], ['systemctl', 'restart', 'app.service']]);
  });

  test('control calls on a service that is not installed fail without running anything', async () => {
    const { svc, calls } = setup();
    for (const verb of ['start', 'stop', 'restart'] as const) {
      await assert.rejects(svc[verb](), isXDaemonError('ENOENT', /service "app" is not installed/));
    }
    assert.equal(await svc.status(), 'not-installed');
    assert.deepEqual(calls, []);
  });

  test('uninstall: disable --now, remove the file, daemon-reload; again: nothing to do', async () => {
    const { root, svc, calls } = setup();
    await svc.install();
    calls.length = 0;
    const result = await svc.uninstall();
    assert.equal(result.removed, true);
    assert.equal(existsSync(join(root, 'etc/systemd/system/app.service')), false);
    assert.deepEqual(calls, [['systemctl', 'disable', '--now', 'app.service'], ['systemctl', 'daemon-reload']]);
    calls.length = 0;
    assert.equal((await svc.uninstall()).removed, false);
    assert.deepEqual(calls, []);
  });

  test('a failing command is an error naming it and what it said', async () => {
    const { svc } = setup({}, (c) => (c[1] === 'enable' ? { code: 1, stderr: 'Failed to enable unit: Access denied\n' } : undefined));
    await assert.rejects(svc.install(), isXDaemonError(undefined, /systemctl enable app\.service failed with exit code 1: Failed to enable unit: Access denied/));
  });

  test('user services: ~/.config/systemd/user, systemctl --user, a warning while lingering is off', async () => {
    const { root, svc, calls } = setup({ userService: true });
    const path = join(root, USER_CONFIG, 'systemd/user/app.service');
    const result = await svc.install();
    assert.equal(result.path, path);
    assert.match(readFileSync(path, 'utf8'), /^WantedBy=default\.target$/m);
    assert.deepEqual(calls, [['systemctl', '--user', 'daemon-reload'], ['systemctl', '--user', 'enable', 'app.service']]);
    const user = userInfo().username;
    assert.deepEqual(result.warnings, [`lingering is off for ${user}: this user service stops at logout and does not start at boot (loginctl enable-linger ${user})`]);
    mkdirSync(join(root, 'var/lib/systemd/linger'), { recursive: true });
    writeFileSync(join(root, 'var/lib/systemd/linger', user), '');
    assert.deepEqual((await svc.plan()).warnings, []);
    calls.length = 0;
    await svc.start();
    await svc.uninstall();
    assert.deepEqual(calls, [['systemctl', '--user', 'start', 'app.service'], ['systemctl', '--user', 'disable', '--now', 'app.service'], ['systemctl', '--user', 'daemon-reload']]);
  });

  test('status asks systemctl show and maps the answer; warns when the recorded node or script is gone', async () => {
    const show = 'LoadState=loaded\nActiveState=activating\nSubState=auto-restart\nResult=exit-code\nMainPID=0\nNeedDaemonReload=no\n';
    const { root, svc, calls } = setup({}, (c) => (c[1] === 'show' ? { stdout: show } : undefined));
    await svc.install();
    calls.length = 0;
    const status = await svc.serviceStatus();
    assert.deepEqual(calls, [['systemctl', 'show', '-p', 'LoadState,ActiveState,SubState,Result,MainPID,NRestarts,NeedDaemonReload', 'app.service']]);
    assert.equal(status.state, 'restarting');
    assert.equal(status.detail, 'activating/auto-restart, result exit-code');
    assert.deepEqual(status.warnings, [
      'the recorded executable /usr/bin/node no longer exists (was Node upgraded or moved?); install again with force',
      'the recorded script /srv/app/main.js no longer exists (was the package moved or removed?); install again with force',
    ]);
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    writeFileSync(join(root, 'usr/bin/node'), '');
    mkdirSync(join(root, 'srv/app'), { recursive: true });
    writeFileSync(join(root, 'srv/app/main.js'), '');
    assert.deepEqual((await svc.serviceStatus()).warnings, []);
  });

  test('the status table', () => {
    const rows: [string, string, string][] = [
      ['LoadState=loaded ActiveState=active SubState=running MainPID=42', 'running', 'active/running'],
      ['LoadState=loaded ActiveState=reloading SubState=reload MainPID=42', 'running', 'reloading/reload'],
      ['LoadState=loaded ActiveState=activating SubState=auto-restart MainPID=0 Result=exit-code', 'restarting', 'activating/auto-restart, result exit-code'],
      ['LoadState=loaded ActiveState=activating SubState=start MainPID=42', 'restarting', 'activating/start'],
      ['LoadState=loaded ActiveState=failed SubState=failed Result=start-limit-hit', 'failed', 'failed/failed, result start-limit-hit'],
      ['LoadState=loaded ActiveState=failed SubState=failed Result=exit-code', 'failed', 'failed/failed, result exit-code'],
      ['LoadState=loaded ActiveState=inactive SubState=dead Result=success', 'stopped', 'inactive/dead'],
      ['LoadState=loaded ActiveState=deactivating SubState=stop-sigterm MainPID=42', 'stopped', 'deactivating/stop-sigterm'],
      ['LoadState=not-found ActiveState=inactive SubState=dead', 'stopped', 'inactive/dead, load not-found'],
      ['LoadState=masked ActiveState=inactive SubState=dead', 'stopped', 'inactive/dead, load masked'],
      ['LoadState=bad-setting ActiveState=inactive SubState=dead', 'failed', 'inactive/dead, load bad-setting'],
    ];
    for (const [show, state, detail] of rows) {
      const read = systemdState(parseShow(show.replace(/ /g, '\n')));
      assert.equal(read.state, state, show);
      assert.equal(read.detail, detail, show);
    }
    assert.equal(systemdState(parseShow('ActiveState=active\nSubState=running\nMainPID=42\nLoadState=loaded')).pid, 42);
    assert.equal(systemdState(parseShow('ActiveState=inactive\nSubState=dead\nMainPID=0\nLoadState=loaded')).pid, undefined);
    assert.deepEqual(systemdState(parseShow('LoadState=loaded\nActiveState=active\nSubState=running\nNeedDaemonReload=yes')).warnings, [
      'the unit file changed since systemd loaded it: run systemctl daemon-reload',
    ]);
  });
});

describe('launchd', () => {
  const NOT_LOADED: Partial<ExecResult> = { code: 113, stderr: 'Could not find service "app" in domain for system\n' };
  const printed = (state: string): Partial<ExecResult> => ({ stdout: `system/app = {\n\tactive count = 1\n\tstate = ${state}\n\tpid = 77\n}\n` });
  const setup = (over: Partial<ServiceOptions> = {}, answer?: (command: string[]) => Partial<ExecResult> | undefined) => {
    const root = tempDir();
    const rec = recorder(answer);
    const svc = new Service({ ...APP, backend: 'launchd', root, exec: rec.exec, ...over });
    return { root, svc, ...rec };
  };

  test('install writes /Library/LaunchDaemons/NAME.plist and enables the job', async () => {
    const { root, svc, calls } = setup();
    const result = await svc.install();
    const path = join(root, 'Library/LaunchDaemons/app.plist');
    assert.equal(result.path, path);
    assert.equal(readFileSync(path, 'utf8'), renderLaunchdPlist(APP));
    assert.equal(statSync(path).mode & 0o777, 0o644);
    assert.deepEqual(calls, [['launchctl', 'enable', 'system/app']]);
    assert.equal((await svc.install()).changed, false);
  });

  test('start bootstraps an unloaded job, kickstarts a loaded idle one, leaves a running one', async () => {
    let answer: Partial<ExecResult> = NOT_LOADED;
    const { root, svc, calls } = setup({}, (c) => (c[1] === 'print' ? answer : undefined));
    await svc.install();
    const path = join(root, 'Library/LaunchDaemons/app.plist');
    calls.length = 0;
    await svc.start();
    assert.deepEqual(calls, [['launchctl', 'print', 'system/app'], ['launchctl', 'bootstrap', 'system', path]]);
    answer = printed('not running');
    calls.length = 0;
    await svc.start();
    assert.deepEqual(calls, [['launchctl', 'print', 'system/app'], ['launchctl', 'kickstart', 'system/app']]);
    answer = printed('running');
    calls.length = 0;
    await svc.start();
    assert.deepEqual(calls, [['launchctl', 'print', 'system/app']]);
  });

  test('stop boots a loaded job out; restart is kickstart -k (bootstrap when unloaded)', async () => {
    let answer: Partial<ExecResult> = printed('running');
    const { root, svc, calls } = setup({}, (c) => (c[1] === 'print' ? answer : undefined));
    await svc.install();
    calls.length = 0;
    await svc.stop();
    await svc.restart();
    answer = NOT_LOADED;
    await svc.stop();
    await svc.restart();
    assert.deepEqual(calls, [
      ['launchctl', 'print', 'system/app'],
      ['launchctl', 'bootout', 'system/app'],
      ['launchctl', 'print', 'system/app'],
      ['launchctl', 'kickstart', '-k', 'system/app'],
      ['launchctl', 'print', 'system/app'],
      ['launchctl', 'print', 'system/app'],
      ['launchctl', 'bootstrap', 'system', join(root, 'Library/LaunchDaemons/app.plist')],
    ]);
  });

  test('uninstall boots the job out and removes the plist', async () => {
    const { root, svc, calls } = setup({}, (c) => (c[1] === 'print' ? printed('running') : undefined));
    await svc.install();
    calls.length = 0;
    const result = await svc.uninstall();
    assert.equal(result.removed, true);
    assert.deepEqual(calls, [['launchctl', 'print', 'system/app'], ['launchctl', 'bootout', 'system/app']]);
    assert.equal(existsSync(join(root, 'Library/LaunchDaemons/app.plist')), false);
  });

  test('agents: ~/Library/LaunchAgents and the gui/<uid> domain', async () => {
    const { root, svc, calls } = setup({ userService: true }, (c) => (c[1] === 'print' ? NOT_LOADED : undefined));
    const result = await svc.install();
    const path = join(root, homedir(), 'Library/LaunchAgents/app.plist');
    assert.equal(result.path, path);
    await svc.start();
    const uid = process.getuid?.() ?? 0;
    assert.deepEqual(calls, [['launchctl', 'enable', `gui/${uid}/app`], ['launchctl', 'print', `gui/${uid}/app`], ['launchctl', 'bootstrap', `gui/${uid}`, path]]);
  });

  test('old macOS: load/unload/list when launchctl does not know the domain subcommands', async () => {
    const unknown: Partial<ExecResult> = { code: 1, stderr: 'Unrecognized subcommand: print\nUsage: launchctl <subcommand> ...\n' };
    let listed: Partial<ExecResult> = { code: 1, stderr: 'Could not find service "app" in domain for port\n' };
    const { root, svc, calls } = setup({}, (c) => {
      if (c[1] === 'print' || c[1] === 'enable') return unknown;
      if (c[1] === 'list') return listed;
      return undefined;
    });
    await svc.install();
    const path = join(root, 'Library/LaunchDaemons/app.plist');
    await svc.start();
    listed = { stdout: '{\n\t"Label" = "app";\n\t"PID" = 321;\n\t"LastExitStatus" = 0;\n};\n' };
    assert.equal(await svc.status(), 'running');
    await svc.restart();
    await svc.stop();
    assert.deepEqual(calls, [
      ['launchctl', 'enable', 'system/app'],
      ['launchctl', 'print', 'system/app'],
      ['launchctl', 'list', 'app'],
      ['launchctl', 'load', '-w', path],
      ['launchctl', 'print', 'system/app'],
      ['launchctl', 'list', 'app'],
      ['launchctl', 'print', 'system/app'],
      ['launchctl', 'list', 'app'],
      ['launchctl', 'unload', path],
      ['launchctl', 'load', '-w', path],
      ['launchctl', 'print', 'system/app'],
      ['launchctl', 'list', 'app'],
      ['launchctl', 'unload', path],
    ]);
  });

  test('status: not loaded is stopped; the print table', async () => {
    const { svc } = setup({}, (c) => (c[1] === 'print' ? NOT_LOADED : undefined));
    assert.equal(await svc.status(), 'not-installed');
    await svc.install();
    const status = await svc.serviceStatus();
    assert.equal(status.state, 'stopped');
    assert.equal(status.detail, 'not loaded');
    const rows: [string, string, number | undefined][] = [
      ['state = running\n\tpid = 501\n\tlast exit code = (never exited)', 'running', 501],
      ['state = spawn scheduled\n\tlast exit code = 78: EX_CONFIG', 'restarting', undefined],
      ['state = not running\n\tlast exit code = 1', 'failed', undefined],
      ['state = waiting\n\tlast exit code = 0', 'stopped', undefined],
      ['state = not running\n\tlast exit code = (never exited)', 'stopped', undefined],
      ['state = not running\n\tlast exit code = 0\n\tlast terminating signal = Killed: 9', 'failed', undefined],
    ];
    for (const [body, state, pid] of rows) {
      const read = launchdState(`system/app = {\n\t${body}\n}\n`);
      assert.equal(read.state, state, body);
      assert.equal(read.pid, pid, body);
    }
    assert.equal(launchdState('{\n\t"Label" = "app";\n\t"LastExitStatus" = 256;\n};', true).state, 'failed');
    assert.equal(launchdState('{\n\t"Label" = "app";\n\t"LastExitStatus" = 0;\n};', true).state, 'stopped');
  });
});

describe('windows', () => {
  const setup = (over: Partial<ServiceOptions> = {}, answer?: (command: string[]) => Partial<ExecResult> | undefined) => {
    const root = tempDir();
    const rec = recorder(answer);
    const svc = new Service({ ...APP, backend: 'windows', root, exec: rec.exec, ...over });
    return { root, svc, ...rec };
  };

  test('install writes the task XML as UTF-16LE with a BOM and registers it with schtasks', async () => {
    const { root, svc, calls } = setup();
    const result = await svc.install();
    const programData = process.env.ProgramData ?? process.env.PROGRAMDATA ?? 'C:\\ProgramData';
    assert.ok(!programData.includes('/'), 'a Windows ProgramData');
    const path = join(root, ...programData.replace(/^([A-Za-z]):/, '$1').split('\\'), 'xdaemon', 'services', 'app.xml');
    assert.equal(result.path, path);
    const bytes = readFileSync(path);
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe]);
    assert.equal(bytes.subarray(2).toString('utf16le'), result.content);
    assert.equal(statSync(path).mode & 0o777, 0o644);
    assert.deepEqual(calls, [['schtasks', '/Create', '/TN', 'app', '/XML', path, '/F']]);
    assert.equal((await svc.install()).changed, false);
    assert.ok(result.warnings.some((w) => /untested on a real Windows host/.test(w)));
  });

  test('control: /Run, /End, /End then /Run; uninstall ends, deletes and removes', async () => {
    const { svc, calls, root } = setup();
    await svc.install();
    calls.length = 0;
    await svc.start();
    await svc.stop();
    await svc.restart();
    await svc.uninstall();
    assert.deepEqual(calls, [
      ['schtasks', '/Run', '/TN', 'app'],
      ['schtasks', '/End', '/TN', 'app'],
      ['schtasks', '/End', '/TN', 'app'],
      ['schtasks', '/Run', '/TN', 'app'],
      ['schtasks', '/End', '/TN', 'app'],
      ['schtasks', '/Delete', '/TN', 'app', '/F'],
    ]);
    assert.equal(await svc.status(), 'not-installed');
    assert.equal(existsSync(join(root, 'C')), true, 'the folders stay; only the file goes');
  });

  test('the schtasks status table', () => {
    const row = (status: string, result: string): string => `"HOST","\\app","N/A","${status}","Interactive/Background","1/1/2026 10:00:00 AM","${result}","xdaemon","node cli.js run"\r\n`;
    const cases: [string, string, string][] = [
      ['Running', '267009', 'running'],
      ['Queued', '0', 'restarting'],
      ['Ready', '0', 'stopped'],
      ['Ready', '267011', 'stopped'],
      ['Ready', '1', 'failed'],
      ['Ready', '-1073741510', 'failed'],
      ['Disabled', '0', 'stopped'],
    ];
    for (const [status, result, state] of cases) assert.equal(windowsTaskState(row(status, result)).state, state, `${status} ${result}`);
  });
});

describe('plan, detection, PATH', () => {
  test('plan() does nothing and says what install would do', async () => {
    const root = tempDir();
    const { calls, exec } = recorder();
    const svc = new Service({ ...APP, backend: 'systemd', root, exec });
    const plan = await svc.plan();
    assert.deepEqual(calls, []);
    assert.equal(existsSync(plan.path), false);
    assert.equal(plan.content, renderSystemdUnit(APP));
    assert.deepEqual(plan.commands, [['systemctl', 'daemon-reload'], ['systemctl', 'enable', 'app.service']]);
    const text = formatPlan(plan);
    assert.ok(text.startsWith(`would write ${plan.path} (systemd):\n# app.service`), text);
    assert.match(text, /\nwould run:\n {2}systemctl daemon-reload\n {2}systemctl enable app\.service\n$/);
  });

  test('detection: systemd by /run/systemd/system under the root, launchd on darwin, the task on win32', () => {
    const root = tempDir();
    assert.equal(detectBackend({ platform: 'darwin', root, exists: existsSync }), 'launchd');
    assert.equal(detectBackend({ platform: 'win32', root, exists: existsSync }), 'windows');
    assert.throws(
      () => detectBackend({ platform: 'linux', root, exists: existsSync }),
      isXDaemonError('ENOTSUP', new RegExp(`looked for systemd \\(${join(root, 'run/systemd/system')} does not exist.*launchd.*Task Scheduler.*backend option`)),
    );
    // A Service detects on this machine's platform (Linux here and in CI).
    const linux = process.platform === 'linux';
    if (linux) assert.throws(() => new Service({ name: 'x', root }).backend, isXDaemonError('ENOTSUP', /no supported service manager/));
    mkdirSync(join(root, 'run/systemd/system'), { recursive: true });
    assert.equal(detectBackend({ platform: 'linux', root, exists: existsSync }), 'systemd');
    if (linux) assert.equal(new Service({ name: 'x', root }).backend, 'systemd');
    assert.equal(new Service({ name: 'x', root, backend: 'launchd' }).backend, 'launchd');
  });

  test('a bare command is looked up in PATH (under the root) at install', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'opt/tools/bin'), { recursive: true });
    writeFileSync(join(root, 'opt/tools/bin/notexec'), '');
    writeFileSync(join(root, 'opt/tools/bin/mytool'), '#!/bin/sh\n');
    chmodSync(join(root, 'opt/tools/bin/mytool'), 0o755);
    const env = { PATH: '/nowhere:/opt/tools/bin' };
    assert.equal(findInPath('mytool', root, 'linux', env), '/opt/tools/bin/mytool');
    assert.throws(() => findInPath('notexec', root, 'linux', env), isXDaemonError('ENOENT', /"notexec" was not found in PATH/));
    const { exec } = recorder();
    await assert.rejects(new Service({ ...APP, command: 'surely-not-a-command-xdaemon', backend: 'systemd', root, exec }).plan(), isXDaemonError('ENOENT', /not found in PATH/));
  });

  test('find(): the system service first, then the user service, else undefined', async () => {
    const root = tempDir();
    const { exec } = recorder();
    const base = { backend: 'systemd' as const, root, exec };
    assert.equal(await Service.find('app', base), undefined);
    await new Service({ ...APP, ...base, userService: true }).install();
    assert.equal((await Service.find('app', base))?.options.userService, true);
    await new Service({ ...APP, ...base }).install();
    assert.equal((await Service.find('app', base))?.options.userService, false);
  });

  test('installing for another platform needs a root prefix', async () => {
    const { exec, calls } = recorder();
    const other = process.platform === 'darwin' ? 'systemd' : 'launchd';
    await assert.rejects(new Service({ ...APP, backend: other, exec }).install(), isXDaemonError('ENOTSUP', /installs only on/));
    assert.deepEqual(calls, []);
  });
});

/**
 * `xdaemon install` and `uninstall`, as a user types them, against a fake `systemctl` on PATH that
 * records what it is asked (no init system is ever touched): --dry-run prints the plan, install
 * writes the unit and enables it, the same again is left alone, a different one needs --force,
 * uninstall removes it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WORKER, assertCode, newHome, xd } from '../support/cli';
import { cleanup, readText, tempDir } from '../support/fixtures';
import { findCommand, requireTool } from '../support/tools';

after(cleanup);

const NODE = process.execPath;

/** A home with a fake systemctl first on PATH; what it was asked goes to `calls`. */
function fakeSystemd(): { home: ReturnType<typeof newHome>; calls: string; user: string; unit: string } {
  const dir = tempDir();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const calls = join(dir, 'calls');
  writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho "$*" >> '${calls}'\n`, { mode: 0o755 });
  chmodSync(join(bin, 'systemctl'), 0o755);
  const user = join(dir, 'home');
  const env = { HOME: user, XDG_CONFIG_HOME: join(user, '.config'), PATH: `${bin}:${process.env.PATH ?? ''}` };
  return { home: newHome(undefined, env), calls, user, unit: join(user, '.config', 'systemd', 'user', 'web.service') };
}

test('--dry-run prints the unit and the commands, and writes nothing', async () => {
  const { home, calls } = fakeSystemd();
  const root = tempDir();
  const exit = await xd(home, ['install', '--dry-run', '--backend', 'systemd', '--root', root, '--name', 'web', '--restart', 'on-failure', '--env', 'A=1', '--', NODE, WORKER, '--port', '80']);
  assertCode(exit, 0);
  assert.match(exit.stdout, new RegExp(`^would write ${root}/etc/systemd/system/web.service \\(systemd\\):\\n# web.service: written by xdaemon`));
  assert.match(exit.stdout, new RegExp(`\\nExecStart="${NODE}" "${WORKER}" "--port" "80"\\n`));
  assert.match(exit.stdout, /\nRestart=on-failure\n/);
  assert.match(exit.stdout, /\nEnvironment="A=1"\n/);
  assert.match(exit.stdout, /\nwould run:\n {2}systemctl daemon-reload\n {2}systemctl enable web.service\n$/);
  assert.equal(existsSync(join(root, 'etc', 'systemd', 'system', 'web.service')), false, 'a dry run writes no unit');
  assert.equal(readText(calls), '');
});

test('install --user: the unit written and enabled; again: unchanged; different: refused without --force; uninstall', async () => {
  const { home, calls, unit } = fakeSystemd();
  const install = (extra: string[]): ReturnType<typeof xd> => xd(home, ['install', '--user', '--backend', 'systemd', '--restart-delay', '2000', ...extra, '--', NODE, WORKER]);
  const first = await install([]);
  assertCode(first, 0);
  assert.equal(first.stdout, `installed cli-worker: ${unit.replace('web', 'cli-worker')} (systemd, user service; enabled, not started)\n`, 'named after the script');
  assert.match(first.stderr, /^xdaemon: warning: lingering is off for /);

  const named = await install(['--name', 'web']);
  assertCode(named, 0);
  const text = readText(unit);
  assert.match(text, new RegExp(`\\nExecStart="${NODE}" "${WORKER}"\\n`));
  assert.match(text, /\nRestartSec=2\n/);
  assert.match(text, /\nWantedBy=default.target\n/);
  assert.equal(readText(calls), ['--user daemon-reload', '--user enable cli-worker.service', '--user daemon-reload', '--user enable web.service', ''].join('\n'));

  const again = await install(['--name', 'web']);
  assertCode(again, 0);
  assert.equal(again.stdout, `web is already installed: ${unit} (systemd, user service; unchanged, not started)\n`);
  const different = await install(['--name', 'web', '--kill-timeout', '9000']);
  assertCode(different, 1);
  assert.match(different.stderr, /^xdaemon: .*web\.service exists with different content/);
  assertCode(await install(['--name', 'web', '--kill-timeout', '9000', '--force']), 0);
  assert.match(readText(unit), /\nTimeoutStopSec=9\n/);

  const removed = await xd(home, ['uninstall', 'web', '--backend', 'systemd']);
  assertCode(removed, 0);
  assert.equal(removed.stdout, `uninstalled web: removed ${unit}\n`);
  assert.equal(existsSync(unit), false, 'the unit is removed');
  assert.match(readText(calls), /--user disable --now web.service\n--user daemon-reload\n$/);
  const gone = await xd(home, ['uninstall', 'web', '--backend', 'systemd']);
  assertCode(gone, 1);
  assert.equal(gone.stderr, 'xdaemon: no service named "web" is installed\n');
});

test('install: a name a unit cannot hold is usage (2); a command not found is a failure (1)', async () => {
  const { home } = fakeSystemd();
  const badName = await xd(home, ['install', '--user', '--backend', 'systemd', '--name', 'a@b@c', '--', NODE]);
  assertCode(badName, 2);
  assert.match(badName.stderr, /^xdaemon: service name "a@b@c" may hold one "@"/);
  const missing = await xd(home, ['install', '--user', '--backend', 'systemd', '--', 'no-such-command-xd']);
  assertCode(missing, 1);
  assert.equal(missing.stderr, 'xdaemon: command not found: "no-such-command-xd" (not in PATH)\n');
});

test('install --listen: a NAME.socket unit beside the service, both verified by systemd-analyze; uninstall removes both', async (t) => {
  if (!requireTool(t, findCommand('systemd-analyze'), 'systemd-analyze', 'Debian: apt-get install systemd')) return;
  const { home, calls, unit } = fakeSystemd();
  const socketUnit = unit.replace(/\.service$/, '.socket');
  const install = await xd(home, ['install', '--user', '--backend', 'systemd', '--name', 'web', '--listen', 'http=127.0.0.1:8080', '--', NODE, WORKER]);
  assertCode(install, 0);
  const socket = readText(socketUnit);
  assert.match(socket, /\n\[Socket\]\nListenStream=127\.0\.0\.1:8080\nFileDescriptorName=http\nService=web\.service\n/);
  assert.match(readText(unit), /\nRequires=web\.socket\nAfter=web\.socket\n/);
  assert.match(readText(calls), /--user enable web\.service web\.socket\n$/);
  const res = spawnSync('systemd-analyze', ['verify', unit, socketUnit], { encoding: 'utf8', timeout: 30_000 });
  const said = `${res.stdout}${res.stderr}`.trim();
  assert.equal(res.status, 0, `systemd-analyze verify failed:\n${said}`);
  assert.equal(said.split('\n').filter((l) => l.includes(unit) || l.includes(socketUnit)).join('\n'), '', 'no warning about the units');

  const several = await xd(home, ['install', '--user', '--backend', 'systemd', '--name', 'two', '--dry-run', '--listen', '8081', '--listen', 'unix:/tmp/two.sock', '--listen', '[::1]:8082', '--', NODE, WORKER]);
  assertCode(several, 0);
  assert.match(several.stdout, /ListenStream=8081\nListenStream=\/tmp\/two\.sock\nListenStream=\[::1\]:8082\nSocketMode=0660\nRemoveOnStop=yes\nService=two\.service\n/);

  assertCode(await xd(home, ['uninstall', 'web', '--backend', 'systemd']), 0);
  assert.equal(existsSync(unit), false, 'the service unit is removed');
  assert.equal(existsSync(socketUnit), false, 'the socket unit is removed');
  assert.match(readText(calls), /--user disable --now web\.service web\.socket\n--user daemon-reload\n$/);

  const launchd = await xd(home, ['install', '--dry-run', '--backend', 'launchd', '--listen', '8080', '--', NODE, WORKER]);
  assertCode(launchd, 2);
  assert.match(launchd.stderr, /listen needs systemd/);
});

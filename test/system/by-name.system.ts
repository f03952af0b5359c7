/**
 * The command line operates what it installed, by name, under a real systemd: `start`, `status`,
 * `restart`, `logs`, `stop` NAME reach the service when no daemon has the name; `install --now`
 * starts it, `install --force` over a running one says (or with --now does) the restart; a
 * restarting service is supervised (`status` exit 0, its restarts shown); a name that is both a
 * daemon and a service is refused; `delete` of a service's name points to `uninstall`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after } from 'node:test';
import { assertCode } from '../support/cli';
import { cleanup, tempDir } from '../support/fixtures';
import { freePort } from '../support/harness';
import { NODE, SYSTEM_FIXTURES, body, openSandbox, systemTest, unitState, until } from './sandbox';

after(cleanup);

const WEB = join(SYSTEM_FIXTURES, 'web.cjs');

systemTest('start, status, restart, logs, stop NAME reach the installed service', async (t) => {
  const sb = await openSandbox(t);
  const port = await freePort();
  const log = join(tempDir(), 'web.log');
  assertCode(await sb.xd(['install', '--user', '--name', 'web', '--log', log, '--', NODE, WEB, `port:${port}`]), 0);

  const started = await sb.xd(['start', 'web']);
  assertCode(started, 0);
  assert.match(started.stdout, /^started service web \(systemd, user service\): running \(active\/running\), pid (\d+)\n$/);
  const pid = Number(/pid (\d+)/.exec(started.stdout)?.[1]);
  assert.equal(await until('an answer', () => body(port)), `${port} ${pid}\n`);

  const status = await sb.xd(['status', 'web']);
  assertCode(status, 0);
  assert.match(status.stdout, new RegExp(`^service web \\(systemd, user\\): running \\(active/running\\), pid ${pid}, restarts 0$`, 'm'));

  const restarted = await sb.xd(['restart', 'web']);
  assertCode(restarted, 0);
  const again = Number(/^restarted service web \(systemd, user service\): running \(active\/running\), pid (\d+)\n$/.exec(restarted.stdout)?.[1]);
  assert.ok(again > 0 && again !== pid, restarted.stdout);

  const logs = await until('both starts in the log', async () => {
    const exit = await sb.xd(['logs', 'web', '-n', '5']);
    return exit.code === 0 && exit.stdout.includes(`WEB ${again}`) ? exit.stdout : undefined;
  });
  assert.equal(logs, `WEB ${pid}\nWEB ${again}\n`);

  const stopped = await sb.xd(['stop', 'web']);
  assertCode(stopped, 0);
  assert.match(stopped.stdout, /^stopped service web \(systemd, user service\): stopped \(inactive\/dead\)\n$/);
  const after = await sb.xd(['status', 'web']);
  assert.equal(after.code, 3, after.stdout);

  const deleted = await sb.xd(['delete', 'web']);
  assertCode(deleted, 1);
  assert.match(deleted.stderr, /no daemon named "web"; web is an installed service \(systemd, user service\): xdaemon uninstall web removes it/);
});

systemTest('logs of a service without --log: where its output goes (here no journald: discarded)', async (t) => {
  const sb = await openSandbox(t);
  assertCode(await sb.xd(['install', '--user', '--name', 'quiet', '--', NODE, WEB]), 0);
  const logs = await sb.xd(['logs', 'quiet']);
  assertCode(logs, 1);
  assert.match(logs.stderr, /^xdaemon: service quiet: it writes to the journal, and journald does not run here: its output is discarded \(install it again with --log FILE\)\n$/);
});

systemTest('install --now starts it; --force over a running service says it needs a restart, --force --now restarts it', async (t) => {
  const sb = await openSandbox(t);
  const port = await freePort();
  const install = (...extra: string[]) => sb.xd(['install', '--user', '--name', 'web', ...extra, '--', NODE, WEB, `port:${port}`]);
  const now = await install('--now');
  assertCode(now, 0);
  assert.match(now.stdout, /^installed web: .* \(systemd, user service; enabled, started: running\)\n$/);
  const first = Number((await unitState(sb, 'web.service', (p) => p.ActiveState === 'active')).MainPID);

  const forced = await install('--force', '--kill-timeout', '3000');
  assertCode(forced, 0);
  assert.match(forced.stdout, /; enabled, it runs what it was started with until restarted: xdaemon restart web\)\n$/);
  assert.equal((await sb.show('web.service')).MainPID, String(first), 'left running');

  const both = await install('--force', '--kill-timeout', '4000', '--now');
  assertCode(both, 0);
  assert.match(both.stdout, /; enabled, restarted: running\)\n$/);
  const second = Number((await unitState(sb, 'web.service', (p) => p.ActiveState === 'active')).MainPID);
  assert.notEqual(second, first);
  assert.equal((await sb.show('web.service', 'TimeoutStopUSec')).TimeoutStopUSec, '4s', 'the new unit runs');
});

systemTest('a service its manager is restarting: status exit 0 (supervised), with its restarts', async (t) => {
  const sb = await openSandbox(t);
  // It dies at once; systemd waits 3 s before each restart.
  assertCode(await sb.xd(['install', '--user', '--name', 'crash', '--restart-delay', '3000', '--', '/bin/sh', '-c', 'exit 3']), 0);
  assertCode(await sb.systemctl('start', '--no-block', 'crash.service'), 0);
  await unitState(sb, 'crash.service', (p) => p.SubState === 'auto-restart' && p.NRestarts === '1', 15_000);
  const status = await sb.xd(['status', 'crash']);
  assertCode(status, 0, 'restarting');
  assert.match(status.stdout, /^service crash \(systemd, user\): restarting \(activating\/auto-restart, result exit-code\), restarts 1$/m);
});

systemTest('a name that is both a daemon and a service is refused, naming both', async (t) => {
  const sb = await openSandbox(t);
  assertCode(await sb.xd(['install', '--user', '--name', 'twin', '--', NODE, WEB]), 0);
  assertCode(await sb.xd(['start', '--name', 'twin', '--', NODE, WEB]), 0);
  for (const verb of ['stop', 'restart', 'logs']) {
    const exit = await sb.xd([verb, 'twin']);
    assertCode(exit, 1, verb);
    assert.match(exit.stderr, /^xdaemon: "twin" is both a daemon \(xdaemon status twin\) and an installed service \(systemd, user service, .*twin\.service\)/, verb);
  }
  assert.equal((await sb.show('twin.service')).ActiveState, 'inactive', 'the service was not touched');
});

/**
 * An installed service's whole life under a real systemd user manager: install (enabled, not
 * started), start, a SIGKILL of its main process (systemd restarts it), stop (nothing of it is
 * left), uninstall (no unit is left).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { assertCode } from '../support/cli';
import { cleanup } from '../support/fixtures';
import { freePort, isGone } from '../support/harness';
import { NODE, SYSTEM_FIXTURES, body, get, openSandbox, systemTest, unitState, until } from './sandbox';

after(cleanup);

const WEB = join(SYSTEM_FIXTURES, 'web.cjs');

/** The processes of a unit's cgroup (none once it is gone). */
function cgroupProcs(controlGroup: string): number[] {
  for (const root of ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
    const file = join(root, controlGroup, 'cgroup.procs');
    if (existsSync(file)) return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
  }
  return [];
}

systemTest('install, start, SIGKILL: restarted; stop: nothing left; uninstall: no unit left', async (t) => {
  const sb = await openSandbox(t);
  const port = await freePort();
  const installed = await sb.xd(['install', '--user', '--name', 'web', '--restart-delay', '200', '--', NODE, WEB, `port:${port}`]);
  assertCode(installed, 0);
  assert.match(installed.stdout, /^installed web: .*web\.service \(systemd, user service; enabled, not started\)\n$/);
  assert.equal((await sb.show('web.service')).ActiveState, 'inactive', 'installed, not started');

  assertCode(await sb.systemctl('start', 'web.service'), 0);
  const up = await unitState(sb, 'web.service', (p) => p.ActiveState === 'active' && p.MainPID !== '0');
  const first = Number(up.MainPID);
  assert.equal(await until('an answer', () => body(port)), `${port} ${first}\n`);
  const { ControlGroup: cgroup } = await sb.show('web.service', 'ControlGroup');
  assert.ok(cgroup !== undefined && cgroup !== '', 'the unit has a cgroup');

  process.kill(first, 'SIGKILL');
  const again = await unitState(sb, 'web.service', (p) => p.ActiveState === 'active' && p.MainPID !== '0' && p.MainPID !== String(first));
  assert.equal(again.NRestarts, '1', 'systemd counted the restart');
  const second = Number(again.MainPID);
  assert.equal(await until('an answer of the restarted process', () => body(port)), `${port} ${second}\n`);

  assertCode(await sb.systemctl('stop', 'web.service'), 0);
  assert.equal((await sb.show('web.service')).ActiveState, 'inactive');
  assert.ok(isGone(second), 'the main process is gone');
  assert.deepEqual(cgroupProcs(cgroup as string), [], 'nothing of the unit is left');
  assert.ok('error' in (await get(port, '/', 1000)), 'nothing answers on its port');

  const removed = await sb.xd(['uninstall', 'web']);
  assertCode(removed, 0);
  assert.ok(!existsSync(join(sb.unitDir, 'web.service')), 'the unit file is gone');
  assert.equal((await sb.show('web.service')).LoadState, 'not-found', 'systemd no longer knows the unit');
});

/**
 * The library's `Service` (`xdaemon/service`) against a real systemd user manager, as the seed's
 * programs use it: the program handles its own install, start, status, restart, stop and
 * uninstall, and the unit runs it (`run`: its hooks, `ready()` through systemd-notify).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { assertCode } from '../support/cli';
import { cleanup, readText, tempDir } from '../support/fixtures';
import { freePort } from '../support/harness';
import { NODE, SYSTEM_FIXTURES, get, openSandbox, systemTest, unitState } from './sandbox';

after(cleanup);

const PROGRAM = join(SYSTEM_FIXTURES, 'lib-service.cjs');

systemTest("a program's own verbs: install, start (once ready), status, restart, stop (its stop hook), uninstall", async (t) => {
  const sb = await openSandbox(t);
  const port = await freePort();
  const marks = join(tempDir(), 'marks');
  const env = { SVC_PORT: String(port), SVC_MARKS: marks };
  const verb = (v: string) => sb.run(NODE, [PROGRAM, v], { env });

  const installed = await verb('install');
  assertCode(installed, 0);
  assert.match(installed.stdout, /^Service "lib-svc" installed: .*lib-svc\.service\n$/);
  assert.ok(existsSync(join(sb.unitDir, 'lib-svc.service')));

  assertCode(await verb('start'), 0);
  // systemctl start returned once the program was ready: it serves now.
  const first = await get(port);
  assert.ok('body' in first, JSON.stringify(first));
  const pid = Number(first.body.split(' ')[1]);
  assert.equal((await sb.show('lib-svc.service')).MainPID, String(pid));

  const status = await verb('status');
  assertCode(status, 0);
  assert.equal(status.stdout, 'Service "lib-svc": running (active/running)\n');

  assertCode(await verb('restart'), 0);
  const second = await get(port);
  assert.ok('body' in second && second.body !== first.body, `a new process serves: ${JSON.stringify(second)}`);
  assert.match(readText(marks), new RegExp(`^stopped ${pid}$`, 'm'), 'the restart ran the stop hook');

  assertCode(await verb('stop'), 0);
  await unitState(sb, 'lib-svc.service', (p) => p.ActiveState === 'inactive' && p.Result === 'success');
  const stopped = await verb('status');
  assert.equal(stopped.code, 3);
  assert.equal(stopped.stdout, 'Service "lib-svc": stopped (inactive/dead)\n');

  const removed = await verb('uninstall');
  assertCode(removed, 0);
  assert.equal(removed.stdout, 'Service "lib-svc" removed.\n');
  assert.ok(!existsSync(join(sb.unitDir, 'lib-svc.service')));
  assert.equal((await verb('status')).stdout, 'Service "lib-svc": not-installed (no ' + join(sb.unitDir, 'lib-svc.service') + ')\n');
});

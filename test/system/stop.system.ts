/**
 * How an installed service stops under a real systemd: as `killMode: 'group'` promises, every
 * process of the unit gets SIGTERM and its graceful stop (SIGKILL only after the kill timeout),
 * not only the main one; `npm start` (a parent that exits at once, a child that takes its time)
 * is the case that showed it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after } from 'node:test';
import { assertCode } from '../support/cli';
import { cleanup, readText, tempDir } from '../support/fixtures';
import { NODE, SYSTEM_FIXTURES, openSandbox, systemTest, unitState, until } from './sandbox';

after(cleanup);

systemTest('stop: every process of the unit gets SIGTERM and stops gracefully (KillMode=control-group)', async (t) => {
  const sb = await openSandbox(t);
  const marks = join(tempDir(), 'marks');
  assertCode(await sb.xd(['install', '--user', '--name', 'tree', '--', NODE, join(SYSTEM_FIXTURES, 'graceful-tree.cjs'), marks]), 0);
  assertCode(await sb.systemctl('start', 'tree.service'), 0);
  const child = await until('the child to start', async () => /^started (\d+)$/m.exec(readText(marks))?.[1]);
  const began = Date.now();
  assertCode(await sb.systemctl('stop', 'tree.service'), 0);
  const took = Date.now() - began;
  assert.match(readText(marks), new RegExp(`^graceful ${child}$`, 'm'), `the child finished its graceful stop (stop took ${took} ms)`);
  assert.ok(took >= 700, `stop waited for it: ${took} ms`);
  await unitState(sb, 'tree.service', (p) => p.ActiveState === 'inactive');
});

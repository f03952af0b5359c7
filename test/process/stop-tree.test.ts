/**
 * A stop reaches a worker's whole tree (Linux): also children that left its process group
 * (`detached: true`, `setsid`) and orphans of a double fork, which outlived the stop before.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fields, finished, launch, worker } from '../support/daemon-fixture';
import { cleanup } from '../support/fixtures';
import { isGone, signal } from '../support/harness';

after(cleanup);

test('SIGTERM to the supervisor stops a detached grandchild and a double-forked orphan that ignore SIGTERM', async (t) => {
  const d = await launch(t, { W_MODE: 'escapee', D_FIELDS: fields({ killTimeout: 500 }) });
  const w = await worker(d);
  const { detached, orphan } = w;
  assert.ok(detached !== undefined && orphan !== undefined, 'the worker names both');
  assert.ok(!isGone(detached) && !isGone(orphan), 'both run');
  signal(d.spid, 'SIGTERM');
  const { text, code } = await finished(d);
  assert.ok(isGone(w.pid) && isGone(detached) && isGone(orphan), text);
  const kill = /worker pid (\d+): (\d+) process\(es\) still running after killTimeout 500 ms: sending SIGKILL to ([\d, ]+)$/m.exec(text);
  assert.ok(kill, `a SIGKILL line:\n${text}`);
  const killed = (kill[3] ?? '').split(', ').map(Number);
  assert.ok(killed.includes(detached) && killed.includes(orphan), `both got SIGKILL: ${kill[0]}`);
  assert.match(text, /stopped \(count 1\/unlimited; errors 0\/3\)/);
  assert.equal(code, 0, text);
});

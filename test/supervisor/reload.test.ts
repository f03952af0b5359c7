/**
 * `Supervisor#reload()` in a program's own process (test/fixtures/supervisor-reload.cjs): each
 * instance replaced in turn, its old worker stopped only after the replacement was ready; a
 * second reload meanwhile refused; counted in `reloads` only.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FIXTURES, cleanup, records, run } from '../support/fixtures';
import { waitNoTagged } from '../support/harness';

after(cleanup);

interface Event {
  event: string;
  instance?: number;
  pid?: number;
  oldPid?: number;
}
interface Result {
  before: number[];
  report: { instances: { instance: number; workerPid: number; oldPid: number }[] };
  second: string;
  counters: { starts: number; restarts: number; reloads: number; errors: number };
  instances: number[];
  end: { code: number; reason: string };
  events: Event[];
}

test('Supervisor#reload(): instance by instance, new ready before old stopped; a second reload is refused', async () => {
  const res = await run(join(FIXTURES, 'supervisor-reload.cjs'), [], { timeout: 60_000 });
  assert.equal(res.code, 0, res.stderr);
  await waitNoTagged(5000);
  const [r] = records<Result>(res.stdout, 'RESULT');
  assert.ok(r);
  assert.equal(r.second, 'a reload is already under way');
  assert.deepEqual(r.report.instances.map((i) => [i.instance, i.oldPid]), [[0, r.before[0]], [1, r.before[1]]]);
  assert.deepEqual(r.instances, r.report.instances.map((i) => i.workerPid));
  assert.deepEqual([r.counters.starts, r.counters.reloads, r.counters.restarts, r.counters.errors], [2, 2, 0, 0]);
  assert.deepEqual(r.end, { code: 0, reason: 'stop' });
  const at = (event: string, pid: number | undefined): number => r.events.findIndex((e) => e.event === event && e.pid === pid);
  for (const { instance, workerPid, oldPid } of r.report.instances) {
    const ready = at('ready', workerPid);
    const oldExit = at('exit', oldPid);
    assert.ok(ready >= 0 && oldExit > ready, `instance ${instance}: old ${oldPid} exited after new ${workerPid} was ready`);
    assert.equal(r.events[ready]?.instance, instance);
  }
  // Instance 1's replacement starts only once instance 0's is ready (instance 0's old worker may still be stopping).
  assert.ok(at('reload-start', r.report.instances[1]?.workerPid) > r.events.findIndex((e) => e.event === 'reload-ready' && e.instance === 0));
});

/**
 * The exported Supervisor class, driven in-process by a program (test/fixtures/supervise-events.cjs)
 * the way forever-monitor users drive theirs: its events, each one object, in order, for a crash,
 * a requested restart, a stop, and a give-up.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FIXTURES, cleanup, records, run, tempDir } from '../support/fixtures';
import { isGone, waitNoTagged } from '../support/harness';

after(cleanup);

interface Event {
  event: string;
  pid?: number;
  workerPid?: number;
  code?: number | null;
  signal?: string | null;
  reason?: string;
  counters?: { starts: number; restarts: number; errors: number };
  state?: string;
}

async function scenario(name: string): Promise<Event[]> {
  const res = await run(join(FIXTURES, 'supervise-events.cjs'), [], { env: { S_SCENARIO: name, T_DIR: tempDir() }, timeout: 30_000 });
  assert.equal(res.code, 0, res.stderr);
  await waitNoTagged(5000);
  return records<Event>(res.stdout, 'EVENT');
}

test('a crash, a requested restart, a stop: events in order, one object each', async () => {
  const events = await scenario('crash-restart-stop');
  assert.deepEqual(
    events.map((e) => e.event),
    ['start', 'started', 'exit', 'start', 'ready', 'restarting', 'exit', 'start', 'restarted', 'ready', 'exit', 'stop', 'ended', 'status'],
    JSON.stringify(events, null, 1),
  );
  const [start1, started, exit1, start2, ready2, , exit2, start3, restarted, ready3, exit3, stop, ended, status] = events as Event[];
  assert.equal(started?.workerPid, start1?.pid, 'start() resolves with the first worker');
  assert.equal(exit1?.pid, start1?.pid);
  assert.equal(exit1?.code, 1, 'the first worker crashed');
  assert.equal(ready2?.pid, start2?.pid);
  assert.equal(exit2?.pid, start2?.pid);
  assert.equal(exit2?.signal, 'SIGTERM', 'the restart stopped it gracefully');
  assert.equal(restarted?.workerPid, start3?.pid);
  assert.equal(ready3?.pid, start3?.pid);
  assert.deepEqual(start3?.counters, { starts: 2, restarts: 1, reloads: 0, errors: 1, maxCount: 0, maxError: 3 }, 'a restart counts in restarts only');
  assert.equal(exit3?.pid, start3?.pid);
  assert.deepEqual(stop?.counters?.restarts, 1);
  assert.deepEqual({ code: ended?.code, reason: ended?.reason }, { code: 0, reason: 'stop' });
  assert.equal(status?.state, 'ended');
  for (const e of [start1, start2, start3]) assert.ok(e?.pid !== undefined && isGone(e.pid));
});

test('a worker that always dies: start() rejects and giveup reports maxError with code 1', async () => {
  const events = await scenario('giveup');
  assert.deepEqual(
    events.map((e) => e.event),
    ['start', 'exit', 'start', 'exit', 'giveup', 'ended'],
    JSON.stringify(events, null, 1),
  );
  const giveup = events.find((e) => e.event === 'giveup');
  assert.deepEqual({ code: giveup?.code, reason: giveup?.reason }, { code: 1, reason: 'maxError' });
  assert.equal(events.at(-1)?.code, 1);
});

/**
 * The supervisor's own restarts, driven in-process through the built Supervisor class with real
 * workers: the memory limit (the worker's tree above maxMemory → a graceful restart once it has
 * crossed it, counted in restarts, never in errors) and the cron schedule (a restart at the
 * minute, not before it, with a clock the test moves to the minute). No speed is asserted here:
 * how soon the check acts is the bench's to measure. Plus the schedule's next time (its
 * check is the settings': test/settings/check.test.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Supervisor as SupervisorClass, SupervisorEvents } from '../../src/supervisor/supervisor';
import { nextTime } from '../../src/supervisor/cron-restart';
import { FIXTURES, ROOT, cleanup, readText, tempDir } from '../support/fixtures';
import { taggedEnv, waitFor, withTimeout } from '../support/harness';

after(cleanup);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Supervisor } = require(join(ROOT, 'dist', 'supervisor-core.js')) as { Supervisor: typeof SupervisorClass };

type Seen = { [K in keyof SupervisorEvents]?: { at: number; info: SupervisorEvents[K][0] }[] };

/** Records every event of `sup` with the time it came. */
function record(sup: SupervisorClass): Seen {
  const seen: Seen = {};
  for (const event of ['start', 'exit', 'restarting', 'auto-restart', 'notice'] as const) {
    sup.on(event, ((info: unknown) => void ((seen[event] ??= []) as { at: number; info: unknown }[]).push({ at: Date.now(), info })) as never);
  }
  return seen;
}

test('maxMemory 80M: a worker that grows past it is restarted once it has crossed, counted in restarts, errors 0', async (t) => {
  const log = join(tempDir(), 'grow.log');
  const limit = 80 * 1024 * 1024;
  const sup = new Supervisor({ command: process.execPath, args: [join(FIXTURES, 'grow.cjs')], env: taggedEnv({ G_MAX_MB: '150' }), logFile: log, maxMemory: limit });
  t.after(() => sup.stop());
  const seen = record(sup);
  const { workerPid } = await sup.start();
  const restart = await waitFor('a restart for memory', () => seen['auto-restart']?.[0], 15_000);
  assert.equal(restart.info.cause, 'memory');
  assert.equal(restart.info.pid, workerPid);
  assert.match(restart.info.message, new RegExp(`^memory: worker pid ${workerPid} tree at [\\d.]+ MB > 80\\.0 MB: restarting$`));
  // When the worker itself saw its RSS cross the limit (its own lines), and when the restart began.
  const crossed = readText(log)
    .split('\n')
    .map((l) => /^RSS (\d+) (\d+)$/.exec(l))
    .find((m) => m !== null && Number(m[1]) > limit);
  assert.ok(crossed, `the worker crossed the limit:\n${readText(log)}`);
  assert.ok(restart.at >= Number(crossed[2]), `the restart (at ${restart.at}) came after the worker crossed the limit (at ${crossed[2]})`);
  const next = await waitFor('the new worker', () => seen.start?.find((s) => s.info.pid !== workerPid));
  assert.deepEqual({ restarts: next.info.counters.restarts, errors: next.info.counters.errors, starts: next.info.counters.starts }, { restarts: 1, errors: 0, starts: 1 });
  assert.equal(seen.exit?.[0]?.info.signal, 'SIGTERM', 'stopped gracefully');
});

test('cronRestart: the worker is restarted at the minute, not before (a clock held 0.3 s before 04:00 local time, then moved to it)', async (t) => {
  const due = new Date(2030, 0, 15, 4, 0, 0, 0).getTime();
  // The clock stands before 04:00 until the start is over, then says 04:00: the cron timer wakes
  // every 0.3 s meanwhile and must not fire before the minute (the clock's time at the restart
  // says when it fired).
  let dueReached = false;
  const clock = { now: () => (dueReached ? due : due - 300) };
  const sup = new Supervisor({ command: process.execPath, args: [join(FIXTURES, 'cli-worker.cjs')], env: taggedEnv(), cronRestart: '0 4 * * *' }, { clock } as never);
  t.after(() => sup.stop());
  const seen = record(sup);
  // The test clock's time when the restart began (read then, not when asserting).
  const clockAtRestart: number[] = [];
  sup.on('auto-restart', () => void clockAtRestart.push(clock.now()));
  const { workerPid } = await sup.start();
  assert.equal(seen['auto-restart']?.length ?? 0, 0, 'nothing before the minute');
  dueReached = true;
  const restart = await waitFor('the restart at 04:00', () => seen['auto-restart']?.[0], 10_000);
  assert.equal(restart.info.cause, 'cron');
  assert.deepEqual(clockAtRestart, [due], 'at the minute, not before');
  assert.match(restart.info.message, /^cron: "0 4 \* \* \*" is due at .*04:00:00.*: restarting worker pid \d+$/);
  const next = await waitFor('the new worker', () => seen.start?.find((s) => s.info.pid !== workerPid));
  assert.equal(next.info.counters.restarts, 1);
  assert.equal(next.info.counters.errors, 0);
  assert.equal(seen['auto-restart']?.length, 1, 'once at 04:00, the next is tomorrow');
  await withTimeout(sup.stop(), 10_000, 'the stop');
});

test('the next time of a schedule is in local time', () => {
  const from = new Date(2030, 0, 15, 3, 59, 59, 900).getTime();
  assert.equal(nextTime('0 4 * * *', from), new Date(2030, 0, 15, 4, 0, 0, 0).getTime());
  assert.equal(nextTime('0 4 * * *', new Date(2030, 0, 15, 4, 0, 0, 0).getTime()), new Date(2030, 0, 16, 4, 0, 0, 0).getTime());
});

/**
 * `cronRestart` promises that its other tests leave open (README, "Metrics and limits"): in the
 * system's local time, DST included — this file runs in Europe/Berlin, so UTC and local time
 * differ, and 2030's DST changes (March 31, October 27) fall inside the schedules; and without
 * `listen`, a due time restarts every instance (counted in `restarts`, never a reload), with the
 * built Supervisor class and a clock of the test's own.
 */
process.env.TZ = 'Europe/Berlin';

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { nextTime } from '../../src/supervisor/cron-restart';
import type { Supervisor as SupervisorClass, SupervisorEvents } from '../../src/supervisor/supervisor';
import { FIXTURES, ROOT, cleanup } from '../support/fixtures';
import { taggedEnv, waitFor, withTimeout } from '../support/harness';

after(cleanup);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Supervisor } = require(join(ROOT, 'dist', 'supervisor-core.js')) as { Supervisor: typeof SupervisorClass };

const HOUR = 3_600_000;
/** A local time in 2030 (month from 1). */
const local = (month: number, day: number, hour: number, minute = 0): number => new Date(2030, month - 1, day, hour, minute).getTime();

test('the schedule is in local time: 04:00 in Berlin is 03:00 UTC in winter, 02:00 UTC in summer', () => {
  assert.equal(new Date(local(1, 15, 12)).getTimezoneOffset(), -60, 'the file runs in Berlin time');
  assert.equal(new Date(nextTime('0 4 * * *', Date.UTC(2030, 0, 15, 0, 0)) as number).toISOString(), '2030-01-15T03:00:00.000Z');
  assert.equal(new Date(nextTime('0 4 * * *', Date.UTC(2030, 6, 15, 0, 0)) as number).toISOString(), '2030-07-15T02:00:00.000Z');
});

test('across DST: a daily 04:00 stays at 04:00 local (23 h in March, 25 h in October); a skipped 02:30 runs once at 03:00; a doubled 02:30 runs once', () => {
  const march = nextTime('0 4 * * *', local(3, 30, 4)) as number;
  assert.equal(march, local(3, 31, 4));
  assert.equal(march - local(3, 30, 4), 23 * HOUR);
  const october = nextTime('0 4 * * *', local(10, 26, 4)) as number;
  assert.equal(october, local(10, 27, 4));
  assert.equal(october - local(10, 26, 4), 25 * HOUR);
  // 02:00–03:00 does not exist on March 31: 02:30's restart comes at 03:00 that day, not a day later.
  assert.equal(nextTime('30 2 * * *', local(3, 30, 4)), Date.UTC(2030, 2, 31, 1, 0));
  // 02:00–03:00 comes twice on October 27: the restart comes at the first 02:30 only.
  const first = nextTime('30 2 * * *', local(10, 27, 0)) as number;
  assert.equal(first, Date.UTC(2030, 9, 27, 0, 30));
  assert.equal(nextTime('30 2 * * *', first), Date.UTC(2030, 9, 28, 1, 30), 'not again an hour later');
});

test('cronRestart without listen, 2 instances: a due time restarts every instance (restarts, not reloads), at 04:00 local', async (t) => {
  const due = local(1, 15, 4);
  const t0 = Date.now();
  const clock = { now: () => due - 400 + (Date.now() - t0) };
  const sup = new Supervisor({ command: process.execPath, args: [join(FIXTURES, 'cli-worker.cjs')], env: taggedEnv(), instances: 2, cronRestart: '0 4 * * *' }, { clock } as never);
  t.after(() => sup.stop());
  const seen: SupervisorEvents['auto-restart'][0][] = [];
  sup.on('auto-restart', (info) => seen.push(info));
  await sup.start();
  const pids = (): (number | undefined)[] => sup.status().instances.map((i) => i.workerPid);
  const before = await waitFor('two workers', () => (pids().every((p) => p !== undefined) ? pids() : undefined));
  await waitFor('both instances restarted', () => (pids().every((p, i) => p !== undefined && p !== before[i]) ? true : undefined), 20_000);
  assert.equal(seen.length, 1, 'one restart of the daemon');
  assert.equal(seen[0]?.cause, 'cron');
  assert.match(seen[0]?.message ?? '', new RegExp(`^cron: "0 4 \\* \\* \\*" is due at Tue Jan 15 2030 04:00:00 GMT\\+0100 .*: restarting workers ${before.join(', ')}$`));
  assert.deepEqual(
    sup.status().instances.map((i) => [i.counters.restarts, i.counters.reloads, i.counters.errors]),
    [
      [1, 0, 0],
      [1, 0, 0],
    ],
  );
  await withTimeout(sup.stop(), 10_000, 'the stop');
});

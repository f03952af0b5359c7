/**
 * Crash loop: a worker that dies at once, restarted at once (minExitTime 0, maxError huge), over
 * 10 starts at STRESS_SCALE=1 (60 from 6 on), however long they take. The supervisor's own CPU
 * time must stay a small fraction of the workers' (it only spawns, waits and logs), and it must
 * still stop cleanly. The pace is printed, never asserted (a loaded machine is slow).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cleanup, tempDir } from '../support/fixtures';
import { procStat, signal, waitAllGone, waitGone, waitNoTagged } from '../support/harness';
import {
  SCALE,
  expectCleanStop,
  launchDaemon,
  send,
  startedPids,
  supervisorMessages,
  waitMessages,
  CLK_TCK,
} from './stress-helpers';

after(cleanup);

/** How many starts the CPU is compared over. */
const STARTS = Math.min(60, 10 * SCALE);
/** The supervisor may use at most this fraction of the CPU its workers use. */
const MAX_RATIO = 0.25;

test(`crash loop of ${STARTS} starts: the supervisor's CPU is a small fraction of its workers'`, { timeout: 120_000 + STARTS * 3000 }, async () => {
  const l = await launchDaemon(join(tempDir(), 'crash.log'), { maxError: 1e9, minExitTime: 0 }, { W_MODE: 'exit' });
  try {
    // Measure from the first exit on, so the supervisor's own start-up is not counted.
    await waitMessages(l, /^worker exited/);
    const s0 = procStat(l.spid);
    const starts0 = startedPids(supervisorMessages(l.tail.refresh(), l.spid)).length;
    const t0 = process.hrtime.bigint();
    assert.ok(s0, 'the supervisor runs');
    // A number of starts, however long they take here (no pace is asserted: a loaded machine is slow).
    await waitMessages(l, /^worker started/, starts0 + STARTS, 60_000 + STARTS * 3000);
    const s1 = procStat(l.spid);
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    const starts = startedPids(supervisorMessages(l.tail.refresh(), l.spid)).length - starts0;
    assert.ok(s1, 'the supervisor still runs');
    const own = (s1.utime + s1.stime - s0.utime - s0.stime) / CLK_TCK;
    const workers = (s1.cutime + s1.cstime - s0.cutime - s0.cstime) / CLK_TCK;
    const ratio = own / workers;
    console.log(
      `crash loop: ${starts} starts in ${elapsed.toFixed(1)} s = ${(starts / elapsed).toFixed(1)} restarts/s; ` +
        `supervisor CPU ${own.toFixed(2)} s, workers' CPU ${workers.toFixed(2)} s (${((workers / Math.max(starts, 1)) * 1000).toFixed(0)} ms each); ` +
        `ratio ${(ratio * 100).toFixed(1)}% (max ${MAX_RATIO * 100}%)`,
    );
    assert.ok(workers > 0, 'the workers used CPU');
    assert.ok(ratio < MAX_RATIO, `supervisor CPU ${own.toFixed(2)} s vs workers ${workers.toFixed(2)} s: ratio ${ratio.toFixed(3)}`);
  } catch (err) {
    signal(l.spid, 'SIGTERM');
    await waitGone(l.spid).catch(() => undefined);
    throw err;
  }
  const report = await expectCleanStop(l, send(l.spid, 'SIGTERM'));
  const failures = report.messages.filter((m) => /^(giving up|worker start failed)/.test(m));
  assert.deepEqual(failures, [], 'no start failed and the supervisor never gave up');
  await waitAllGone([l.spid, ...report.workers]);
  await waitNoTagged();
});

/**
 * Spare storm (prewarm): again and again (30 times at STRESS_SCALE=1), wait for the spare, then
 * SIGKILL the worker (the spare must become the next one) or, every third round, the spare itself
 * (another must boot, counted nowhere). The supervisor's descriptors do not grow, every
 * restart after a booted spare uses it, and at the stop neither worker nor spare is left.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FIXTURES, cleanup, matching, readText, records, run, supervisorPid, tempDir } from '../support/fixtures';
import { fdCount, signal, signalOurs, spareOf, waitFor, waitGone, waitNoTagged } from '../support/harness';
import { scaled } from './stress-helpers';

after(cleanup);

const ROUNDS = scaled(30);

test(`prewarm: ${ROUNDS} rounds of killing the worker or the spare; every restart uses a spare, no descriptor grows, nothing is left`, async (t) => {
  const log = join(tempDir(), 'app.log');
  const res = await run(join(FIXTURES, 'spare-worker.cjs'), [], { env: { D_LOG: log, D_OPTIONS: JSON.stringify({ prewarm: true, minExitTime: 0, maxError: 1000 }) } });
  assert.equal(res.code, 0, res.stderr);
  const spid = supervisorPid(res.stderr);
  t.after(() => {
    signalOurs(spid, 'SIGKILL');
  });
  const workers = (): number[] => records<{ pid: number }>(readText(log), 'WORKER').map((w) => w.pid);
  await waitFor('the first worker', () => workers()[0]);
  let spare = await waitFor('the first spare', () => spareOf(spid, workers()));
  const fds = fdCount(spid);
  let killedSpares = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    if (round % 3 === 0) {
      signal(spare, 'SIGKILL');
      killedSpares++;
      const old = spare;
      spare = await waitFor(`round ${round}: a spare other than ${old}`, () => {
        const pid = spareOf(spid, workers());
        return pid !== undefined && pid !== old ? pid : undefined;
      });
      continue;
    }
    const worker = workers().at(-1) as number;
    signal(worker, 'SIGKILL');
    await waitFor(`round ${round}: the spare ${spare} as the next worker`, () => workers().includes(spare));
    const became = spare;
    spare = await waitFor(`round ${round}: the next spare`, () => {
      const pid = spareOf(spid, workers());
      return pid !== undefined && pid !== became ? pid : undefined;
    });
  }
  const text = readText(log);
  assert.equal(matching(text, / from the spare$/).length, ROUNDS - killedSpares, 'every restart used the waiting spare');
  assert.equal(matching(text, /the spare pid \d+ ended while waiting \(SIGKILL\): booting another/).length, killedSpares);
  const now = fdCount(spid);
  assert.ok(now <= fds, `the supervisor's descriptors did not grow: ${fds} after the first spare, ${now} now`);
  signal(spid, 'SIGTERM');
  await waitGone(spid);
  await waitNoTagged();
});

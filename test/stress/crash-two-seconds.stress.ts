/**
 * The figure on the real clock: an app that crashes 2 s after each start (its database is
 * down), started by `xdaemon start` with a named daemon's defaults (no restart flag), is still
 * being brought back after 10 minutes at STRESS_SCALE=10 (the full size; one minute at the default 1): each
 * run lasts longer than the stable run (1 s), so no failure counts in a row, and each restart waits
 * the backoff's first step (100 ms). test/cli/defaults.test.ts proves the same rule on a clock
 * scaled down ten times, test/supervisor/policy.test.ts as a pure rule over an hour.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type StatusJson, assertCode, newHome, statusOf, xd } from '../support/cli';
import { cleanup } from '../support/fixtures';
import { restartsOfEveryCause } from '../../src/fleet/restart-count';
import { SCALE } from './stress-helpers';

after(cleanup);

const MINUTES = Math.min(SCALE, 10);
/** How often the daemon is looked at. */
const SAMPLE_MS = 30_000;
/** A run of 2 s, its exit, 100 ms of backoff and a shell's start: at most this long per start. */
const RUN_MS = 2400;

test(`an app crashing 2 s after each start is still coming back after ${MINUTES} minutes`, { timeout: MINUTES * 60_000 + 120_000 }, async (t) => {
  const home = newHome(t);
  const script = 'echo up; sleep 2; echo "Error: connect ECONNREFUSED 127.0.0.1:5432" >&2; exit 1';
  assertCode(await xd(home, ['start', '--name', 'flaky', '--', 'sh', '-c', script]), 0, 'it runs longer than a stable run (1 s)');
  const t0 = Date.now();
  const end = t0 + MINUTES * 60_000;
  let last: StatusJson | undefined;
  while (Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(SAMPLE_MS, end - Date.now())));
    const { status } = await statusOf(home, 'flaky');
    const minutes = ((Date.now() - t0) / 60_000).toFixed(1);
    assert.ok(status.state === 'running' || status.state === 'restarting', `still supervised after ${minutes} min: ${status.state}`);
    assert.equal(status.errors, 0, `no failure in a row after ${minutes} min`);
    if (last !== undefined) assert.ok(status.starts > last.starts, `new starts since the last look (${last.starts} → ${status.starts})`);
    last = status;
  }
  assert.ok(last !== undefined);
  const elapsed = Date.now() - t0;
  const restarts = restartsOfEveryCause(last);
  console.log(`crash every 2 s: ${last.starts} starts in ${(elapsed / 60_000).toFixed(1)} min (${(elapsed / last.starts / 1000).toFixed(2)} s a run), ${restarts} restarts, state ${last.state}`);
  assert.ok(last.starts >= elapsed / RUN_MS, `${last.starts} starts in ${elapsed} ms: no pause longer than the first backoff step`);
  assert.equal(restarts, last.starts - 1, "list's restarts: every start but the first");
});

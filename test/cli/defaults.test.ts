/**
 * A named daemon's defaults, through `xdaemon` with real processes, on a clock scaled down ten
 * times (the rule is the same, the seconds are tenths): with minExitTime 0.1 s (1 s), a restart
 * delay of 10 ms doubling up to 150 ms (100 ms up to 1.5 s), an app that crashes 0.2 s after each
 * start (2 s) is still coming back after 6 s (a minute; test/stress/crash-two-seconds.stress.ts
 * runs the real one for 10 minutes), far beyond the 16 failures that give up; one that dies at
 * once is given up after 16 failures in a row: `errored` in list and status, its restarts counted,
 * its last lines shown. The unscaled rule is test/supervisor/policy.test.ts's.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type StatusJson, assertCode, newHome, statusOf, waitForAsync, xd } from '../support/cli';
import { cleanup } from '../support/fixtures';

after(cleanup);

/** The named daemon's rule, ten times faster. */
const SCALED = ['--min-exit-time', '0.1', '--restart-delay', '10', '--backoff', 'exponential', '--max-restart-delay', '150'];

// A shell, not node: its start-up (a few ms) does not count against a tenth of a second.
test('an app that crashes 0.2 s after each start keeps coming back: 30 runs later it still runs, its restarts counted', async (t) => {
  const home = newHome(t);
  const script = 'echo up; sleep 0.2; echo "Error: the database is down" >&2; exit 1';
  assertCode(await xd(home, ['start', '--name', 'flaky', ...SCALED, '--', 'sh', '-c', script]), 0, 'it runs longer than a stable run (0.1 s)');
  const status = await waitForAsync('30 runs', async () => {
    const s = (await statusOf(home, 'flaky')).status;
    return s.starts >= 30 || (s.state !== 'running' && s.state !== 'restarting') ? s : undefined;
  }, 60_000);
  assert.ok(status.state === 'running' || status.state === 'restarting', `still supervised: ${status.state}`);
  assert.ok(status.starts >= 30, `more starts (${status.starts}) than the 16 failures in a row that would give up`);
  assert.equal(status.errors, 0, 'each run lasted: no failure in a row');
  const list = (await xd(home, ['list'])).stdout;
  // ID NAME STATE PID WORKER UPTIME CPU MEM (`3.4 MB`) HEALTH STARTS RESTARTS … (WORKER and the rest `-` between two runs)
  const restarts = Number(/^\d+ +flaky +(?:running|restarting) +\d+ +\S+ +\S+ +\S+ +(?:[\d.]+ [KMG]?B|-) +- +\d+ +(\d+) /m.exec(list)?.[1]);
  assert.ok(restarts >= status.starts - 2, `list: ${restarts} restarts\n${list}`);
});

test('an app that dies at once: start says why (exit 1); 16 failures in a row later it is errored, with its restarts and last lines', async (t) => {
  const home = newHome(t);
  const script = 'echo "Error: missing configuration file /etc/app.json" >&2; exit 2';
  const start = await xd(home, ['start', '--name', 'broken', ...SCALED, '--', 'sh', '-c', script]);
  assertCode(start, 1);
  assert.match(start.stderr, /^xdaemon: broken did not come up: its worker( pid \d+)? exited with code 2 after \d+\.\d+ s \(Error: missing configuration file \/etc\/app\.json\); log \S+broken\.log; it is restarted with a backoff until it runs \(xdaemon stop broken ends it\)\n$/);
  const gaveUp = await waitForAsync('the give-up', async () => {
    const { status } = await statusOf(home, 'broken');
    return status.state === 'errored' ? status : undefined;
  }, 30_000);
  assert.equal((gaveUp as StatusJson & { ended?: { reason: string } }).ended?.reason.startsWith('giving up: 16 consecutive failures exceed maxError 15'), true);
  const list = (await xd(home, ['list'])).stdout;
  assert.match(list, /^\d+ +broken +errored +- +- +- +- +- +- +- +15 +- /m, `15 restarts (16 starts)\n${list}`);
  const status = await xd(home, ['status', 'broken']);
  assertCode(status, 3, 'not running (LSB 3)');
  assert.match(status.stdout, /^broken: errored\n/);
  assert.match(status.stdout, /\n  ended       \S+: giving up: 16 consecutive failures exceed maxError 15/);
  assert.match(status.stdout, /\n  last lines of the log:\n(    Error: missing configuration file \/etc\/app\.json\n)+/);
  const summary = await xd(home, ['status']);
  assert.match(summary.stdout, /^broken: errored \(giving up: 16 consecutive failures exceed maxError 15 .*ago\)$/m);
  // A stop on request afterwards: still nothing running, the give-up stays what it says.
  assert.match((await xd(home, ['stop', 'broken'])).stdout, /^broken was not running$/m);
});

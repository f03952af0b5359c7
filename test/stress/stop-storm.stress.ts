/**
 * Stop storms: SIGTERM/SIGINT reach the supervisor at awkward moments (right at its start, while
 * the worker boots, during a pending delayed restart, twice in a row, while the worker ignores
 * SIGTERM or leaves a grandchild that does). Every time: the supervisor's last line is its exit
 * with code 0, no worker starts after the signal was received, and every process is gone.
 * Each case runs 5 times at STRESS_SCALE=1.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cleanup, records, tempDir } from '../support/fixtures';
import { catchesSignal, waitAllGone, waitFor, waitNoTagged } from '../support/harness';
import {
  type Launched,
  type StopReport,
  expectCleanStop,
  launchDaemon,
  launchDaemonStreaming,
  scaled,
  send,
  waitMessages,
  waitWorkerRecord,
} from './stress-helpers';

after(cleanup);

const REPS = scaled(5);
const SIGTERM_NO = 15;

interface WorkerRecord {
  pid: number;
  grandchild?: number;
}

/** The WORKER records in the log so far. */
function workerRecords(l: Launched): WorkerRecord[] {
  return records<WorkerRecord>(l.tail.refresh().join('\n'), 'WORKER');
}

/** The only running worker, once it runs the program and has its SIGTERM disposition in place. */
async function runningWorker(l: Launched, catchesTerm: boolean): Promise<WorkerRecord> {
  const [pid] = (await waitMessages(l, /^worker started/)).map((m) => Number(/pid (\d+)/.exec(m)?.[1]));
  assert.ok(pid !== undefined);
  await waitWorkerRecord(l, pid);
  const rec = workerRecords(l).find((r) => r.pid === pid) as WorkerRecord;
  if (catchesTerm) await waitFor(`worker ${pid} to catch SIGTERM`, () => catchesSignal(pid, SIGTERM_NO));
  return rec;
}

/** The line of the SIGKILL after killTimeout 300 (`[process group of ]worker pid N still running …`). */
function killLine(pid: number): RegExp {
  return new RegExp(`^worker pid ${pid}: \\d+ process\\(es\\) still running after killTimeout 300 ms: sending SIGKILL to [\\d, ]+$`);
}

/** Counts of supervisor messages matching `re`. */
function count(report: StopReport, re: RegExp): number {
  return report.messages.filter((m) => re.test(m)).length;
}

/** Asserts that exactly `n` supervisor messages match `re`. */
function expectCount(report: StopReport, re: RegExp, n: number, what = ''): void {
  assert.equal(count(report, re), n, `${what ? `${what}: ` : ''}${n} × ${re} expected in:\n${report.messages.join('\n')}`);
}

/** Finishes a case: everything it caused is gone. */
async function allGone(l: Launched, report: StopReport, extra: number[] = []): Promise<void> {
  await waitAllGone([l.spid, ...report.workers, ...extra]);
  await waitNoTagged();
}

// Fails with src as of 7f35a89: the launcher prints the pid and exits while the supervisor is still
// in Node's start-up (~60-80 ms here), before supervisor-main has installed its SIGTERM handler,
// so the default action kills it: no line at all, no exit code 0. (Nothing is left running: no
// worker was started yet.) The launcher must wait until the supervisor handles stop signals.
describe('(a) SIGTERM the moment the launcher prints the supervisor pid (before any worker may start)', () => {
  for (let i = 1; i <= REPS; i++) {
    test(`#${i}`, async () => {
      let sentAt = 0;
      const l = await launchDaemonStreaming(join(tempDir(), 'a.log'), { minExitTime: 0 }, { W_MODE: 'run' }, (spid) => {
        sentAt = send(spid, 'SIGTERM');
      });
      const report = await expectCleanStop(l, sentAt);
      assert.ok(report.workers.length <= 1, `at most the first worker started: ${report.workers.join(', ')}`);
      await allGone(l, report);
    });
  }
});

describe('(a2) SIGTERM the moment the first worker is started (while Node boots in it)', () => {
  for (let i = 1; i <= REPS; i++) {
    test(`#${i}`, async () => {
      const l = await launchDaemon(join(tempDir(), 'a2.log'), { minExitTime: 0 }, { W_MODE: 'run' });
      await waitMessages(l, /^worker started/);
      const report = await expectCleanStop(l, send(l.spid, 'SIGTERM'));
      assert.equal(report.workers.length, 1);
      expectCount(report, /^stopping: sending SIGTERM to worker pid \d+ and every process it started$/, 1);
      await allGone(l, report);
    });
  }
});

describe('(b) SIGTERM during a pending restart (restartDelay 60000 after a crash): cancelled at once', () => {
  for (let i = 1; i <= REPS; i++) {
    test(`#${i}`, async () => {
      const l = await launchDaemon(join(tempDir(), 'b.log'), { minExitTime: 0, restartDelay: 60_000 }, { W_MODE: 'exit' });
      await waitMessages(l, /^restart in 60000 ms /);
      const report = await expectCleanStop(l, send(l.spid, 'SIGTERM'), 10_000);
      assert.ok(report.stopMs < 5000, `the pending restart was cancelled at once (stopped after ${report.stopMs} ms)`);
      assert.equal(report.workers.length, 1, 'the delayed restart never happened');
      expectCount(report, /^stopping: no worker running$/, 1);
      await allGone(l, report);
    });
  }
});

describe('(c) two stop signals in a row, back to back', () => {
  for (const [first, second] of [
    ['SIGTERM', 'SIGTERM'],
    ['SIGINT', 'SIGTERM'],
  ] as const) {
    for (let i = 1; i <= REPS; i++) {
      test(`${first} then ${second} #${i}`, async () => {
        const l = await launchDaemon(join(tempDir(), 'c.log'), { minExitTime: 0 }, { W_MODE: 'run' });
        await runningWorker(l, false);
        const sentAt = send(l.spid, first);
        send(l.spid, second);
        const report = await expectCleanStop(l, sentAt);
        assert.equal(report.workers.length, 1);
        // Each signal is logged once it is handled, in either order (any thread of the process can
        // take a process-directed signal). The second may also merge with an equal first one, or come
        // too late: the supervisor can have stopped and exited between the two kill() calls.
        const received = report.messages.filter((m) => m.startsWith('received '));
        const known = [`received ${first}: stopping, no further restarts`, `received ${second}: stopping, no further restarts`];
        assert.ok(received.length >= 1 && received.length <= 2, received.join('\n'));
        assert.ok(received.every((m) => known.includes(m)), received.join('\n'));
        if (received.length === 2) assert.deepEqual([...received].sort(), [...known].sort(), 'each signal is logged once');
        expectCount(report, /^stopping: /, 1, 'the second signal does not stop twice');
        expectCount(report, /^stopped /, 1);
        expectCount(report, /^supervisor exiting/, 1);
        await allGone(l, report);
      });
    }
  }
});

describe('(d) the worker ignores SIGTERM (killTimeout 300): SIGKILL after the timeout, a second signal meanwhile changes nothing', () => {
  for (let i = 1; i <= REPS; i++) {
    test(`#${i}`, async () => {
      const l = await launchDaemon(join(tempDir(), 'd.log'), { minExitTime: 0, killTimeout: 300 }, { W_MODE: 'ignore-term' });
      const worker = await runningWorker(l, true);
      const sentAt = send(l.spid, 'SIGTERM');
      await waitFor(`the worker to ignore SIGTERM`, () => l.tail.refresh().includes(`IGNORED SIGTERM ${worker.pid}`));
      send(l.spid, 'SIGINT');
      const report = await expectCleanStop(l, sentAt);
      assert.ok(report.stopMs >= 300, `SIGKILL only after killTimeout (stopped after ${report.stopMs} ms)`);
      assert.ok(report.stopMs < 5000, `stopped after ${report.stopMs} ms`);
      expectCount(report, killLine(worker.pid), 1);
      expectCount(report, new RegExp(`^worker exited: pid ${worker.pid} after [\\d.]+ s with signal SIGKILL `), 1);
      expectCount(report, /^stopping: /, 1);
      assert.deepEqual(report.workers, [worker.pid]);
      await allGone(l, report);
    });
  }
});

describe('(e) the worker leaves a grandchild that ignores SIGTERM (killTimeout 300): the whole group is killed', () => {
  for (let i = 1; i <= REPS; i++) {
    test(`#${i}`, async () => {
      const l = await launchDaemon(join(tempDir(), 'e.log'), { minExitTime: 0, killTimeout: 300 }, { W_MODE: 'grandchild' });
      const worker = await runningWorker(l, false);
      const gc = worker.grandchild;
      assert.ok(gc !== undefined, 'the worker reports its grandchild');
      await waitFor(`grandchild ${gc} to catch SIGTERM`, () => catchesSignal(gc, SIGTERM_NO));
      const report = await expectCleanStop(l, send(l.spid, 'SIGTERM'));
      assert.ok(report.stopMs >= 300, `the grandchild is killed only after killTimeout (stopped after ${report.stopMs} ms)`);
      expectCount(report, /^worker exited: pid \d+ after [\d.]+ s with signal SIGTERM /, 1, 'the worker itself obeys SIGTERM');
      expectCount(report, killLine(worker.pid), 1);
      await allGone(l, report, [gc]);
    });
  }
});

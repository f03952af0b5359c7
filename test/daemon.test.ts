/**
 * Daemon.run() with real processes: the launcher starts a detached supervisor and exits; the
 * supervisor restarts the worker within Go's limits, writes its lines to the log, and stops the
 * worker (and its process group) on SIGTERM/SIGINT.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DAEMON, type WorkerRecord, fields, finished, launch, logLine, loggedExitCode, worker } from './support/daemon-fixture';
import { cleanup, matching, readText, records, run, tempDir } from './support/fixtures';
import { childPids, isGone, signal, taggedPids, waitFor, waitGone } from './support/harness';
import { GUARD_NAME } from '../src/supervisor/group-guard';

after(cleanup);

const PREFIX = String.raw`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z xdaemon\[\d+\] `;
const COUNTERS = String.raw`\(count \d+/(\d+|unlimited); errors \d+/\d+\)$`;
/** Every line the supervisor writes, by type. */
const LINES = {
  supervisorStarted: new RegExp(
    `${PREFIX}supervisor started for: node \\S*daemon\\.cjs.* \\(maxCount (\\d+|unlimited), maxError \\d+, minExitTime [\\d.]+ s\\)$`,
  ),
  workerStarted: new RegExp(`${PREFIX}worker started: pid \\d+ ${COUNTERS}`),
  startFailed: new RegExp(`${PREFIX}worker start failed: .+ ${COUNTERS}`),
  workerExited: new RegExp(`${PREFIX}worker exited: pid \\d+ after \\d+\\.\\d{3} s with (code -?\\d+|signal SIG[A-Z0-9]+) ${COUNTERS}`),
  restart: new RegExp(`${PREFIX}restart in \\d+ ms ${COUNTERS}`),
  givingUp: new RegExp(`${PREFIX}giving up: \\d+ consecutive failures exceed maxError \\d+ \\(a failure is a run shorter than minExitTime, or a start that failed; \\d+ starts? in all\\)$`),
  done: new RegExp(`${PREFIX}done: maxCount \\d+ starts reached ${COUNTERS}`),
  received: new RegExp(`${PREFIX}received SIG(TERM|INT): stopping, no further restarts$`),
  hup: new RegExp(`${PREFIX}received SIGHUP: (log file reopened|cannot reopen the log file .*)$`),
  stopping: new RegExp(`${PREFIX}stopping: (no worker running|sending SIG[A-Z]+ to worker pid \\d+ and every process it started)$`),
  kill: new RegExp(`${PREFIX}worker pid \\d+: \\d+ process\\(es\\) still running after killTimeout \\d+ ms: sending SIGKILL to [\\d, ]+$`),
  stopped: new RegExp(`${PREFIX}stopped ${COUNTERS}`),
  exiting: new RegExp(`${PREFIX}supervisor exiting with code \\d+$`),
} as const;
type LineType = keyof typeof LINES;

const count = (text: string, type: LineType): number => matching(text, LINES[type]).length;
/** Milliseconds since the epoch of a log line's timestamp. */
const stamp = (line: string): number => Date.parse(line.slice(0, 24));

describe('Go semantics of the restart loop', () => {
  test('maxCount 2: two starts with markers 2 and 3, then done with exit code 0', async (t) => {
    const d = await launch(t, { D_FIELDS: fields({ maxCount: 2, minExitTime: 0 }) });
    const { text, code } = await finished(d);
    assert.equal(count(text, 'workerStarted'), 2, text);
    const workers = records<WorkerRecord>(text, 'WORKER');
    assert.deepEqual(workers.map((w) => w.marker), [2, 3], text);
    assert.deepEqual(workers.map((w) => w.markerNow), [null, null], 'the library removes XW_DAEMON_IDX from process.env');
    assert.ok(workers.every((w) => w.ppid === d.spid), 'workers are children of the supervisor');
    assert.equal(count(text, 'done'), 1, text);
    assert.match(text, /done: maxCount 2 starts reached \(count 2\/2; errors 0\/3\)/);
    assert.equal(count(text, 'givingUp'), 0, text);
    assert.equal(code, 0, text);
  });

  test('maxError 0, 1, 3 with a worker that dies at once: exactly 1, 2, 4 starts, then giving up with code 1', async (t) => {
    const cases: [maxError: number, starts: number][] = [
      [0, 1],
      [1, 2],
      [3, 4],
    ];
    await Promise.all(
      cases.map(async ([maxError, starts]) => {
        const d = await launch(t, { D_FIELDS: fields({ maxError }) });
        const { text, code } = await finished(d);
        assert.equal(count(text, 'workerStarted'), starts, `maxError ${maxError}:\n${text}`);
        assert.deepEqual(
          records<WorkerRecord>(text, 'WORKER').map((w) => w.marker),
          Array.from({ length: starts }, (_, i) => i + 2),
        );
        assert.equal(count(text, 'givingUp'), 1, text);
        assert.match(text, new RegExp(`giving up: ${maxError + 1} consecutive failures exceed maxError ${maxError} `));
        assert.equal(count(text, 'done'), 0, text);
        assert.equal(code, 1, `maxError ${maxError}:\n${text}`);
      }),
    );
  });

  test('a run of at least minExitTime resets the errors: die, live, die, die with maxError 1 is 4 starts', async (t) => {
    // The second worker lives until the test lets it go, once it has lived past minExitTime; the
    // others die at once, far within it (a Node start takes a fraction of the 2 s).
    const go = join(tempDir(), 'go');
    const d = await launch(t, {
      W_MODE: 'script',
      W_SCRIPT: JSON.stringify({ 2: 'exit', 3: 'await', 4: 'exit', 5: 'exit' }),
      W_GO: go,
      D_FIELDS: fields({ minExitTime: 2, maxError: 1 }),
    });
    await worker(d, 2);
    const seen = Date.now();
    await waitFor('the second worker to have lived past minExitTime', () => Date.now() - seen > 2100, 5000);
    writeFileSync(go, '');
    const { text, code } = await finished(d);
    assert.equal(count(text, 'workerStarted'), 4, `without the reset it would be 3:\n${text}`);
    const errorsAfterExit = matching(text, LINES.workerExited).map((l) => Number(/errors (\d+)\/1\)$/.exec(l)?.[1]));
    assert.deepEqual(errorsAfterExit, [1, 0, 1, 2], text);
    assert.equal(count(text, 'givingUp'), 1, text);
    assert.equal(code, 1, text);
  });

  test('a start that fails (working directory removed) counts as a start and as an error', async (t) => {
    const cwd = tempDir();
    const log = join(tempDir(), 'outside.log');
    const d = await launch(t, { W_MODE: 'rmcwd', D_FIELDS: fields({ maxError: 3 }) }, { cwd, log });
    const { text, code } = await finished(d);
    assert.equal(existsSync(cwd), false, 'the worker removed its working directory');
    assert.equal(count(text, 'workerStarted'), 1, text);
    const failed = matching(text, LINES.startFailed);
    assert.equal(failed.length, 3, text);
    for (const line of failed) {
      assert.ok(line.includes(cwd), `names the missing directory ${cwd}: ${line}`);
      assert.match(line, /ENOENT/);
    }
    // Each failed start is one more start and one more error, as in Go.
    assert.deepEqual(
      failed.map((l) => /\(count .*\)$/.exec(l)?.[0]),
      ['(count 2/unlimited; errors 2/3)', '(count 3/unlimited; errors 3/3)', '(count 4/unlimited; errors 4/3)'],
    );
    assert.equal(count(text, 'givingUp'), 1, text);
    assert.equal(code, 1, text);
  });
});

describe("the supervisor's own lines and identity", () => {
  test('every supervisor line has a timestamp, its pid, a known form and the counters', async (t) => {
    // A dying worker with a restart delay, then a long-running one killed from outside.
    const [dying, killed] = await Promise.all([
      launch(t, { W_CODE: '3', D_FIELDS: fields({ maxError: 1, restartDelay: 50 }) }),
      launch(t, { W_MODE: 'run', D_FIELDS: fields({ maxCount: 1 }) }),
    ]);
    const w = await worker(killed);
    signal(w.pid, 'SIGKILL');
    const runs = [
      {
        d: dying,
        types: ['supervisorStarted', 'workerStarted', 'workerExited', 'restart', 'workerStarted', 'workerExited', 'givingUp', 'exiting'],
      },
      { d: killed, types: ['supervisorStarted', 'workerStarted', 'workerExited', 'done', 'exiting'] },
    ] as const;
    for (const { d, types } of runs) {
      const { text } = await finished(d);
      const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('WORKER '));
      const seen = lines.map((line) => {
        assert.match(line, new RegExp(PREFIX), line);
        assert.equal(Number(/xdaemon\[(\d+)\]/.exec(line)?.[1]), d.spid, `the supervisor's pid: ${line}`);
        const type = (Object.keys(LINES) as LineType[]).find((k) => LINES[k].test(line));
        assert.ok(type, `a line of no known form: ${line}`);
        return type;
      });
      assert.deepEqual(seen, types, text);
      const times = lines.map(stamp);
      assert.ok(times.every((ms, i) => i === 0 || ms >= (times[i - 1] ?? 0)), `timestamps in order:\n${text}`);
      assert.ok(Math.abs((times[0] ?? 0) - Date.now()) < 60_000, `timestamps are now, in UTC: ${lines[0]}`);
    }
    const dyingText = readText(dying.log);
    assert.match(dyingText, /worker exited: pid \d+ after \d+\.\d{3} s with code 3 \(count 1\/unlimited; errors 1\/1\)/);
    assert.match(dyingText, /restart in 50 ms \(count 1\/unlimited; errors 1\/1\)/);
    assert.match(dyingText, /worker started: pid \d+ \(count 2\/unlimited; errors 1\/1\)/);
    assert.match(dyingText, /supervisor started for: node \S+daemon\.cjs \(maxCount unlimited, maxError 1, minExitTime 10 s\)/);
    const killedText = readText(killed.log);
    assert.match(killedText, new RegExp(`worker exited: pid ${w.pid} after \\d+\\.\\d{3} s with signal SIGKILL \\(count 1/1; errors 1/3\\)`));
  });

  test("process.title names what it supervises; the supervisor never runs the user's code", async (t) => {
    const d = await launch(t, { W_MODE: 'run', D_FIELDS: fields({ killTimeout: 500 }) });
    const w = await worker(d);
    const cmdline = readFileSync(`/proc/${d.spid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
    assert.ok(cmdline.startsWith('xdaemon supervisor: node '), cmdline);
    assert.ok(cmdline.includes(DAEMON), `names the fixture: ${cmdline}`);
    assert.equal(w.ppid, d.spid);
    signal(d.spid, 'SIGTERM');
    const { text, code } = await finished(d);
    const workers = records<WorkerRecord>(text, 'WORKER');
    assert.equal(workers.length, 1, text);
    assert.ok(workers.every((r) => r.pid !== d.spid), 'no WORKER record comes from the supervisor');
    assert.equal(code, 0, text);
  });
});

describe('stop', () => {
  test('SIGTERM and SIGINT: the worker gets SIGTERM, SIGKILL after killTimeout, exit code 0, no restart', async (t) => {
    await Promise.all(
      (['SIGTERM', 'SIGINT'] as const).map(async (sig) => {
        const d = await launch(t, { W_MODE: 'ignore-term', D_FIELDS: fields({ killTimeout: 500 }) });
        const w = await worker(d);
        signal(d.spid, sig);
        const { text, code } = await finished(d);
        assert.ok(isGone(d.spid) && isGone(w.pid));
        const order = [
          new RegExp(`received ${sig}: stopping`),
          new RegExp(`stopping: sending SIGTERM to worker pid ${w.pid} `),
          new RegExp(`worker pid ${w.pid}: \\d+ process\\(es\\) still running after killTimeout 500 ms: sending SIGKILL`),
          /stopped \(count 1\/unlimited; errors 0\/3\)/,
          /supervisor exiting with code 0$/,
        ];
        const at = order.map((re) => text.split('\n').findIndex((l) => re.test(l)));
        assert.ok(at.every((i, k) => i >= 0 && (k === 0 || i > (at[k - 1] ?? -1))), `${sig}: lines in order ${at}:\n${text}`);
        assert.match(text, new RegExp(`IGNORED SIGTERM ${w.pid}`), 'the worker got SIGTERM first');
        const lines = text.split('\n');
        const waited = stamp(lines[at[2] ?? 0] ?? '') - stamp(lines[at[0] ?? 0] ?? '');
        assert.ok(waited >= 450, `SIGKILL came ${waited} ms after the stop, killTimeout is 500`);
        assert.match(text, /worker exited: pid \d+ after \S+ s with signal SIGKILL/);
        assert.equal(count(text, 'workerStarted'), 1, `no restart after the stop:\n${text}`);
        assert.equal(code, 0, text);
      }),
    );
  });

  test("the worker's process group goes too: a grandchild that ignores SIGTERM is SIGKILLed", async (t) => {
    const d = await launch(t, { W_MODE: 'grandchild', D_FIELDS: fields({ killTimeout: 500 }) });
    const w = await worker(d);
    const gc = w.grandchild;
    assert.ok(gc !== undefined, 'the worker names its grandchild');
    assert.equal(isGone(gc), false, 'the grandchild runs');
    signal(d.spid, 'SIGTERM');
    const { text, code } = await finished(d);
    assert.ok(isGone(d.spid), 'supervisor gone');
    assert.ok(isGone(w.pid), 'worker gone');
    assert.ok(isGone(gc), 'grandchild gone');
    assert.match(text, /sending SIGKILL/, text);
    assert.equal(count(text, 'workerStarted'), 1, text);
    assert.equal(code, 0, text);
  });

  test('a stop during a pending restart cancels it at once', async (t) => {
    const d = await launch(t, { D_FIELDS: fields({ restartDelay: 60_000, minExitTime: 0 }) });
    await logLine(d, /restart in 60000 ms/);
    signal(d.spid, 'SIGTERM');
    const { text, code } = await finished(d, 5000);
    assert.match(text, /stopping: no worker running/);
    assert.equal(count(text, 'workerStarted'), 1, text);
    assert.equal(code, 0, text);
  });

  test('SIGKILL of the supervisor: the worker notices and exits by itself (also with no group guard left)', async (t) => {
    const d = await launch(t, { W_MODE: 'run' });
    const w = await worker(d);
    // The guard would stop the worker's group first (test/cli/supervisor-kill.test.ts): without it
    // (it was killed, say), the worker's own watch is what acts.
    const guard = await waitFor('the group guard', () => childPids(d.spid).find((pid) => readText(`/proc/${pid}/cmdline`).includes(GUARD_NAME)));
    signal(guard, 'SIGKILL');
    await waitGone(guard);
    signal(d.spid, 'SIGKILL');
    await waitGone(d.spid, 3000);
    await waitGone(w.pid, 3000);
    const text = readText(d.log);
    assert.match(text, new RegExp(`worker ${w.pid}: supervisor ${d.spid} is gone`), text);
    assert.equal(loggedExitCode(text), undefined, 'a SIGKILLed supervisor writes no exit line');
  });

  test('SIGHUP does not kill the supervisor (it reopens the log); SIGTERM then stops it', async (t) => {
    const d = await launch(t, { W_MODE: 'run', D_FIELDS: fields({ killTimeout: 500 }) });
    const w = await worker(d);
    signal(d.spid, 'SIGHUP');
    await logLine(d, LINES.hup);
    assert.equal(isGone(d.spid), false, 'the supervisor lives after SIGHUP');
    assert.equal(isGone(w.pid), false, 'so does the worker');
    signal(d.spid, 'SIGTERM');
    const { text, code } = await finished(d);
    assert.match(text, /received SIGHUP: log file reopened/);
    assert.equal(count(text, 'workerStarted'), 1, text);
    assert.equal(code, 0, text);
  });
});

describe('bad input fails in the foreground and leaves nothing behind', () => {
  const cases: { name: string; env: (dir: string) => NodeJS.ProcessEnv; message: (dir: string) => RegExp }[] = [
    {
      name: 'log file in a missing directory',
      env: (dir) => ({ D_LOG: join(dir, 'missing', 'app.log') }),
      message: (dir) => new RegExp(`${literal(join(dir, 'missing', 'app.log'))}.*ENOENT`),
    },
    {
      name: 'log file that is a directory',
      env: (dir) => ({ D_LOG: dir }),
      message: (dir) => new RegExp(`cannot open log file "${literal(dir)}": it is a directory`),
    },
    {
      name: 'log file that is not a string',
      env: () => ({ D_LOG_JSON: '42' }),
      message: () => /TypeError: xdaemon: logFile must be a string, got number 42/,
    },
    {
      name: 'maxError -1',
      env: () => ({ D_FIELDS: fields({ maxError: -1 }) }),
      message: () => /RangeError: xdaemon: maxError must be a finite number >= 0, got number -1/,
    },
    {
      name: 'maxCount "2" (not a number)',
      env: () => ({ D_FIELDS: fields({ maxCount: '2' }) }),
      message: () => /TypeError: xdaemon: maxCount must be a number, got "2"/,
    },
    {
      name: 'maxCount 1.5',
      env: () => ({ D_FIELDS: fields({ maxCount: 1.5 }) }),
      message: () => /RangeError: xdaemon: maxCount must be a whole number, got 1\.5/,
    },
    {
      name: 'killTimeout -5',
      env: () => ({ D_FIELDS: fields({ killTimeout: -5 }) }),
      message: () => /RangeError: xdaemon: killTimeout must be a finite number >= 0, got number -5/,
    },
    {
      name: 'unknown option',
      env: () => ({ D_OPTIONS: JSON.stringify({ bogus: 1 }) }),
      message: () => /TypeError: xdaemon: unknown option "bogus"/,
    },
    {
      name: 'backoff "linear"',
      env: () => ({ D_OPTIONS: JSON.stringify({ backoff: 'linear' }) }),
      message: () => /TypeError: xdaemon: backoff must be "fixed" or "exponential", got "linear"/,
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const dir = tempDir();
      const log = join(dir, 'app.log');
      const res = await run(DAEMON, [], { env: { D_LOG: log, ...c.env(dir) } });
      assert.notEqual(res.code, 0, `the launcher must fail: ${res.stderr}`);
      assert.match(res.stderr, c.message(dir));
      assert.doesNotMatch(res.stderr, /started supervisor/);
      assert.deepEqual(taggedPids(), [], 'no process left behind');
      assert.equal(records(res.stdout, 'WORKER').length, 0);
      assert.equal(records(readText(log), 'WORKER').length, 0);
    });
  }
});

/** `text` as a literal in a RegExp. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

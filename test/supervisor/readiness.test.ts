/**
 * Readiness: a worker calls ready(); the supervisor logs it; with waitReady the launcher returns
 * only once the first worker is ready, and a worker that dies first or is late is a failed start:
 * the launcher says why, exits non-zero, and nothing is left running.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DAEMON, fields, finished, launch, logLine, worker } from '../support/daemon-fixture';
import { cleanup, readText, records, run, tempDir } from '../support/fixtures';
import { signal, waitFor, waitNoTagged } from '../support/harness';

after(cleanup);

test('ready() is logged with the time it took; without waitReady the launcher does not wait for it', async (t) => {
  // The worker calls ready() only once the test creates `go`: the launcher has returned before it could.
  const go = join(tempDir(), 'go');
  const d = await launch(t, { W_MODE: 'serve', W_READY_MS: '300', W_READY_GO: go, D_FIELDS: fields({ killTimeout: 500 }) });
  const w = await worker(d);
  assert.doesNotMatch(d.stderr, /ready/);
  assert.doesNotMatch(readText(d.log), /worker ready/, 'not ready when the launcher returned');
  writeFileSync(go, '');
  const line = await logLine(d, /worker ready: pid \d+ after [\d.]+ s$/);
  const m = new RegExp(`worker ready: pid ${w.pid} after (\\d+\\.\\d{3}) s$`).exec(line);
  assert.ok(m, line);
  // The worker calls ready() 300 ms after it starts: the time is counted from the worker's start.
  assert.ok(Number(m[1]) >= 0.3, `ready after ${m[1]} s, not before the worker's own 300 ms`);
  signal(d.spid, 'SIGTERM');
  await finished(d);
});

test('waitReady: the launcher exits 0 only once the first worker is ready, naming it', async (t) => {
  // The worker calls ready() 500 ms after the test creates `go`; until then the launcher must wait.
  const log = join(tempDir(), 'daemon.log');
  const go = join(tempDir(), 'go');
  let returned = false;
  const launched = launch(t, { W_MODE: 'serve', W_READY_MS: '500', W_READY_GO: go, D_FIELDS: fields({ waitReady: 30_000, killTimeout: 500 }) }, { log });
  void launched.then(() => (returned = true), () => undefined);
  await waitFor('the worker', () => records(readText(log), 'WORKER')[0]);
  assert.equal(returned, false, 'the launcher waits while the worker is not ready');
  writeFileSync(go, '');
  const d = await launched;
  const w = await worker(d);
  const m = new RegExp(`started supervisor ${d.spid} \\(log: .*\\); worker ${w.pid} ready after (\\d+\\.\\d{3}) s`).exec(d.stderr);
  assert.ok(m, d.stderr);
  assert.ok(Number(m[1]) >= 0.5, `ready after ${m[1]} s: the worker's own 500 ms included`);
  signal(d.spid, 'SIGTERM');
  await finished(d);
});

for (const c of [
  { name: 'the worker never calls ready()', env: { W_MODE: 'late' }, waitReady: 700, reason: /did not call ready\(\) within 700 ms/ },
  // A deadline the worker's death comes well within, however slow its Node start-up.
  { name: 'the worker dies before it is ready', env: { W_MODE: 'exit', W_CODE: '3' }, waitReady: 20_000, reason: /exited with code 3 before it was ready/ },
]) {
  test(`waitReady, ${c.name}: a failed start, the launcher says why and exits 1, nothing is left`, async () => {
    const log = join(tempDir(), 'app.log');
    const res = await run(DAEMON, [], { env: { D_LOG: log, ...c.env, D_FIELDS: fields({ waitReady: c.waitReady, killTimeout: 500 }) } });
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /^xdaemon: the daemon did not start: /);
    assert.match(res.stderr, c.reason);
    assert.doesNotMatch(res.stderr, /started supervisor/);
    await waitNoTagged(5000);
    const text = readText(log);
    // Counted from the supervisor's lines: a worker stopped before its Node start-up ends (a loaded
    // machine, a 700 ms deadline) never writes a record of its own.
    assert.equal(text.match(/worker started: pid \d+/g)?.length, 1, 'one start, no restart');
    assert.match(text, /giving up: the first worker never said it was ready/);
    assert.match(text, /supervisor exiting with code 1/);
  });
}

test('waitReady on a later worker: one that is late is stopped and counts as a failure', async (t) => {
  // The first worker is ready at once and exits after 300 ms; the next ones never say ready.
  // waitReady leaves the first worker's Node start-up room on a loaded machine (400 ms did not).
  const d = await launch(t, {
    W_MODE: 'script',
    W_SCRIPT: JSON.stringify({ 2: 'serve-exit', 3: 'late', 4: 'late' }),
    D_FIELDS: fields({ waitReady: 2000, maxError: 1, minExitTime: 0, killTimeout: 300 }),
  });
  const { text, code } = await finished(d, 20_000);
  assert.match(text, /worker pid \d+ did not call ready\(\) within 2000 ms: stopping it/, text);
  assert.match(text, /giving up: 2 consecutive failures exceed maxError 1/, text);
  assert.equal(code, 1, text);
});

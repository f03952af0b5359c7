/**
 * Calls that would start a process nobody supervises are refused with a clear error: run() twice,
 * background() after run(), either from a worker thread. Options left undefined get the defaults.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fields, launch, worker } from './support/daemon-fixture';
import { FIXTURES, ROOT, cleanup, readText, records, run, supervisorPid, tempDir } from './support/fixtures';
import { isGone, taggedPids, waitFor, waitNoTagged } from './support/harness';
import { GUARD_NAME } from '../src/supervisor/group-guard';

after(cleanup);

test('run() again, or background(), in a worker throws an XDaemonError and starts nothing', async (t) => {
  const d = await launch(t, { W_MODE: 'again', D_FIELDS: fields({ killTimeout: 500 }) });
  const w = await worker(d);
  const [tried] = records<{ run: string; background: string }>(readText(d.log), 'AGAIN');
  assert.ok(tried, readText(d.log));
  for (const [call, outcome] of [
    ['Daemon.run()', tried.run],
    ['background()', tried.background],
  ] as const) {
    assert.equal(
      outcome,
      `XDaemonError: ${call} cannot be called after Daemon.run() in the same process (pid ${w.pid}): this process is a supervised worker, and what it started would escape its supervisor`,
    );
  }
  // Besides the supervisor's group guard (a shell).
  const tagged = taggedPids().filter((pid) => !readText(`/proc/${pid}/cmdline`).includes(GUARD_NAME));
  assert.deepEqual(tagged.sort(), [d.spid, w.pid].sort(), 'no extra supervisor or copy');
});

for (const call of ['run', 'background'] as const) {
  test(`${call === 'run' ? 'Daemon.run()' : 'background()'} in a worker thread throws and starts nothing`, async () => {
    const log = join(tempDir(), 'thread.log');
    const res = await run(join(FIXTURES, 'thread.cjs'), [], { env: { T_CALL: call, D_LOG: log } });
    assert.equal(res.code, 0, res.stderr);
    const [outcome] = records<{ name: string; message: string }>(res.stdout, 'THREAD');
    const name = call === 'run' ? 'Daemon.run()' : 'background()';
    assert.deepEqual(outcome, { name: 'XDaemonError', message: `${name} cannot be called from a worker thread: call it at the top of the main script` });
    assert.equal(records(res.stdout, 'MAIN').length, 1, 'the program goes on');
    assert.doesNotMatch(res.stderr, /started/);
    assert.equal(existsSync(log), false, 'the log was not opened');
    await waitNoTagged(3000);
  });
}

test('options and fields set to undefined mean "not set": the defaults apply', async () => {
  const log = join(tempDir(), 'undefined.log');
  const res = await run(join(ROOT, 'test', 'stress', 'fixtures', 'daemon-js.cjs'), [], {
    env: {
      D_LOG: log,
      D_ARGS_JS: '[process.env.D_LOG, { maxCount: undefined, maxError: undefined, killTimeout: undefined }]',
      D_FIELDS_JS: '{ minExitTime: undefined, restartDelay: undefined }',
    },
  });
  assert.equal(res.code, 0, res.stderr);
  const spid = supervisorPid(res.stderr);
  await waitFor('the supervisor to give up', () => isGone(spid));
  assert.match(readText(log), /supervisor started for: .* \(maxCount unlimited, maxError 3, minExitTime 10 s\)/);
  assert.match(readText(log), /giving up: 4 consecutive failures exceed maxError 3/);
});

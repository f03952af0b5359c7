/** Daemon.run() beyond the basic loop: DEBUG tracing, a supervisor in the foreground, ESM users. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FIXTURES, cleanup, matching, readText, records, run, supervisorPid, tempDir } from './support/fixtures';
import { isGone, waitFor, waitNoTagged } from './support/harness';

after(cleanup);

const DAEMON = join(FIXTURES, 'daemon.cjs');

test('DEBUG=xdaemon* traces the decisions of each role through debug', async () => {
  const log = join(tempDir(), 'debug.log');
  const res = await run(DAEMON, [], {
    env: { D_LOG: log, D_FIELDS: JSON.stringify({ maxCount: 1, minExitTime: 0 }), DEBUG: 'xdaemon*', DEBUG_COLORS: '0' },
  });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stderr, /xdaemon:daemon call 1: launcher, starting the supervisor/);
  const spid = supervisorPid(res.stderr);
  await waitFor('the supervisor to finish', () => isGone(spid));
  const text = readText(log);
  assert.match(text, /xdaemon:supervisor decision \{ action: 'start'/, text);
  assert.match(text, /xdaemon:supervisor decision \{ action: 'exit', code: 0, reason: 'maxCount'/, text);
  assert.match(text, /xdaemon:daemon call 1: worker \(marker 2\)/, text);
});

test('without DEBUG nothing is traced', async () => {
  const log = join(tempDir(), 'quiet.log');
  const res = await run(DAEMON, [], { env: { D_LOG: log, D_FIELDS: JSON.stringify({ maxCount: 1, minExitTime: 0 }), DEBUG: '' } });
  assert.equal(res.code, 0, res.stderr);
  await waitFor('the supervisor to finish', () => isGone(supervisorPid(res.stderr)));
  assert.doesNotMatch(readText(log), /xdaemon:/);
});

test("started with the supervisor's own marker (as Go's supervisor is), run() supervises in the foreground", async () => {
  const log = join(tempDir(), 'fg.log');
  const res = await run(DAEMON, ['fg'], {
    env: { D_LOG: log, XW_DAEMON_IDX: '1', D_FIELDS: JSON.stringify({ maxCount: 2, minExitTime: 0 }) },
  });
  assert.equal(res.code, 0, `the foreground supervisor's exit code: ${res.stderr}`);
  const text = readText(log);
  const workers = records<{ marker: number; ppid: number }>(text, 'WORKER');
  assert.deepEqual(workers.map((w) => w.marker), [2, 3]);
  assert.match(text, /done: maxCount 2 starts reached/);
  assert.equal(records(res.stdout, 'WORKER').length, 0, 'the code after run() never ran in the foreground process');
  await waitNoTagged();
});

test('a foreground supervisor that gives up passes its exit code 1 through', async () => {
  const log = join(tempDir(), 'fg1.log');
  const res = await run(DAEMON, [], { env: { D_LOG: log, XW_DAEMON_IDX: '1', D_FIELDS: JSON.stringify({ maxError: 0 }) } });
  assert.equal(res.code, 1, res.stderr);
  assert.equal(matching(readText(log), /worker started/).length, 1);
});

test('Daemon from an ES module with options in the constructor', async () => {
  const log = join(tempDir(), 'esm.log');
  const res = await run(join(FIXTURES, 'daemon-esm.mjs'), [], { env: { D_LOG: log } });
  assert.equal(res.code, 0, res.stderr);
  await waitFor('the ESM worker', () => records(readText(log), 'ESMWORKER').length === 1);
  await waitFor('the supervisor to finish', () => isGone(supervisorPid(res.stderr)));
  assert.match(readText(log), /done: maxCount 1 starts reached/);
});

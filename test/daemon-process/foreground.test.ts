/**
 * A program started with the supervisor's own marker (`XW_DAEMON_IDX=1 node app.js`, as Go's
 * supervisor is) supervises in the foreground, and the pid the user started is the supervisor:
 * what supervisord, runit, `docker stop` and systemd's main-pid tracking rely on.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type TestContext, after, test } from 'node:test';
import { DAEMON, type WorkerRecord, fields, loggedPids, worker } from '../support/daemon-fixture';
import { cleanup, matching, readText, records, stopAfter, tempDir } from '../support/fixtures';
import { isGone, signal, start, waitAllGone, waitFor, withTimeout } from '../support/harness';

after(cleanup);

/** Starts the daemon fixture in the foreground, stopped with its tree when `t` ends; returns the process and the log path. */
function foreground(t: TestContext, env: NodeJS.ProcessEnv): { proc: ReturnType<typeof start>; log: string } {
  const log = join(tempDir(), 'fg.log');
  const proc = start(process.execPath, [DAEMON], { env: { XW_DAEMON_IDX: '1', D_LOG: log, ...env } });
  stopAfter(t, () => [proc.pid, ...loggedPids(readText(log))]);
  return { proc, log };
}

/** Every process of the worker's tree the record names. */
const treeOf = (w: WorkerRecord): number[] => [w.pid, w.detached, w.orphan].filter((p): p is number => p !== undefined);

test('SIGTERM to the pid the user started stops the worker and everything it started; exit code 0', async (t) => {
  const { proc, log } = foreground(t, { W_MODE: 'escapee', D_FIELDS: fields({ killTimeout: 500 }) });
  const w = await worker({ spid: proc.pid, log, stderr: '' });
  assert.equal(w.ppid, proc.pid, 'the worker is a child of the pid the user started');
  assert.ok(w.detached !== undefined && w.orphan !== undefined, 'the worker names its escaped children');
  signal(proc.pid, 'SIGTERM');
  const exit = await withTimeout(proc.done, 10_000, 'the foreground supervisor to exit');
  assert.equal(exit.code, 0, exit.stderr);
  await waitAllGone(treeOf(w), 3000);
  const text = readText(log);
  for (const where of [exit.stderr, text]) {
    assert.match(where, /received SIGTERM: stopping, no further restarts/, 'in the log and on stderr');
    assert.match(where, /supervisor exiting with code 0/);
  }
  assert.match(text, /sending SIGKILL to/, 'the children that ignore SIGTERM were killed');
  assert.equal(records(exit.stdout, 'WORKER').length, 0, 'the code after run() never ran in the supervisor');
});

test('SIGKILL of the pid the user started: nothing of the tree survives it for more than a moment', async (t) => {
  const { proc, log } = foreground(t, { W_MODE: 'escapee' });
  const w = await worker({ spid: proc.pid, log, stderr: '' });
  const killedAt = Date.now();
  signal(proc.pid, 'SIGKILL');
  // The issue asks for one second; the deadline leaves room for a loaded machine, the time is printed.
  await waitFor('the whole tree to be gone', () => treeOf(w).every(isGone), 3000, 10);
  console.log(`tree gone ${Date.now() - killedAt} ms after SIGKILL of the foreground supervisor`);
  // The group guard stopped the worker's group, its sweep what escaped it (the detached grandchild
  // and the orphan of a double fork, by their tree token); the worker's own watch may not get to.
});

test('the exit code is the supervisor\'s: 1 after a give-up, with the give-up on stderr', async (t) => {
  const { proc, log } = foreground(t, { D_FIELDS: fields({ maxError: 1 }) });
  const exit = await withTimeout(proc.done, 15_000, 'the foreground supervisor to give up');
  assert.equal(exit.code, 1, exit.stderr);
  assert.match(exit.stderr, /giving up: 2 consecutive failures exceed maxError 1/);
  assert.equal(matching(readText(log), /worker started/).length, 2);
  await waitAllGone(loggedPids(readText(log)));
});

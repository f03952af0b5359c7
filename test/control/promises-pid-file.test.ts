/**
 * "No pid read from a file is ever signalled: requests go through the control socket" (README,
 * `status()`, `stop()`, `restart()`), with a live process that is not the daemon's — a bystander
 * that notes every catchable signal it gets — named in the daemon's pid file: `status`, `restart`
 * and `stop` of a dead daemon (its supervisor SIGKILLed) and of a running one leave it alone.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, after, test } from 'node:test';
import { WORKER, assertCode, newHome, startDaemon, statusOf, workerRunning, xd } from '../support/cli';
import { cleanup, readText, tempDir } from '../support/fixtures';
import { isGone, procState, signal, signalOurs, start, waitFor, waitGone, waitLine } from '../support/harness';

after(cleanup);

const NODE = process.execPath;

/** A process that notes each signal it can catch in NOTES and otherwise runs on. */
const BYSTANDER = `'use strict';
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGQUIT', 'SIGCONT']) {
  process.on(sig, () => require('node:fs').appendFileSync(process.env.NOTES, sig + '\\n'));
}
console.log('BYSTANDER ' + process.pid);
setInterval(() => {}, 1 << 30);
`;

/** Starts a bystander; returns its pid and what it noted so far. */
async function bystander(t: TestContext): Promise<{ pid: number; noted: () => string }> {
  const notes = join(tempDir(), 'notes');
  const proc = start(NODE, ['-e', BYSTANDER], { env: { NOTES: notes } });
  // It catches SIGTERM: the end of the test kills it outright.
  t.after(() => signalOurs(proc.pid, 'SIGKILL'));
  await waitLine(proc, 'BYSTANDER');
  return { pid: proc.pid, noted: () => readText(notes) };
}

function assertUntouched(by: { pid: number; noted: () => string }, what: string): void {
  assert.ok(!isGone(by.pid), `${what}: the bystander lives`);
  assert.notEqual(procState(by.pid), 'T', `${what}: the bystander was not stopped`);
  assert.equal(by.noted(), '', `${what}: the bystander got no signal`);
}

test('a dead daemon whose pid file names a live bystander: status, restart and stop never signal it', async (t) => {
  const home = newHome(t);
  const by = await bystander(t);
  const spid = await startDaemon(home, ['--name', 'web', '--', NODE, WORKER]);
  const { pidFile } = await workerRunning(home, 'web');
  signal(spid, 'SIGKILL');
  await waitGone(spid);
  writeFileSync(pidFile, `${by.pid}\n`);

  const dead = await statusOf(home, 'web');
  assert.equal(dead.code, 1, 'status: dead with a pid file');
  assert.equal(dead.status.state, 'dead');
  assertUntouched(by, 'status');

  const restarted = await xd(home, ['restart', 'web']);
  assertCode(restarted, 0, 'restart of the dead daemon');
  const again = await workerRunning(home, 'web');
  assert.notEqual(again.pid, by.pid, 'a new supervisor, not the pid of the file');
  assertUntouched(by, 'restart');

  // Dead again, the file naming the bystander: stop cleans up and removes the file.
  signal(again.pid as number, 'SIGKILL');
  await waitGone(again.pid as number);
  writeFileSync(pidFile, `${by.pid}\n`);
  assertCode(await xd(home, ['stop', 'web']), 0, 'stop of the dead daemon');
  assert.ok(!existsSync(pidFile), 'stop removed the stale pid file');
  assertUntouched(by, 'stop');
});

test('a running daemon whose pid file was overwritten with a bystander\'s pid: its supervisor is asked, the bystander never signalled', async (t) => {
  const home = newHome(t);
  const by = await bystander(t);
  const spid = await startDaemon(home, ['--name', 'web', '--', NODE, WORKER]);
  const first = await workerRunning(home, 'web');
  writeFileSync(first.pidFile, `${by.pid}\n`);

  const s = await statusOf(home, 'web');
  assert.equal(s.code, 0);
  assert.equal(s.status.pid, spid, 'status names the supervisor that holds the lock');
  assertUntouched(by, 'status');

  // A hosted daemon's pid file names its worker, rewritten at each start: the bystander again before each verb.
  writeFileSync(first.pidFile, `${by.pid}\n`);
  assertCode(await xd(home, ['restart', 'web']), 0, 'restart');
  const second = await workerRunning(home, 'web', first.workerPid);
  assert.equal(second.pid, spid, 'the same supervisor restarted its worker');
  assertUntouched(by, 'restart');

  writeFileSync(first.pidFile, `${by.pid}\n`);
  assertCode(await xd(home, ['stop', 'web']), 0, 'stop');
  await waitGone(spid);
  await waitFor('the worker gone', () => isGone(second.workerPid as number));
  assertUntouched(by, 'stop');
});

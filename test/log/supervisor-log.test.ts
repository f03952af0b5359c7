/**
 * The log in direct mode: opened afresh for every worker start (a log moved away by a rotator is
 * recreated at its path by the next start, as in Go), and never what takes a daemon down: a worker
 * that writes to a full disk lives on, the supervisor survives lines it cannot write and writes
 * them later, in order, and its last words reach stderr in the foreground.
 */
import assert from 'node:assert/strict';
import { existsSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DAEMON, fields, finished, launch, logLine, worker } from '../support/daemon-fixture';
import { FIXTURES, cleanup, matching, readText, records, run, stopAfter, tempDir } from '../support/fixtures';
import { isGone, signal, start, waitAllGone, waitFor, withTimeout } from '../support/harness';

after(cleanup);

test('a log moved away is recreated at its path by the next worker start; the running worker keeps its file', async (t) => {
  // The first worker runs until the log has been moved; the second exits at once.
  const go = join(tempDir(), 'go');
  const d = await launch(t, { W_MODE: 'script', W_SCRIPT: JSON.stringify({ 2: 'await' }), W_GO: go, D_FIELDS: fields({ maxCount: 2, minExitTime: 0 }) });
  const first = await worker(d);
  const moved = `${d.log}.1`;
  renameSync(d.log, moved);
  writeFileSync(go, '');
  const { text } = await finished(d, 15_000);
  const second = records<{ pid: number }>(text, 'WORKER');
  assert.equal(second.length, 1, `the new file holds the second worker only:\n${text}`);
  assert.notEqual(second[0]?.pid, first.pid);
  assert.match(text, /worker started: pid \d+ \(count 2\/2;/, 'the supervisor writes to the new file too');
  assert.match(text, /done: maxCount 2 starts reached/);
  const old = readText(moved);
  assert.equal(records(old, 'WORKER').length, 1, 'the first worker wrote to the file it was given');
  assert.match(old, new RegExp(`worker started: pid ${first.pid} `));
});

test('a worker that only uses console.log lives on a full disk (/dev/full); the foreground supervisor reports on stderr', async (t) => {
  const side = join(tempDir(), 'side');
  const proc = start(process.execPath, [DAEMON], {
    env: { XW_DAEMON_IDX: '1', D_LOG: '/dev/full', W_MODE: 'chatty', W_MS: '400', W_SIDE: side, D_FIELDS: fields({ maxCount: 1, minExitTime: 0 }) },
  });
  stopAfter(t, () => [proc.pid]);
  const exit = await withTimeout(proc.done, 15_000, 'the foreground supervisor to end');
  const survived = records<{ pid: number; lines: number }>(readText(side), 'SURVIVED');
  assert.equal(survived.length, 1, `the worker outlived its failed writes; stderr:\n${exit.stderr}`);
  assert.ok((survived[0]?.lines ?? 0) > 10, 'it went on writing');
  assert.match(exit.stderr, /worker exited: pid \d+ after [\d.]+ s with code 0/, 'exit code 0, not a crash');
  assert.match(exit.stderr, /done: maxCount 1 starts reached/);
  assert.equal(exit.code, 0, exit.stderr);
});

test('a give-up that the full log cannot take still reaches stderr in the foreground', async (t) => {
  const side = join(tempDir(), 'side');
  const proc = start(process.execPath, [DAEMON], {
    env: { XW_DAEMON_IDX: '1', D_LOG: '/dev/full', W_SIDE: side, D_FIELDS: fields({ maxError: 1 }) },
  });
  stopAfter(t, () => [proc.pid]);
  const exit = await withTimeout(proc.done, 15_000, 'the foreground supervisor to give up');
  assert.equal(exit.code, 1, exit.stderr);
  assert.match(exit.stderr, /giving up: 2 consecutive failures exceed maxError 1/);
  assert.equal(records(readText(side), 'WORKER').length, 2);
});

test('lines the log could not take are written later, in order, once it can be written again', async (t) => {
  const dir = tempDir();
  const link = join(dir, 'app.log');
  const real = join(dir, 'real.log');
  symlinkSync('/dev/full', link);
  const d = await launch(t, { W_MODE: 'run', W_SIDE: join(dir, 'side'), D_FIELDS: fields({ killTimeout: 500 }) }, { log: link });
  await worker(d, 1, join(dir, 'side'));
  // The supervisor is alive although none of its lines could be written.
  assert.equal(isGone(d.spid), false, 'the supervisor lives on a log it cannot write');
  assert.equal(existsSync(real), false, 'nothing was written anywhere else');
  unlinkSync(link);
  symlinkSync(real, link);
  signal(d.spid, 'SIGHUP');
  await logLine(d, /received SIGHUP: log file reopened/);
  const text = readText(real);
  const order = ['supervisor started for', 'worker started: pid', 'received SIGHUP: log file reopened'];
  const at = order.map((s) => text.indexOf(s));
  assert.ok(at.every((i, k) => i >= 0 && (k === 0 || i > (at[k - 1] ?? -1))), `the pending lines first, in order:\n${text}`);
  signal(d.spid, 'SIGTERM');
  await waitFor('the supervisor to exit', () => matching(readText(real), /supervisor exiting with code 0/).length === 1);
  await waitAllGone([d.spid, ...records<{ pid: number }>(readText(join(dir, 'side')), 'WORKER').map((w) => w.pid)]);
});

test('a detached give-up that the full log cannot take is still found afterwards: status() reads it from the state file', async (t) => {
  const dir = tempDir();
  const pidFile = join(dir, 'app.pid');
  const side = join(dir, 'side');
  const d = await launch(t, { W_SIDE: side, D_FIELDS: fields({ pidFile, maxError: 0 }) }, { log: '/dev/full' });
  await waitFor('the supervisor to give up', () => !existsSync(pidFile) && readText(`${pidFile}.state`).includes('"ended"'), 15_000);
  const res = await run(join(FIXTURES, 'control.cjs'), [], { env: { C_OP: 'status', C_PID_FILE: pidFile } });
  const [status] = records<{ result: { state: string; ended: { code: number; reason: string; unwritten: string[] } } }>(res.stdout, 'RESULT');
  assert.equal(status?.result.state, 'errored', `it gave up: ${res.stdout}`);
  assert.equal(status?.result.ended.code, 1);
  assert.match(status?.result.ended.reason ?? '', /^giving up: 1 consecutive failures exceed maxError 0/);
  assert.ok(status?.result.ended.unwritten.some((l) => /xdaemon\[\d+\] giving up:/.test(l)), 'the lines the log could not take are kept');
  assert.equal(records(readText(side), 'WORKER').length, 1);
  await waitFor('the supervisor to be gone', () => isGone(d.spid));
});

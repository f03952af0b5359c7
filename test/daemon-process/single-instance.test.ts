/**
 * Single instance with a pid file: the pid file holds the supervisor's pid alone (mode 0o640), a
 * second start is refused with that pid and exit code 150 and starts nothing, a stale pid file is
 * taken over, the pid file is removed on every exit the supervisor sees, and of 20 launches at the
 * same moment exactly one wins.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DAEMON, fields, finished, launch, logLine, worker } from '../support/daemon-fixture';
import { cleanup, readText, records, run, supervisorPid, tempDir } from '../support/fixtures';
import { isGone, procStat, signal, signalOurs, taggedPids, waitFor, waitNoTagged } from '../support/harness';

after(cleanup);

const EXIT_ALREADY_RUNNING = 150;

/** A daemon with a pid file in a fresh directory. */
async function withPidFile(t: Parameters<typeof launch>[0], extra: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) {
  const dir = tempDir();
  const pidFile = join(dir, 'app.pid');
  const d = await launch(t, { W_MODE: 'run', D_FIELDS: fields({ pidFile, killTimeout: 500, ...extra }), ...env }, { log: join(dir, 'app.log') });
  return { ...d, pidFile, dir };
}

test('the pid file holds the supervisor pid alone (mode 0640); a second start is refused with it, exit 150, nothing started', async (t) => {
  const d = await withPidFile(t);
  const w = await worker(d);
  assert.equal(readFileSync(d.pidFile, 'utf8'), `${d.spid}\n`, 'kill $(cat app.pid) works');
  assert.equal(statSync(d.pidFile).mode & 0o777, 0o640);
  assert.equal(statSync(`${d.pidFile}.state`).mode & 0o777, 0o600, 'the state file (with the control key) is private');
  const before = taggedPids().sort();
  const second = await run(DAEMON, [], { env: { D_LOG: d.log, W_MODE: 'run', D_FIELDS: fields({ pidFile: d.pidFile }) } });
  assert.equal(second.code, EXIT_ALREADY_RUNNING, second.stderr);
  assert.equal(second.stderr, `xdaemon: already running: supervisor pid ${d.spid} holds ${d.pidFile}; nothing was started\n`);
  assert.deepEqual(taggedPids().sort(), before, 'no process was started');
  assert.equal(records(readText(d.log), 'WORKER').length, 1);
  signal(d.spid, 'SIGTERM');
  await finished(d);
  assert.ok(isGone(w.pid));
});

for (const [what, stalePid] of [
  ['a dead pid', 999_999_999],
  ['a live pid that is not our supervisor (pid reuse)', process.pid],
] as const) {
  test(`a stale pid file with ${what} is taken over`, async (t) => {
    const dir = tempDir();
    const pidFile = join(dir, 'app.pid');
    writeFileSync(pidFile, `${stalePid}\n`);
    const d = await launch(t, { W_MODE: 'run', D_FIELDS: fields({ pidFile, killTimeout: 500 }) }, { log: join(dir, 'app.log') });
    await worker(d);
    assert.equal(readFileSync(pidFile, 'utf8'), `${d.spid}\n`);
    signal(d.spid, 'SIGTERM');
    await finished(d);
  });
}

test('the pid file is removed on every exit the supervisor lives to see: stop, give-up, maxCount', async (t) => {
  const cases = [
    { extra: {}, env: { W_MODE: 'run' }, end: (d: { spid: number }) => signal(d.spid, 'SIGTERM'), reason: /^stopped \(count 1\/unlimited; errors 0\/3\)$/, code: 0 },
    { extra: { maxError: 0 }, env: { W_MODE: 'exit' }, end: () => undefined, reason: /^giving up: 1 consecutive failures exceed maxError 0/, code: 1 },
    { extra: { maxCount: 1 }, env: { W_MODE: 'exit' }, end: () => undefined, reason: /^done: maxCount 1 starts reached/, code: 0 },
  ];
  await Promise.all(
    cases.map(async (c) => {
      const d = await withPidFile(t, c.extra, c.env);
      await worker(d);
      c.end(d);
      await finished(d);
      await waitFor('the pid file to be removed', () => !existsSync(d.pidFile));
      const state = JSON.parse(readText(`${d.pidFile}.state`)) as { ended?: { code: number; reason: string } };
      assert.ok(state.ended, 'the state file records the end');
      assert.equal(state.ended.code, c.code);
      assert.match(state.ended.reason, c.reason);
    }),
  );
});

/** Whether `pid`'s chain of parents reaches `ancestor`. */
function descendsFrom(pid: number, ancestor: number): boolean {
  for (let p = procStat(pid)?.ppid; p !== undefined && p > 1; p = procStat(p)?.ppid) if (p === ancestor) return true;
  return false;
}

test('20 launches at the same moment: exactly one wins, the others are refused naming it', async (t) => {
  const dir = tempDir();
  const pidFile = join(dir, 'app.pid');
  const log = join(dir, 'app.log');
  const results = await Promise.all(
    Array.from({ length: 20 }, () => run(DAEMON, [], { env: { D_LOG: log, W_MODE: 'run', D_FIELDS: fields({ pidFile, killTimeout: 500 }) }, timeout: 60_000 })),
  );
  const winners = results.filter((r) => r.code === 0);
  assert.equal(winners.length, 1, results.map((r) => `${r.code}: ${r.stderr}`).join(''));
  const spid = supervisorPid(winners[0]?.stderr ?? '');
  t.after(() => signalOurs(spid, 'SIGKILL'));
  for (const r of results.filter((x) => x.code !== 0)) {
    assert.equal(r.code, EXIT_ALREADY_RUNNING, r.stderr);
    assert.match(r.stderr, new RegExp(`already running: (supervisor pid ${spid}|another supervisor) holds`));
  }
  await waitFor('one worker', () => records(readText(log), 'WORKER').length === 1);
  await logLine({ spid, log, stderr: '' }, /worker started/);
  // Every launch has ended: whatever of ours still runs is the winner's (its worker), not a second supervisor's.
  const foreign = taggedPids().filter((pid) => pid !== spid && !descendsFrom(pid, spid));
  assert.deepEqual(foreign, [], 'nothing runs but the winning supervisor and what it started');
  signal(spid, 'SIGTERM');
  await waitNoTagged(15_000);
  // Counted once everything has ended, so that a late second worker is counted too.
  assert.equal(records(readText(log), 'WORKER').length, 1, 'one worker only, from start to end');
});

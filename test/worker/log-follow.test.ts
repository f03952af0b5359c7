/**
 * Direct mode and logrotate: a running Node worker follows its log file. After `mv` + SIGHUP (the
 * supervisor tells it) and after `mv` alone (it looks by itself once a second), its lines go to the
 * file at the path; across both switches every line is written once, in order, and each file holds
 * one unbroken run of them (nothing written to an old file after the switch).
 */
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loggedPids } from '../support/daemon-fixture';
import { FIXTURES, cleanup, readText, run, supervisorPid, tempDir } from '../support/fixtures';
import { signal, signalOurs, waitFor, waitGone } from '../support/harness';

after(cleanup);

const ticks = (file: string): number[] => [...readText(file).matchAll(/^TICK (\d+)$/gm)].map((m) => Number(m[1]));

test('a worker follows its log across mv + SIGHUP and across mv alone: no line lost, doubled or misplaced', async (t) => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const res = await run(join(FIXTURES, 'ticker.cjs'), [], { env: { D_LOG: log } });
  assert.equal(res.code, 0, res.stderr);
  const spid = supervisorPid(res.stderr);
  t.after(() => {
    // Only what still carries the run's tag: a pid reused by now could be anything.
    for (const pid of [spid, ...loggedPids(readText(log))]) signalOurs(pid, 'SIGKILL');
  });
  await waitFor('ticks in the log', () => ticks(log).length >= 5);

  renameSync(log, `${log}.1`);
  signal(spid, 'SIGHUP');
  await waitFor('ticks in the new log after SIGHUP', () => ticks(log).length >= 5, 5000);
  assert.match(readText(log), /received SIGHUP: log file reopened/);

  renameSync(log, `${log}.2`);
  await waitFor('ticks in the new log after mv alone', () => ticks(log).length >= 5, 5000);

  signal(spid, 'SIGTERM');
  await waitGone(spid);
  const [one, two, three] = [ticks(`${log}.1`), ticks(`${log}.2`), ticks(log)];
  const all = [...one, ...two, ...three];
  assert.deepEqual(all, Array.from({ length: all.length }, (_, i) => i + 1), 'every line once, in order, each file one run');
  assert.ok(one.length > 0 && two.length > 0 && three.length > 0);
});

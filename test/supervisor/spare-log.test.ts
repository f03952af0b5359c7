/**
 * The spare and a moved log (issue 27): Go opens the log afresh for every start, so a log moved
 * away while the spare waits must get none of the next worker's lines, neither through
 * console.log/error, nor descriptors 1 and 2, nor a child that inherits them. A spare booted with
 * the old file is not used (a fresh start is); after `mv` + SIGHUP (logrotate's postrotate) it is
 * replaced at once, so the next worker is a spare again, writing to the new file.
 */
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { newHome, startDaemon, workerRunning } from '../support/cli';
import { FIXTURES, cleanup, readText, tempDir } from '../support/fixtures';
import { signal, spareOf, waitFor } from '../support/harness';

after(cleanup);

const APP = join(FIXTURES, 'spare-log-app.cjs');
const KINDS = ['OUT', 'ERR', 'FD1', 'FD2', 'CHILD'];

/** The kinds of line `pid` wrote to `file`, in KINDS' order. */
const linesOf = (file: string, pid: number): string[] => KINDS.filter((k) => readText(file).split('\n').includes(`${k} ${pid}`));

/** A prewarmed daemon of the app, once its first worker wrote every line and its spare waits. */
async function prewarmed(t: Parameters<typeof newHome>[0]) {
  const home = newHome(t);
  const log = join(tempDir(), 'daemon.log');
  const spid = await startDaemon(home, ['--name', 'app', '--prewarm', '--log', log, '--', process.execPath, APP]);
  const first = (await workerRunning(home, 'app')).workerPid as number;
  await waitFor('the first worker\'s lines', () => linesOf(log, first).length === KINDS.length);
  const spare = await waitFor('the spare', () => spareOf(spid, [first]));
  return { home, log, spid, first, spare };
}

test('a log moved while the spare waits gets none of the next worker\'s lines', async (t) => {
  const { home, log, spid, first, spare } = await prewarmed(t);
  renameSync(log, `${log}.old`);
  signal(first, 'SIGKILL');
  const next = (await workerRunning(home, 'app', first)).workerPid as number;
  await waitFor('the next worker\'s lines in the log at its path', () => linesOf(log, next).length === KINDS.length);
  assert.deepEqual(linesOf(`${log}.old`, next), [], 'none in the moved file');
  assert.doesNotMatch(readText(log), /from the spare/, 'the spare booted with the moved file was not used');
  await waitFor('that spare gone', () => !spareOf(spid, [next]) || spareOf(spid, [next]) !== spare);
  // The next spare has the new file: it is used.
  const again = await waitFor('a new spare', () => spareOf(spid, [next]));
  signal(next, 'SIGKILL');
  const third = (await workerRunning(home, 'app', next)).workerPid as number;
  assert.equal(third, again, 'the new spare became the worker');
  await waitFor('its lines in the log', () => linesOf(log, third).length === KINDS.length);
});

test('mv + SIGHUP replaces the waiting spare: the next worker is a spare that writes to the new file', async (t) => {
  const { home, log, spid, first, spare } = await prewarmed(t);
  renameSync(log, `${log}.1`);
  signal(spid, 'SIGHUP');
  const fresh = await waitFor('a spare booted with the new file', () => {
    const pid = spareOf(spid, [first]);
    return pid !== spare ? pid : undefined;
  });
  signal(first, 'SIGKILL');
  const next = (await workerRunning(home, 'app', first)).workerPid as number;
  assert.equal(next, fresh, 'the replaced spare became the worker');
  await waitFor('the next worker\'s lines in the log at its path', () => linesOf(log, next).length === KINDS.length);
  assert.deepEqual(linesOf(`${log}.1`, next), [], 'none in the moved file');
  assert.match(readText(log), new RegExp(`worker started: pid ${next} .* from the spare$`, 'm'));
});

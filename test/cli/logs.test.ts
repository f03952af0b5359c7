/**
 * `xdaemon logs NAME [-n LINES] [-f]`: the last lines of the log, then, with -f, what is written
 * after them, across a rotation by rename (the old file read to its end, then the new one at the
 * path from its start), until Ctrl-C, which ends it with exit 0.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, test } from 'node:test';
import { assertCode, newHome, startDaemon, workerRunning, xd, xdStart } from '../support/cli';
import { cleanup, readText, stopAfter } from '../support/fixtures';
import { signal, waitFor, withTimeout } from '../support/harness';

after(cleanup);

const LINES = 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "line $i"; done; exec sleep 300';

test('-n LINES (default 10), then -f follows appends, a rename rotation and a restart, and stops on SIGINT with 0', async (t) => {
  const home = newHome(t);
  await startDaemon(home, ['--name', 'web', '--', 'sh', '-c', LINES]);
  const s = await workerRunning(home, 'web');
  const log = s.logFile;
  // Settled: the worker's lines and the supervisor's (whichever came first).
  await waitFor('the worker\'s lines', () => readText(log).includes('line 12\n') && readText(log).includes('worker started'));
  const last = (n: number): string => `${readText(log).split('\n').slice(-n - 1).join('\n')}`;

  const three = await xd(home, ['logs', 'web', '-n', '3']);
  assertCode(three, 0);
  assert.equal(three.stdout, last(3));
  assert.match(three.stdout, /^line 1[01]\n/);
  const ten = await xd(home, ['logs', 'web']);
  assert.equal(ten.stdout, last(10));
  assert.equal(ten.stdout.split('\n').length, 11);

  const follower = xdStart(home, ['logs', 'web', '-f', '-n', '1']);
  stopAfter(t, () => [follower.pid]);
  const seen = (text: string): Promise<true> => waitFor(`"${text.trim()}" from logs -f`, () => follower.stdout.includes(text), 10_000);
  await seen(last(1));
  appendFileSync(log, 'appended\n');
  await seen(`${last(2)}`);

  // A rotation: the log renamed, a new file at its path.
  renameSync(log, `${log}.1`);
  writeFileSync(log, 'new file\n', { mode: 0o640 });
  await seen('appended\nnew file\n');
  appendFileSync(log, 'more\n');
  await seen('new file\nmore\n');

  // A restart opens the log afresh (at the path): the follower sees the new worker's output.
  assertCode(await xd(home, ['restart', 'web']), 0);
  await waitFor('the new worker\'s lines', () => follower.stdout.split('more\n')[1]?.includes('line 12\n'), 10_000);
  assert.match(follower.stdout, /worker started: pid \d+ \(count 1\/unlimited; errors 0\/15; restarts 1\)\n/);

  signal(follower.pid, 'SIGINT');
  const exit = await withTimeout(follower.done, 5000, 'logs -f to end on SIGINT');
  assertCode(exit, 0);
  assert.equal(exit.stderr, '');
  assert.equal(exit.stdout.split('appended\n').length, 2, 'nothing shown twice');
});

test('the log settings pass through: --timestamps, --max-size 1k (rotation), --max-files, --err-file', async (t) => {
  const home = newHome(t);
  const err = `${home.dir}/../p.err`;
  const script = 'i=0; while [ $i -lt 60 ]; do echo "out line $i"; echo "err line $i" >&2; i=$((i+1)); done; exec sleep 300';
  await startDaemon(home, ['--name', 'p', '--timestamps', '--max-size', '1k', '--max-files', '2', '--err-file', err, '--', 'sh', '-c', script]);
  const s = await workerRunning(home, 'p');
  await waitFor('the last lines', () => readText(s.logFile).includes('out line 59\n') && readText(err).includes('err line 59\n'));
  assert.match(readText(s.logFile), /^\d{4}-\d\d-\d\dT[\d:.]+Z out out line \d+$/m, 'time-stamped');
  for (const file of [s.logFile, err]) {
    assert.notEqual(readText(`${file}.1`), '', `${file} rotated`);
    assert.notEqual(readText(`${file}.2`), '');
    assert.equal(existsSync(`${file}.3`), false, 'two rotated files kept');
  }
  assert.doesNotMatch(readText(s.logFile), /err line/, 'stderr went to --err-file');
  const record = JSON.parse(readText(`${home.dir}/p.json`)) as { settings: Record<string, unknown> };
  assert.deepEqual(record.settings, { timestamps: true, maxSize: 1024, maxFiles: 2, errFile: resolve(err) });
});

test('logs of a daemon without a log file yet: exit 1 naming it; -n 0 shows nothing', async (t) => {
  const home = newHome(t);
  await startDaemon(home, ['--name', 'quiet', '--log', `${home.dir}/../quiet.log`, '--', 'sleep', '300']);
  await workerRunning(home, 'quiet');
  const none = await xd(home, ['logs', 'quiet', '-n', '0']);
  assertCode(none, 0);
  assert.equal(none.stdout, '');
  renameSync(`${home.dir}/../quiet.log`, `${home.dir}/../quiet.log.1`);
  const missing = await xd(home, ['logs', 'quiet']);
  assertCode(missing, 1);
  assert.match(missing.stderr, /^xdaemon: quiet has no log at \/.*quiet\.log \(it does not exist \(yet\)\)\n$/);
});

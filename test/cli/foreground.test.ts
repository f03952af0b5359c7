/**
 * `xdaemon run`: the same supervision in the foreground. The pid that was started is the
 * supervisor: its exit code is the supervisor's, SIGTERM to it stops the worker's whole tree and
 * leaves no process behind; without a log the worker writes to its stdout and stderr; with
 * `--name` it is a named daemon that `status` and `stop` reach.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { type StatusJson, WORKER, assertCode, newHome, waitForAsync, xd, xdStart } from '../support/cli';
import { existsSync } from 'node:fs';
import { cleanup, stopAfter } from '../support/fixtures';
import { isGone, signal, taggedPids, waitFor, withTimeout } from '../support/harness';

after(cleanup);

const NODE = process.execPath;

test("the exit code is the supervisor's: 1 after giving up; the worker's stdout and stderr are its own, the supervisor's lines on stderr", async () => {
  const home = newHome();
  const exit = await xd(home, ['run', '--max-error', '1', '--min-exit-time', '5', '--', 'sh', '-c', 'echo "out $$"; echo err >&2; exit 3']);
  assertCode(exit, 1);
  assert.equal(exit.stdout.match(/^out \d+$/gm)?.length, 2, 'two starts, each printed to stdout');
  assert.equal(exit.stderr.match(/^err$/gm)?.length, 2, "the worker's stderr on stderr");
  assert.doesNotMatch(exit.stdout, /xdaemon\[/, "the supervisor's lines are not on stdout");
  assert.match(exit.stderr, /xdaemon\[\d+\] giving up: 2 consecutive failures exceed maxError 1/);
  assert.match(exit.stderr, /supervisor exiting with code 1\n$/);
  assert.equal(existsSync(home.dir), false, 'an anonymous run records nothing');
});

test('SIGTERM to its own pid stops the worker and everything it started; exit 0; nothing survives', async (t) => {
  const home = newHome();
  const proc = xdStart(home, ['run', '--kill-timeout', '1000', '--', 'sh', '-c', `${NODE} ${WORKER} & sleep 300 & wait`]);
  stopAfter(t, () => [proc.pid]);
  const worker = await waitFor('the worker\'s line on stdout', () => {
    const m = /^WORKER (\d+)/m.exec(proc.stdout);
    return m === null ? undefined : Number(m[1]);
  });
  const tree = taggedPids().filter((pid) => pid !== proc.pid);
  assert.ok(tree.length >= 3, `the shell, the node worker and sleep run: ${tree.join(', ')}`);
  signal(proc.pid, 'SIGTERM');
  const exit = await withTimeout(proc.done, 15_000, 'xdaemon run to exit');
  assertCode(exit, 0);
  assert.match(exit.stderr, /received SIGTERM: stopping, no further restarts/);
  assert.ok(isGone(worker));
  await waitFor('no process of the run left', () => taggedPids().length === 0, 3000);
});

test('run --name: a named daemon in the foreground; status and stop reach it', async (t) => {
  const home = newHome(t);
  const proc = xdStart(home, ['run', '--name', 'fg', '--', NODE, WORKER]);
  stopAfter(t, () => [proc.pid]);
  const s = await waitForAsync('fg to run', async () => {
    const exit = await xd(home, ['status', '--json', 'fg']);
    const status = exit.code === 0 ? (JSON.parse(exit.stdout) as StatusJson) : undefined;
    return status?.workerPid === undefined ? undefined : status;
  });
  assert.equal(s.pid, proc.pid, 'the supervisor is the pid that was started');
  assert.equal(s.logFile, `${home.dir}/fg.log`, 'a named run logs to its default log');
  const refused = await xd(home, ['start', '--name', 'fg', '--', NODE, WORKER]);
  assertCode(refused, 1);
  assert.match(refused.stderr, new RegExp(`fg is already running: supervisor pid ${proc.pid}`));
  const stopped = await xd(home, ['stop', 'fg']);
  assertCode(stopped, 0);
  const exit = await withTimeout(proc.done, 15_000, 'xdaemon run to exit');
  assertCode(exit, 0);
  assert.match(exit.stderr, /stop requested through the control channel/);
  assert.ok(isGone(s.workerPid as number));
});

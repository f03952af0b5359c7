/**
 * Promises of the `xdaemon` command that nothing else checks, each against real daemons:
 * `start --wait-ready` returns only once the worker said it is ready; `restart` of a dead daemon;
 * `stop --timeout` running out; `--cwd` with a relative command found there; `restart` of a
 * stopped daemon takes today's environment (plus the recorded --env); the pid file is removed when
 * a daemon with `--restart never` ends by itself.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WORKER, assertCode, newHome, startDaemon, statusOf, workerRunning, xd, xdStart } from '../support/cli';
import { cleanup, readText, stopAfter, tempDir } from '../support/fixtures';
import { isGone, signal, waitFor, waitGone, withTimeout } from '../support/harness';

after(cleanup);

const NODE = process.execPath;

test('start --wait-ready returns only once the worker called ready(), naming it', async (t) => {
  const home = newHome(t);
  const go = join(tempDir(), 'go');
  const starting = xdStart(home, ['start', '--name', 'web', '--wait-ready', '20000', '--', NODE, WORKER], { env: { W_READY_ON: go } });
  stopAfter(t, () => [starting.pid]);
  const workerPid = await waitFor('the worker to run', () => /^WORKER (\d+)/m.exec(readText(join(home.dir, 'web.log')))?.[1]);
  assert.equal(starting.child.exitCode, null, 'start is still waiting while the worker runs but is not ready');
  writeFileSync(go, '');
  const exit = await withTimeout(starting.done, 20_000, 'start --wait-ready to return');
  assertCode(exit, 0);
  assert.match(exit.stdout, new RegExp(`^started web: supervisor \\d+, log .*web\\.log, worker ${workerPid} ready after \\d+\\.\\d{3} s$`, 'm'));
  const s = await workerRunning(home, 'web');
  assert.equal(String(s.workerPid), workerPid);
});

test('restart of a dead daemon (its supervisor SIGKILLed): what it left is stopped, a new supervisor starts from the record', async (t) => {
  const home = newHome(t);
  const spid = await startDaemon(home, ['--name', 'web', '--', NODE, WORKER, 'x']);
  const old = await workerRunning(home, 'web');
  signal(spid, 'SIGKILL');
  await waitGone(spid);
  assert.equal((await statusOf(home, 'web')).status.state, 'dead');
  const restarted = await xd(home, ['restart', 'web']);
  assertCode(restarted, 0);
  assert.match(restarted.stdout, /^started web: supervisor (\d+), log .*web\.log \(it was dead\)$/m);
  assert.ok(isGone(old.workerPid as number), 'the leftover worker was stopped first');
  const s = await workerRunning(home, 'web');
  assert.notEqual(s.pid, spid);
  assert.equal(s.pid, Number(/supervisor (\d+)/.exec(restarted.stdout)?.[1]));
  assert.deepEqual(s.command.slice(-1), ['x'], 'from its record');
});

test('stop --timeout that runs out: exit 1 naming it; the stop goes on and ends the daemon', async (t) => {
  const home = newHome(t);
  const spid = await startDaemon(home, ['--name', 'stubborn', '--kill-timeout', '4000', '--', NODE, WORKER], { env: { W_IGNORE_TERM: '1' } });
  const s = await workerRunning(home, 'stubborn');
  await waitFor('the worker to run its handler', () => readText(s.logFile).includes(`WORKER ${s.workerPid}`));
  const stopped = await xd(home, ['stop', 'stubborn', '--timeout', '300']);
  assertCode(stopped, 1);
  assert.match(stopped.stderr, /^xdaemon: .*stubborn.*300 ms/m);
  await waitFor('the worker to have got SIGTERM', () => readText(s.logFile).includes('ignored SIGTERM'));
  await waitGone(spid, 15_000);
  assert.ok(isGone(s.workerPid as number), 'SIGKILL after the kill timeout ended it');
  assert.equal((await statusOf(home, 'stubborn')).status.state, 'stopped');
});

test('--cwd DIR: the daemon runs there, and a relative command is found there', async (t) => {
  const home = newHome(t);
  const dir = join(tempDir(), 'app dir');
  mkdirSync(dir);
  writeFileSync(join(dir, 'tool.sh'), '#!/bin/sh\necho "tool in $(pwd)"\nexec sleep 300\n', { mode: 0o755 });
  await startDaemon(home, ['--name', 'tool', '--cwd', dir, '--', './tool.sh']);
  const s = await workerRunning(home, 'tool');
  assert.deepEqual(s.command, [join(dir, 'tool.sh')]);
  await waitFor('the tool\'s line', () => readText(s.logFile).includes(`tool in ${dir}\n`));
});

test("restart of a stopped daemon takes today's environment, plus the recorded --env", async (t) => {
  const home = newHome(t);
  await startDaemon(home, ['--name', 'env', '--env', 'KEPT=recorded', '--', NODE, WORKER], { env: { W_SHOW_ENV: 'TODAY', TODAY: 'yesterday' } });
  const first = await workerRunning(home, 'env');
  await waitFor('the first worker\'s environment', () => readText(first.logFile).includes('env TODAY=yesterday\n'));
  assertCode(await xd(home, ['stop', 'env']), 0);
  const restarted = await xd(home, ['restart', 'env'], { env: { W_SHOW_ENV: 'KEPT', TODAY: 'today' } });
  assertCode(restarted, 0);
  assert.match(restarted.stdout, /\(it was stopped\)$/m);
  const second = await workerRunning(home, 'env');
  // W_SHOW_ENV itself comes from today's environment: the worker shows KEPT, not TODAY.
  await waitFor('the second worker\'s environment', () => readText(second.logFile).includes('env KEPT=recorded\n'));
  const env = readText(`/proc/${second.workerPid}/environ`).split('\0');
  assert.ok(env.includes('TODAY=today'), "today's value, not the first start's");
});

test('--restart never: once the worker ends, the supervisor exits and removes its pid file', async (t) => {
  const home = newHome(t);
  const spid = await startDaemon(home, ['--name', 'once', '--restart', 'never', '--', NODE, WORKER], { env: { W_EXIT: '0' } });
  await waitGone(spid, 15_000);
  assert.equal(existsSync(join(home.dir, 'once.pid')), false, 'the pid file is gone');
  const { code, status } = await statusOf(home, 'once');
  assert.deepEqual([code, status.state], [3, 'stopped']);
  assert.match(readText(join(home.dir, 'once.log')), /supervisor exiting with code 0/);
});

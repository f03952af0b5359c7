/**
 * A supervisor whose workers die at once still answers: 4 instances of a command that exits at
 * once, restarted at once (restartDelay 0, Go's default) with a maxError nothing reaches, and
 * `xdaemon stop` is answered within its normal time, and SIGTERM ends the supervisor, each with
 * every worker gone after. The loop runs for a few hundred starts first: long enough that a
 * supervisor which restarts inside the exits' own callbacks has stopped polling (libuv dispatches
 * SIGCHLD in a loop that only ends when a read of its signal pipe comes back short: each exit
 * spawning the next worker from there refills it faster than it drains), as it did before.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Home, assertCode, newHome, statusOf, xd } from '../support/cli';
import { cleanup, readText } from '../support/fixtures';
import { isOurs, signal, waitFor } from '../support/harness';
import { environHas, listProcs } from '../../src/process/proc';

after(cleanup);

const INSTANCES = 4;
/** Worker starts before the stop: the deafness took hold within a hundred or so (2 s here). */
const STARTS = 300;
/** A normal stop of workers that die of SIGTERM takes a few hundred ms, and a CLI start-up on a loaded machine. */
const STOP_WITHIN_MS = 6000;

/**
 * Starts the crash-looping daemon `name` (restart delay 0 said outright: the library's and Go's
 * default, whatever the CLI's becomes); returns its supervisor's pid once `STARTS` workers have started.
 */
async function crashLoop(home: Home, name: string): Promise<number> {
  // --instance-var: several instances of a program that is not Node and listens on no port (without
  // it, refused). It never comes up: start says so (exit 1), and the daemon goes on under its policy.
  const started = await xd(home, ['start', '--name', name, '--instances', String(INSTANCES), '--instance-var', 'N', '--restart-delay', '0', '--max-error', '1000000000', '--', 'sh', '-c', 'exit 1']);
  assertCode(started, 1, `xdaemon start ${name}:`);
  const spid = (await statusOf(home, name)).status.pid as number;
  assert.ok(spid > 0, 'its supervisor runs');
  await waitFor(`${STARTS} worker starts`, () => starts(home, name) >= STARTS, 60_000, 100);
  return spid;
}

function starts(home: Home, name: string): number {
  return readText(join(home.dir, `${name}.log`)).match(/worker started/g)?.length ?? 0;
}

/** Every process that carries the tree token of one of `spid`'s workers (its own too: none once it is gone). */
function treeOf(spid: number): number[] {
  return listProcs()
    .filter((p) => p.pid !== spid && environHas(p.pid, `XDAEMON_TREE=${spid}.`, true))
    .map((p) => p.pid);
}

async function expectAllGone(spid: number): Promise<void> {
  await waitFor(`supervisor ${spid} to be gone`, () => !isOurs(spid), 10_000);
  await waitFor(`no process of supervisor ${spid}'s trees (left: ${treeOf(spid).join(', ')})`, () => treeOf(spid).length === 0, 5000);
}

test('xdaemon stop is answered within its normal time while 4 instances die at once', { timeout: 120_000 }, async (t) => {
  const home = newHome(t);
  const spid = await crashLoop(home, 'storm');
  const stopped = await xd(home, ['stop', 'storm'], { timeout: 30_000 });
  assertCode(stopped, 0, 'xdaemon stop storm:');
  assert.match(stopped.stdout, /^stopped storm$/m);
  assert.ok(stopped.ms < STOP_WITHIN_MS, `xdaemon stop took ${Math.round(stopped.ms)} ms (at most ${STOP_WITHIN_MS})`);
  await expectAllGone(spid);
  assert.match(readText(join(home.dir, 'storm.log')), /stop requested through the control channel/);
});

test('SIGTERM ends the supervisor promptly while 4 instances die at once', { timeout: 120_000 }, async (t) => {
  const home = newHome(t);
  const spid = await crashLoop(home, 'storm');
  const sent = Date.now();
  signal(spid, 'SIGTERM');
  await waitFor(`supervisor ${spid} to end after SIGTERM`, () => !isOurs(spid), STOP_WITHIN_MS).catch((err: unknown) => {
    signal(spid, 'SIGKILL');
    throw err;
  });
  const took = Date.now() - sent;
  await expectAllGone(spid);
  assert.match(readText(join(home.dir, 'storm.log')), /received SIGTERM: stopping/, `the supervisor handled SIGTERM itself (gone after ${took} ms)`);
});

/**
 * Non-Node commands and a supervisor killed with SIGKILL (which runs none of its code): on Linux
 * the command gets a parent-death signal from the kernel (setpriv --pdeathsig), so `sleep` and a
 * shell do not run on; what the shell started is found by its tree token at the next stop.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { findSetpriv } from '../../src/process/parent-death';
import { assertCode, newHome, startDaemon, workerRunning, xd } from '../support/cli';
import { cleanup } from '../support/fixtures';
import { childPids, isGone, signal, waitFor, waitGone } from '../support/harness';

after(cleanup);

// Outside CI a missing setpriv is a skip with its reason; in CI (which installs util-linux) the tests run and fail.
const noSetpriv = findSetpriv() === undefined && process.env.CI !== 'true';

describe('a non-Node command and a killed supervisor', { skip: noSetpriv ? 'no setpriv on this system (CI installs it: apt-get install util-linux)' : false }, () => {
  test('sleep is gone within 1 s of the supervisor\'s SIGKILL; its /proc says setpriv exec\'d it', async (t) => {
    const home = newHome(t);
    const spid = await startDaemon(home, ['--name', 'nap', '--', 'sleep', '1000']);
    const { workerPid } = await workerRunning(home, 'nap');
    const worker = workerPid as number;
    // setpriv execs: the worker's pid is sleep's (no process in between).
    await waitFor('the worker to be sleep itself', () => /^(\S*\/)?sleep\0/.test(readFileSync(`/proc/${worker}/cmdline`, 'utf8')));
    signal(spid, 'SIGKILL');
    await waitGone(spid, 5000);
    await waitGone(worker, 1000);
  });

  test('a shell is gone within 1 s; what it started is stopped by the next stop', async (t) => {
    const home = newHome(t);
    const spid = await startDaemon(home, ['--name', 'sh', '--', 'sh', '-c', 'sleep 1000 & sleep 1000 & wait']);
    const { workerPid } = await workerRunning(home, 'sh');
    const shell = workerPid as number;
    const kids = await waitFor('the shell\'s two children', () => {
      const pids = childPids(shell);
      return pids.length === 2 ? pids : undefined;
    });
    signal(spid, 'SIGKILL');
    await waitGone(spid, 5000);
    await waitGone(shell, 1000);
    assert.ok(kids.every((pid) => !isGone(pid)), 'the kernel signals the command only');
    assertCode(await xd(home, ['stop', 'sh']), 0);
    for (const pid of kids) await waitGone(pid, 5000);
  });
});

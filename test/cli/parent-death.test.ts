/**
 * Non-Node commands and a supervisor killed with SIGKILL (which runs none of its code): on Linux
 * the command gets a parent-death signal from the kernel (setpriv --pdeathsig), so `sleep` and a
 * shell do not run on; what the shell started in its process group is stopped by the supervisor's
 * group guard (src/supervisor/group-guard.ts) as the supervisor dies, under killMode group only.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { findSetpriv } from '../../src/process/parent-death';
import { GUARD_NAME } from '../../src/supervisor/group-guard';
import { assertCode, newHome, startDaemon, workerRunning, xd } from '../support/cli';
import { cleanup } from '../support/fixtures';
import { childPids, isGone, isOurs, signal, signalOurs, waitFor, waitGone } from '../support/harness';

after(cleanup);

// Outside CI a missing setpriv is a skip with its reason; in CI (which installs util-linux) the tests run and fail.
const noSetpriv = findSetpriv() === undefined && process.env.CI !== 'true';
// The kernel's parent-death signal and the group guard act within a second; without them a killed
// supervisor's worker (sleep 1000) lives on for many minutes. The deadline tells the two apart and
// keeps a failure from hanging: it is not a speed figure (a loaded machine is slow).
const GONE_MS = 10_000;

/** The command line of `pid`, its arguments joined by spaces ('' once it is gone). */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** The group guard of supervisor `spid`: its child running the guard's script, if one runs. */
function guardOf(spid: number): number | undefined {
  return childPids(spid).find((pid) => cmdline(pid).includes(GUARD_NAME));
}

/** Starts a shell with two background sleeps in its group; returns the supervisor, the shell and the sleeps. */
async function shellWithChildren(t: Parameters<typeof newHome>[0], name: string, flags: string[] = []) {
  const home = newHome(t);
  const spid = await startDaemon(home, ['--name', name, ...flags, '--', 'sh', '-c', 'sleep 1000 & sleep 1000 & wait']);
  const { workerPid } = await workerRunning(home, name);
  const shell = workerPid as number;
  const kids = await waitFor('the shell\'s two children', () => {
    const pids = childPids(shell);
    return pids.length === 2 ? pids : undefined;
  });
  // Whatever a test leaves of them goes with it (by pid, only while it is ours).
  t?.after(() => {
    for (const pid of [shell, ...kids]) signalOurs(pid, 'SIGKILL');
  });
  return { home, spid, shell, kids };
}

describe('a non-Node command and a killed supervisor', { skip: noSetpriv ? 'no setpriv on this system (CI installs it: apt-get install util-linux)' : false }, () => {
  test('sleep is gone after the supervisor\'s SIGKILL (its parent-death signal); its /proc says setpriv exec\'d it', async (t) => {
    const home = newHome(t);
    const spid = await startDaemon(home, ['--name', 'nap', '--', 'sleep', '1000']);
    const { workerPid } = await workerRunning(home, 'nap');
    const worker = workerPid as number;
    // setpriv execs: the worker's pid is sleep's (no process in between).
    await waitFor('the worker to be sleep itself', () => /^(\S*\/)?sleep\0/.test(readFileSync(`/proc/${worker}/cmdline`, 'utf8')));
    signal(spid, 'SIGKILL');
    await waitGone(spid, 5000);
    await waitGone(worker, GONE_MS);
  });

  test('a shell and the children it started are gone after the supervisor\'s SIGKILL (parent-death signal, group guard)', async (t) => {
    const { spid, shell, kids } = await shellWithChildren(t, 'sh');
    const guard = await waitFor('the supervisor\'s group guard', () => guardOf(spid));
    // It carries the supervisor's environment (this run's tag), not a worker's tree token.
    assert.ok(isOurs(guard), 'the guard carries the run\'s tag');
    assert.ok(!readFileSync(`/proc/${guard}/environ`, 'latin1').includes('XDAEMON_TREE='), 'the guard has no tree token');
    signal(spid, 'SIGKILL');
    await waitGone(spid, 5000);
    await waitGone(shell, GONE_MS);
    for (const pid of kids) await waitGone(pid, GONE_MS);
    await waitGone(guard, GONE_MS);
  });

  test('a normal stop leaves no group guard behind', async (t) => {
    const { home, spid, kids } = await shellWithChildren(t, 'calm');
    const guard = await waitFor('the supervisor\'s group guard', () => guardOf(spid));
    assertCode(await xd(home, ['stop', 'calm']), 0);
    await waitGone(spid, 5000);
    // The supervisor waits for its guard's exit before its own: not even for a moment does it outlive it.
    assert.ok(isGone(guard), 'the group guard is gone once its supervisor is');
    for (const pid of kids) await waitGone(pid, 5000);
  });

  test('killMode process: no guard; what the shell started lives on after the supervisor\'s SIGKILL', async (t) => {
    const { spid, shell, kids } = await shellWithChildren(t, 'go', ['--kill-mode', 'process']);
    assert.equal(guardOf(spid), undefined, 'killMode process starts no group guard');
    signal(spid, 'SIGKILL');
    await waitGone(spid, 5000);
    await waitGone(shell, GONE_MS);
    assert.ok(kids.every((pid) => !isGone(pid)), 'the leftovers of killMode process live on (Go\'s)');
  });
});

/**
 * The group guard's protocol (src/supervisor/group-guard-script.ts): which lines the counting
 * writes, and what the watcher's script does with them at end of file, on real process groups.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { GUARD_SCRIPT, GuardedGroups } from '../../src/supervisor/group-guard-script';
import { cleanup } from '../support/fixtures';
import { childPids, isGone, signalOurs, taggedEnv, waitFor, waitGone } from '../support/harness';

after(cleanup);

// The listed group's sleep would live 1000 s if the script did not stop it: the deadline tells
// the two apart and keeps a failure from hanging; it is not a speed figure.
const GONE_MS = 10_000;

describe('GuardedGroups', () => {
  test('writes the first start and the last end of a pgid only', () => {
    const groups = new GuardedGroups();
    const steps: [string, number, string | undefined][] = [
      ['add', 5, '+5\n'],
      ['add', 7, '+7\n'],
      ['add', 5, undefined],
      ['remove', 5, undefined],
      ['remove', 5, '-5\n'],
      ['remove', 5, undefined],
      ['remove', 9, undefined],
    ];
    for (const [op, pgid, line] of steps) assert.equal(op === 'add' ? groups.add(pgid) : groups.remove(pgid), line, `${op} ${pgid}`);
    assert.equal(groups.lines(), '+7\n');
    assert.equal(groups.size, 1);
  });
});

/** A process group of a shell and one background sleep (tagged); returns its pgid and members. */
async function group(t: { after: (fn: () => void) => void }): Promise<number[]> {
  const child = spawn('/bin/sh', ['-c', 'sleep 1000 & wait'], { env: taggedEnv(), detached: true, stdio: 'ignore' });
  const shell = child.pid as number;
  child.unref();
  const sleep = await waitFor('the group\'s sleep', () => childPids(shell)[0]);
  t.after(() => {
    for (const pid of [shell, sleep]) signalOurs(pid, 'SIGKILL');
  });
  return [shell, sleep];
}

describe('the watcher\'s script', () => {
  test('at end of file it stops the groups still listed, none other, and exits', async (t) => {
    const listed = await group(t);
    const removed = await group(t);
    const partial = await group(t);
    const watcher = spawn('/bin/sh', ['-c', GUARD_SCRIPT], { env: taggedEnv(), stdio: ['pipe', 'ignore', 'ignore'] });
    t.after(() => void (watcher.exitCode === null && watcher.kill('SIGKILL')));
    const exited = once(watcher, 'exit');
    // A removed group and a line cut short (the supervisor died in mid-write) are left alone.
    watcher.stdin.end(`+${listed[0]}\n+${removed[0]}\n-${removed[0]}\n+${partial[0]}`);
    for (const pid of listed) await waitGone(pid, GONE_MS);
    await exited;
    assert.ok([...removed, ...partial].every((pid) => !isGone(pid)), 'only the listed group is stopped');
  });

  test('with no group listed it exits at once at end of file', async () => {
    const watcher = spawn('/bin/sh', ['-c', GUARD_SCRIPT], { env: taggedEnv(), stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = once(watcher, 'exit');
    watcher.stdin.end('+123456789\n-123456789\n');
    assert.deepEqual(await exited, [0, null]);
  });
});

/**
 * When the supervisor rewrites its state file (src/daemon-process/state-writes.ts): a change after
 * a quiet while is written at once, changes that come fast are coalesced into one rewrite a
 * STATE_WRITE_MS, a flush writes what waits before a client is told, and nothing is written after
 * the close. No process: the writes are counted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STATE_WRITE_MS, StateWrites } from '../../src/daemon-process/state-writes';
import { sleep, waitFor } from '../support/harness';

/** A StateWrites that counts its writes. */
function counted(): { writes: StateWrites; count: () => number } {
  let n = 0;
  const writes = new StateWrites(() => n++);
  return { writes, count: () => n };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a change after a quiet while is written at once', () => {
  const { writes, count } = counted();
  writes.changed();
  assert.equal(count(), 1);
  writes.close();
});

test('changes that come fast are coalesced into one write at the end of the while', async () => {
  const { writes, count } = counted();
  writes.changed();
  for (let i = 0; i < 50; i++) writes.changed();
  assert.equal(count(), 1, 'nothing more within the while');
  await waitFor('the coalesced write', () => count() === 2, STATE_WRITE_MS * 20, 5);
  await sleep(STATE_WRITE_MS * 2);
  assert.equal(count(), 2, 'one write for the 50 changes');
  writes.close();
});

test('an exit waits for the next turn of the loop, and a start in the same turn takes it along', async () => {
  const { writes, count } = counted();
  writes.changedSoon();
  assert.equal(count(), 0, 'not on the way from the exit to the restart');
  await nextTurn();
  await nextTurn();
  assert.equal(count(), 1);
  await sleep(STATE_WRITE_MS * 2);
  writes.changedSoon();
  writes.changed();
  assert.equal(count(), 2, 'the start wrote the exit with it');
  await nextTurn();
  await nextTurn();
  assert.equal(count(), 2, 'and the exit is not written again');
  writes.close();
});

test('a flush writes what waits at once, and only then', async () => {
  const { writes, count } = counted();
  writes.flush();
  assert.equal(count(), 0, 'nothing waits: nothing written');
  writes.changed();
  writes.changed();
  assert.equal(count(), 1);
  writes.flush();
  assert.equal(count(), 2, 'what waited is written before a client is told');
  await sleep(STATE_WRITE_MS * 2);
  assert.equal(count(), 2, 'and not written once more');
  writes.close();
});

test('nothing is written after the close', async () => {
  const { writes, count } = counted();
  writes.changed();
  writes.changed();
  writes.close();
  writes.changed();
  writes.changedSoon();
  writes.flush();
  await sleep(STATE_WRITE_MS * 2);
  assert.equal(count(), 1);
});

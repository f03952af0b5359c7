/**
 * One operation at a time on a supervisor's workers (src/supervisor/operation-lock.ts): a second
 * one is refused with EBUSY naming both, a second restart joins the first, and the lock is free
 * again once the operation settles, resolved or rejected. No process.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BusyError, type LoopOperation, OperationLock, busyText } from '../../src/supervisor/operation-lock';
import { XDaemonError } from '../../src/errors';

/** A promise settled by hand. */
function pending<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve: (v: T) => void = () => undefined;
  let reject: (e: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('the refusals, for every pair', () => {
  const all: LoopOperation[] = ['restart', 'reload', 'replace'];
  const texts = all.flatMap((current) => all.map((requested) => `${current}/${requested}: ${busyText(current, requested)}`));
  assert.deepEqual(texts, [
    'restart/restart: a restart is under way: restart again once it is done',
    'restart/reload: a restart is under way: reload once it is done',
    'restart/replace: a restart is under way: replace the instance once it is done',
    'reload/restart: a reload is under way: restart again once it is done',
    'reload/reload: a reload is already under way',
    'reload/replace: a reload is under way: replace the instance once it is done',
    'replace/restart: an instance is being replaced: restart again once it is done',
    'replace/reload: an instance is being replaced: reload once it is done',
    'replace/replace: an instance is being replaced: replace the instance once it is done',
  ]);
});

test('a second operation is refused with EBUSY naming both; a second restart joins the first; the lock frees as it settles', async () => {
  const lock = new OperationLock();
  const reload = pending<string>();
  const running = lock.run('reload', () => reload.promise);
  assert.equal(lock.current, 'reload');
  await assert.rejects(lock.run('restart', () => Promise.resolve('no')), (err: unknown) => {
    assert.ok(err instanceof BusyError && err instanceof XDaemonError);
    assert.deepEqual([err.code, err.current, err.requested, err.message], ['EBUSY', 'reload', 'restart', 'a reload is under way: restart again once it is done']);
    return true;
  });
  reload.reject(new Error('the replacement died'));
  await assert.rejects(running, /the replacement died/);
  assert.equal(lock.current, undefined, 'free after a failure too');

  const restart = pending<number>();
  let started = 0;
  const first = lock.run('restart', () => (started++, restart.promise));
  const second = lock.run('restart', () => (started++, Promise.resolve(0)));
  assert.equal(started, 1, 'the second restart did not run');
  restart.resolve(42);
  assert.deepEqual(await Promise.all([first, second]), [42, 42]);
  assert.equal(lock.current, undefined);
});

/**
 * Periodic work shared by every supervisor of one process: one interval timer per period for all
 * of them (a host with a hundred daemons wakes once a second for their memory checks, not a
 * hundred times, and their checks share one reading of /proc: ../process/tree-watch). Each call
 * runs in the async context it was registered in, so that an exception in it belongs to its own
 * daemon (a host tells which by that context), and a call that throws does not keep the calls
 * after it from running: its exception is thrown again on its own, at the next tick.
 */
import { AsyncResource } from 'node:async_hooks';

/** The calls of one period. */
interface Group {
  timer: NodeJS.Timeout;
  calls: Set<() => void>;
}

const groups = new Map<number, Group>();

/** The context the shared timers are created in: none of a daemon's (this module's own, at load). */
const unowned = new AsyncResource('xdaemon-shared-timers');

/**
 * `call` bound to the current async context, its exception thrown again at the next tick (in that
 * context) instead of to its caller: for work that one caller runs for many owners.
 */
export function ownedCall(call: () => void): () => void {
  return AsyncResource.bind(() => {
    try {
      call();
    } catch (err) {
      process.nextTick(() => {
        throw err;
      });
    }
  });
}

/**
 * Calls `call` every `ms` milliseconds (with the other calls of that period, in the order they came)
 * until the returned function is called. The timer keeps no process alive.
 */
export function everyInterval(ms: number, call: () => void): () => void {
  const owned = ownedCall(call);
  let group = groups.get(ms);
  if (group === undefined) {
    const calls = new Set<() => void>();
    const timer = unowned.runInAsyncScope(() =>
      setInterval(() => {
        for (const c of [...calls]) c();
      }, ms),
    );
    timer.unref();
    group = { timer, calls };
    groups.set(ms, group);
  }
  const mine = group;
  mine.calls.add(owned);
  return () => {
    if (!mine.calls.delete(owned) || mine.calls.size > 0) return;
    clearInterval(mine.timer);
    if (groups.get(ms) === mine) groups.delete(ms);
  };
}

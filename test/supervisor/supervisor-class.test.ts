/**
 * The exported Supervisor class, driven in-process by a program (test/fixtures/supervise-events.cjs)
 * the way forever-monitor users drive theirs: its events, each one object, in order, and what its
 * calls resolve with, for a crash, a requested restart, a stop, a give-up, a start that cannot
 * happen, a worker never ready, a stop with another signal, a cleanup of what a worker left, and
 * the PATH lookup of its command.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FIXTURES, cleanup, records, run, tempDir } from '../support/fixtures';
import { isGone, waitNoTagged } from '../support/harness';

after(cleanup);

interface Counters {
  starts: number;
  restarts: number;
  reloads: number;
  errors: number;
  maxCount: number;
  maxError: number;
}

interface Event {
  event: string;
  pid?: number;
  pids?: number[];
  survivors?: number[];
  workerPid?: number;
  code?: number | null;
  signal?: string | null;
  reason?: string;
  message?: string;
  name?: string;
  counters?: Counters;
  state?: string;
  got?: string[];
  command?: string[];
}

async function scenario(name: string): Promise<Event[]> {
  const res = await run(join(FIXTURES, 'supervise-events.cjs'), [], { env: { S_SCENARIO: name, T_DIR: tempDir() }, timeout: 30_000 });
  assert.equal(res.code, 0, res.stderr);
  await waitNoTagged(5000);
  return records<Event>(res.stdout, 'EVENT');
}

/** The events' names in order (for the first assertion of each test: it shows them all when it fails). */
const names = (events: Event[]): string[] => events.map((e) => e.event);
const one = (events: Event[], name: string): Event => {
  const found = events.filter((e) => e.event === name);
  assert.equal(found.length, 1, `one ${name} event: ${JSON.stringify(events, null, 1)}`);
  return found[0] as Event;
};
const counters = (starts: number, restarts: number, errors: number, maxCount = 0, maxError = 3): Counters => ({ starts, restarts, reloads: 0, errors, maxCount, maxError });

test('a crash, a requested restart, a stop: events in order, one object each; counters() agrees', async () => {
  const events = await scenario('crash-restart-stop');
  assert.deepEqual(
    names(events),
    ['start', 'started', 'exit', 'start', 'ready', 'restarting', 'exit', 'start', 'restarted', 'ready', 'stopping', 'exit', 'stop', 'stopped', 'status', 'ended', 'counters'],
    JSON.stringify(events, null, 1),
  );
  const [start1, started, exit1, start2, ready2, , exit2, start3, restarted, ready3, stopping, exit3, stop, stopped, status, ended, now] = events as Event[];
  assert.equal(started?.workerPid, start1?.pid, 'start() resolves with the first worker');
  assert.equal(exit1?.pid, start1?.pid);
  assert.equal(exit1?.code, 1, 'the first worker crashed');
  assert.equal(ready2?.pid, start2?.pid);
  assert.equal(exit2?.pid, start2?.pid);
  assert.equal(exit2?.signal, 'SIGTERM', 'the restart stopped it gracefully');
  assert.equal(restarted?.workerPid, start3?.pid);
  assert.equal(ready3?.pid, start3?.pid);
  assert.deepEqual(start3?.counters, counters(2, 1, 1), 'a restart counts in restarts only');
  assert.deepEqual([stopping?.pid, stopping?.signal], [start3?.pid, 'SIGTERM'], 'stop() signals SIGTERM by default');
  assert.equal(exit3?.pid, start3?.pid);
  assert.deepEqual(stop?.counters?.restarts, 1);
  assert.deepEqual({ code: stopped?.code, reason: stopped?.reason }, { code: 0, reason: 'stop' });
  assert.deepEqual({ code: ended?.code, reason: ended?.reason }, { code: 0, reason: 'stop' }, 'ended says what stop() said');
  assert.equal(status?.state, 'ended');
  const { event: _e, ...rest } = now as Event;
  assert.deepEqual(rest, counters(2, 1, 1), 'counters() says what the last event said');
  for (const e of [start1, start2, start3]) assert.ok(e?.pid !== undefined && isGone(e.pid));
});

// What the README promises: start() resolves "once the first worker runs" (is ready, with
// waitReady). A first worker that runs and then dies does not undo that: the give-up is told by
// the 'giveup' event and `ended`. start() rejects only when no worker was ever up.
test('a worker that always dies: start() resolves with the first worker, then giveup reports maxError with code 1', async () => {
  const events = await scenario('giveup');
  assert.deepEqual(names(events), ['start', 'started', 'exit', 'start', 'exit', 'giveup', 'ended', 'counters'], JSON.stringify(events, null, 1));
  assert.equal(one(events, 'started').workerPid, events[0]?.pid, 'start() resolved with the first worker, which did run');
  const giveup = one(events, 'giveup');
  assert.deepEqual({ code: giveup.code, reason: giveup.reason }, { code: 1, reason: 'maxError' });
  assert.deepEqual({ code: one(events, 'ended').code, reason: one(events, 'ended').reason }, { code: 1, reason: 'maxError' });
  assert.deepEqual(giveup.counters, counters(2, 0, 2, 0, 1));
});

test('a start that cannot happen (working directory gone): start-failed per attempt, then start() rejects', async () => {
  const events = await scenario('start-failed');
  assert.deepEqual(names(events), ['start-failed', 'start-failed', 'giveup', 'start-rejected', 'ended', 'counters'], JSON.stringify(events, null, 1));
  const failed = events.filter((e) => e.event === 'start-failed');
  for (const f of failed) assert.match(String(f.message), /cannot start ".*": working directory ".*cwd": ENOENT/);
  assert.deepEqual(
    failed.map((f) => f.counters),
    [counters(1, 0, 1, 0, 1), counters(2, 0, 2, 0, 1)],
    'each failed start is a start and an error',
  );
  const rejected = one(events, 'start-rejected');
  assert.equal(rejected.name, 'XDaemonError');
  assert.match(String(rejected.message), /supervision ended \(maxError\) before a worker was up/);
  assert.equal(one(events, 'ended').code, 1);
});

test('waitReady and a worker that never says ready: not-ready, the worker stopped, start() rejects, giveup not-ready', async () => {
  const events = await scenario('not-ready');
  assert.deepEqual(names(events), ['start', 'not-ready', 'exit', 'giveup', 'start-rejected', 'ended', 'counters'], JSON.stringify(events, null, 1));
  const start = one(events, 'start');
  assert.deepEqual(one(events, 'not-ready'), { event: 'not-ready', instance: 0, pid: start.pid, waitReady: 300, how: 'call ready()' });
  assert.deepEqual([one(events, 'exit').pid, one(events, 'exit').signal], [start.pid, 'SIGTERM'], 'stopped gracefully');
  assert.equal(one(events, 'giveup').reason, 'not-ready');
  assert.equal(one(events, 'start-rejected').message, `worker pid ${start.pid} did not call ready() within 300 ms`);
  assert.deepEqual({ code: one(events, 'ended').code, reason: one(events, 'ended').reason }, { code: 1, reason: 'not-ready' });
});

test('restart() with waitReady resolves once the new worker is ready, not when it starts', async () => {
  const events = await scenario('restart-ready');
  assert.deepEqual(
    names(events),
    ['start', 'ready', 'started', 'restarting', 'exit', 'start', 'ready', 'restarted', 'stopping', 'exit', 'stop', 'stopped', 'ended', 'counters'],
    JSON.stringify(events, null, 1),
  );
  const second = events.filter((e) => e.event === 'start')[1] as Event;
  assert.equal(one(events, 'restarted').workerPid, second.pid);
  assert.deepEqual(one(events, 'restarted'), { event: 'restarted', workerPid: events.filter((e) => e.event === 'ready')[1]?.pid });
});

test("stop('SIGINT') signals SIGINT, then SIGKILL after killTimeout to a worker that ignores it (the kill event)", async () => {
  const events = await scenario('stop-signal');
  assert.deepEqual(
    names(events),
    ['start', 'started', 'ready', 'stopping', 'kill', 'exit', 'stop', 'stopped', 'signals', 'ended', 'counters'],
    JSON.stringify(events, null, 1),
  );
  const pid = one(events, 'start').pid;
  assert.equal(one(events, 'stopping').signal, 'SIGINT');
  assert.deepEqual(one(events, 'signals').got, ['SIGINT'], 'the worker got SIGINT once (a second may mean "quit now"), and no SIGTERM');
  assert.deepEqual(one(events, 'kill'), { event: 'kill', instance: 0, pid, pids: [pid], killTimeout: 2000 });
  assert.deepEqual([one(events, 'exit').signal, one(events, 'stop').survivors], ['SIGKILL', []], 'killed, nothing survived');
});

test('a worker that exits leaving a grandchild: cleanup names it, kill after killTimeout, then the policy ends it', async () => {
  const events = await scenario('cleanup');
  assert.deepEqual(names(events), ['start', 'started', 'exit', 'cleanup', 'kill', 'giveup', 'ended', 'counters', 'left'], JSON.stringify(events, null, 1));
  const pid = one(events, 'start').pid;
  const left = one(events, 'left').pid as number;
  assert.deepEqual(one(events, 'cleanup'), { event: 'cleanup', instance: 0, pid, pids: [left] });
  assert.deepEqual(one(events, 'kill'), { event: 'kill', instance: 0, pid, pids: [left], killTimeout: 300 }, 'it ignored SIGTERM');
  assert.ok(isGone(left), 'the grandchild is gone');
  assert.deepEqual({ code: one(events, 'ended').code, reason: one(events, 'ended').reason }, { code: 0, reason: 'maxCount' });
});

test("the command is looked up in the PATH of the Supervisor's env; a name found nowhere is refused before anything starts", async () => {
  const events = await scenario('path');
  assert.deepEqual(names(events), ['refused', 'command', 'started', 'stopped', 'ended', 'counters'], JSON.stringify(events, null, 1));
  assert.deepEqual(one(events, 'refused'), { event: 'refused', name: 'XDaemonError', message: 'command not found: "xd-node-missing" (not in PATH)', code: 'ENOENT' });
  const command = one(events, 'command').command ?? [];
  assert.match(String(command[0]), /\/bin\/xd-node$/, 'the executable found in the given PATH');
  assert.ok(one(events, 'started').workerPid !== undefined, 'and it ran');
});

/**
 * `events(pidFile)`, the supervisor's events leaving its process, through the built library in
 * this process against real daemons: a SIGKILLed worker is an `exit` record (its pid, the signal)
 * then a `start` record (the new pid), in order, after the first record (`subscribed`, the status
 * then); a stop ends the iteration after `exiting`; a subscriber that never reads is sent
 * `dropped` and disconnected while a crash-looping daemon goes on restarting, and a subscriber
 * that reads keeps every record.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type Socket, createConnection } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { absolutePidFile, controlAddress, stateFileOf } from '../../src/control/address';
import { readState } from '../../src/control/state-file';
import type * as Library from '../../src/index';
import { newHome, xd } from '../support/cli';
import { fields, finished, launch, worker } from '../support/daemon-fixture';
import { ROOT, cleanup, tempDir } from '../support/fixtures';
import { signal, withTimeout } from '../support/harness';

after(cleanup);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { events, stop } = require(join(ROOT, 'dist', 'index.js')) as typeof Library;
type DaemonEvent = Library.DaemonEvent;

/** Reads `iterator` until `until` holds for a record (or it ends); returns what it read. */
async function readUntil(iterator: AsyncIterator<DaemonEvent>, until: (e: DaemonEvent) => boolean, what: string, timeout = 20_000): Promise<DaemonEvent[]> {
  const seen: DaemonEvent[] = [];
  const deadline = Date.now() + timeout;
  for (;;) {
    const next = await withTimeout(iterator.next(), Math.max(1, deadline - Date.now()), `${what} (read so far: ${seen.map((e) => e.kind).join(', ')})`);
    if (next.done === true) return seen;
    seen.push(next.value);
    if (until(next.value)) return seen;
  }
}

test('a worker SIGKILLed: exit (its pid, SIGKILL) then start (the new pid), in order; a stop ends the iteration', async (t) => {
  const dir = tempDir();
  const pidFile = join(dir, 'app.pid');
  const d = await launch(t, { W_MODE: 'run', D_FIELDS: fields({ pidFile, killTimeout: 500 }) }, { log: join(dir, 'app.log') });
  const w = await worker(d);
  const iterator = events(pidFile);
  const [first] = await readUntil(iterator, () => true, 'the first record');
  assert.equal(first?.kind, 'subscribed');
  assert.equal(first.kind === 'subscribed' && first.status.workerPid, w.pid, 'it holds the status the subscription began with');

  signal(w.pid, 'SIGKILL');
  const seen = await readUntil(iterator, (e) => e.kind === 'start', 'the new worker');
  const exit = seen.find((e) => e.kind === 'exit');
  const start = seen.at(-1);
  assert.ok(exit?.kind === 'exit' && start?.kind === 'start', JSON.stringify(seen));
  assert.equal(exit.pid, w.pid);
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(exit.instance, 0);
  assert.ok(seen.indexOf(exit) < seen.indexOf(start), 'exit before start');
  assert.equal(start.pid, (await worker(d, 2)).pid);
  assert.equal(start.counters.starts, 2);
  for (const e of seen) assert.ok(!Number.isNaN(Date.parse(e.time)), `an ISO time: ${e.time}`);

  signal(d.spid, 'SIGTERM');
  const rest = await readUntil(iterator, () => false, 'the end of the iteration');
  assert.deepEqual(
    rest.map((e) => e.kind).filter((k) => ['stopping', 'exit', 'stop', 'exiting'].includes(k)),
    ['stopping', 'exit', 'stop', 'exiting'],
  );
  const exiting = rest.at(-1);
  assert.ok(exiting?.kind === 'exiting' && exiting.code === 0);
  assert.equal((await finished(d)).code, 0);
});

test('no daemon: the iteration rejects with ESRCH; an abort ends it quietly', async (t) => {
  const pidFile = join(tempDir(), 'none.pid');
  await assert.rejects(events(pidFile).next(), (err: Error & { code?: string }) => err.code === 'ESRCH' && err.message === `cannot follow the events: no daemon runs for ${pidFile}`);

  const d = await launch(t, { W_MODE: 'run', D_FIELDS: fields({ pidFile, killTimeout: 500 }) }, { log: join(tempDir(), 'app.log') });
  await worker(d);
  const controller = new AbortController();
  const iterator = events(pidFile, { signal: controller.signal });
  assert.equal((await iterator.next()).value?.kind, 'subscribed');
  const pending = iterator.next();
  controller.abort();
  assert.deepEqual(await withTimeout(pending, 5000, 'the aborted iteration to end'), { done: true, value: undefined });
  await stop(pidFile);
});

/** The default send buffer of a socket, bytes (Linux; the usual value elsewhere). */
function sendBuffer(): number {
  try {
    return Number(readFileSync('/proc/sys/net/core/wmem_default', 'utf8'));
  } catch {
    return 212_992;
  }
}

/** A subscriber that sends its request and then never reads: its records pile up in the kernel, then in the supervisor. */
function neverReading(pidFile: string): Socket {
  const abs = absolutePidFile(pidFile);
  const key = readState(stateFileOf(abs))?.key ?? '';
  const socket = createConnection(controlAddress(abs));
  socket.pause();
  socket.write(`${JSON.stringify({ op: 'events', key })}\n`);
  return socket;
}

/** Everything `socket` still has to give, as lines, once it is read (up to its end). */
function readToEnd(socket: Socket): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text.split('\n').filter((l) => l !== '')));
    socket.on('error', reject);
    socket.resume();
  });
}

test('a subscriber that never reads is dropped with a last record; the supervisor goes on restarting, and a reader misses nothing', async (t) => {
  const home = newHome(t);
  // A worker that exits at once, restarted at once, forever: a hundred events a second or more.
  // (Whether start finds it up depends on when it looks: the daemon goes on under its policy either way.)
  const started = await xd(home, ['start', '--name', 'loop', '--min-exit-time', '0', '--restart-delay', '0', '--', '/bin/sh', '-c', 'exit 0']);
  assert.match(started.stdout + started.stderr, /^(started loop|xdaemon: loop did not come up)/m);
  const pidFile = join(home.dir, 'loop.pid');
  const slow = neverReading(pidFile);
  t.after(() => void slow.destroy());

  const reader = events(pidFile);
  // Well past what the one that never reads can be sent before it is dropped: what the kernel
  // takes for it (its socket's send buffer, ~700 bytes of it per small record), what its own
  // Node buffers read ahead (16 KB), and the supervisor's bound (256 records).
  const ENOUGH = 2 * (Math.ceil(sendBuffer() / 700) + 100 + 256);
  let count = 0;
  const read = await readUntil(reader, () => ++count >= ENOUGH, `${ENOUGH} records`, 90_000);

  const lines = await withTimeout(readToEnd(slow), 20_000, 'the dropped subscriber to be disconnected');
  const records = lines.map((l) => JSON.parse(l) as DaemonEvent | { ok: boolean });
  assert.deepEqual(records[0], { ok: true }, 'the answer first');
  const last = records.at(-1) as DaemonEvent;
  assert.equal(last.kind, 'dropped', `the last of ${records.length} records: ${lines.at(-1)}`);
  assert.match(last.kind === 'dropped' ? last.reason : '', /reads too slowly/);
  assert.ok(records.length < ENOUGH, `it got ${records.length} records, fewer than the reader`);

  // The reader got every start, numbered without a gap, also after the other one was dropped.
  const starts = read.flatMap((e) => (e.kind === 'start' ? [e.counters.starts] : []));
  assert.ok(starts.length > 100, `${starts.length} starts`);
  starts.forEach((n, i) => assert.equal(n, (starts[0] as number) + i, `start #${i} is ${n}`));
  const droppedAt = Date.parse(last.time);
  await readUntil(reader, (e) => e.kind === 'start' && Date.parse(e.time) > droppedAt + 100, 'a start after the drop');
  await reader.return?.();
});

/**
 * The watch of trees (src/process/tree-watch.ts): a supervisor's CPU samples and memory checks
 * read what grows with its trees and with the processes created since their last look, never with
 * the processes that merely exist. Counted, not timed: a reader that counts each read of /proc,
 * over a process table of the test's own (every rule, exactly) and over the real /proc with 200
 * unrelated processes beside a worker's tree.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ProcEntry } from '../../src/process/proc';
import { PROC_READER, type ProcReader } from '../../src/process/proc-reader';
import { identify } from '../../src/process/stop-tree';
import { tokenScan } from '../../src/process/token-scan';
import { treeWatch } from '../../src/process/tree-watch';
import { cleanup } from '../support/fixtures';
import { childPids, signal, signalOurs, start, waitAllGone, waitFor, waitLine } from '../support/harness';

after(cleanup);

const HAS_PROC = process.platform === 'linux';

/** Reads, counted: by kind, and those that touched each pid. */
class Counted implements ProcReader {
  readonly available = true;
  listings = 0;
  counter = 0;
  readonly byPid = new Map<number, number>();
  readonly byKind = { stat: 0, environ: 0, memory: 0 };

  constructor(private readonly inner: ProcReader) {}

  private touch(pid: number): void {
    this.byPid.set(pid, (this.byPid.get(pid) ?? 0) + 1);
  }

  reset(): void {
    this.listings = 0;
    this.counter = 0;
    this.byPid.clear();
    this.byKind.stat = this.byKind.environ = this.byKind.memory = 0;
  }

  /** Reads of any of `pids`. */
  of(pids: Iterable<number>): number {
    let n = 0;
    for (const pid of pids) n += this.byPid.get(pid) ?? 0;
    return n;
  }

  pids(): number[] {
    this.listings++;
    return this.inner.pids();
  }
  stat(pid: number): ProcEntry | undefined {
    this.byKind.stat++;
    this.touch(pid);
    return this.inner.stat(pid);
  }
  environ(pid: number): Buffer | undefined {
    this.byKind.environ++;
    this.touch(pid);
    return this.inner.environ(pid);
  }
  lastPid(): number | undefined {
    this.counter++;
    return this.inner.lastPid();
  }
  rss(pid: number): number | undefined {
    this.byKind.memory++;
    this.touch(pid);
    return this.inner.rss(pid);
  }
  memory(pid: number): { rss?: number; pss?: number } | undefined {
    this.byKind.memory++;
    this.touch(pid);
    return this.inner.memory(pid);
  }
}

/** A process table of the test's own: pids handed out in order, as the kernel does. */
class Table implements ProcReader {
  readonly available = true;
  readonly procs = new Map<number, ProcEntry & { environ: string[] }>();
  last = 0;
  clock = 1000;

  spawn(parent: number, opts: { group?: 'own' | 'session'; environ?: string[]; ticks?: number } = {}): number {
    const pid = ++this.last;
    const p = this.procs.get(parent);
    const own = opts.group !== undefined;
    this.procs.set(pid, {
      pid,
      state: 'S',
      ppid: parent,
      pgrp: own ? pid : (p?.pgrp ?? pid),
      session: opts.group === 'session' ? pid : (p?.session ?? pid),
      starttime: ++this.clock,
      ticks: opts.ticks ?? 0,
      // Every process has some environment (an empty one is one caught in its exec).
      environ: opts.environ ?? p?.environ ?? ['PATH=/usr/bin'],
    });
    return pid;
  }

  kill(pid: number): void {
    this.procs.delete(pid);
    for (const p of this.procs.values()) if (p.ppid === pid) p.ppid = 1;
  }

  pids(): number[] {
    return [...this.procs.keys()];
  }
  stat(pid: number): ProcEntry | undefined {
    const p = this.procs.get(pid);
    return p === undefined ? undefined : { pid: p.pid, state: p.state, ppid: p.ppid, pgrp: p.pgrp, session: p.session, starttime: p.starttime, ticks: p.ticks };
  }
  environ(pid: number): Buffer | undefined {
    const p = this.procs.get(pid);
    return p === undefined ? undefined : Buffer.from(p.environ.map((e) => `${e}\0`).join(''), 'latin1');
  }
  lastPid(): number | undefined {
    return this.last;
  }
  rss(pid: number): number | undefined {
    return this.procs.has(pid) ? 1024 : undefined;
  }
  memory(pid: number): { rss?: number; pss?: number } | undefined {
    return this.procs.has(pid) ? { rss: 1024, pss: 512 } : undefined;
  }
}

/** The next turn of the event loop: the watch shares its reading of the new processes within one. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a watched tree costs its members\' reads; 200 unrelated processes are read once, when new, then never', async () => {
  const table = new Table();
  table.last = 900;
  const token = 'XDAEMON_TREE=host.1.1';
  const worker = table.spawn(1, { group: 'session', environ: [token], ticks: 10 });
  const child = table.spawn(worker, { ticks: 5 });
  // A double fork: the middle process is gone, the grandchild has its own session and init for a parent.
  const middle = table.spawn(child, { group: 'session' });
  const escaped = table.spawn(middle, { ticks: 7 });
  table.kill(middle);
  const reader = new Counted(table);
  const watch = treeWatch(reader);
  const tree = { id: { pid: worker, starttime: table.procs.get(worker)?.starttime as number }, mark: { entry: token } };
  const pids = (u: { members: { pid: number }[] }): number[] => u.members.map((m) => m.pid).sort((a, b) => a - b);

  const [first] = watch.usage([tree], 'none');
  assert.deepEqual(pids(first as { members: { pid: number }[] }), [worker, child, escaped], 'the escaped one by its token');
  assert.equal(first?.ticks, 22, 'the ticks of every member, exactly');
  await nextTurn();

  // Nothing created since: the counter and the members' stat lines, nothing else.
  reader.reset();
  const [same] = watch.usage([tree], 'none');
  assert.deepEqual(pids(same as { members: { pid: number }[] }), [worker, child, escaped]);
  const quiet = { listings: reader.listings, counter: reader.counter, ...reader.byKind };
  assert.deepEqual(quiet, { listings: 0, counter: 1, stat: 3, environ: 0, memory: 0 });
  await nextTurn();

  // 200 unrelated processes: read once (their stat, and their environment: no link makes them members)…
  const unrelated = Array.from({ length: 200 }, () => table.spawn(1, { group: 'session' }));
  reader.reset();
  watch.usage([tree], 'none');
  assert.equal(reader.listings, 1);
  assert.equal(reader.of(unrelated), 400, 'each new one: its stat and its environment, once');
  await nextTurn();

  // …and never again: the same reads as without them.
  reader.reset();
  const [later] = watch.usage([tree], 'none');
  assert.deepEqual({ listings: reader.listings, counter: reader.counter, ...reader.byKind }, quiet, 'the reads do not grow with the 200');
  assert.equal(reader.of(unrelated), 0);
  assert.deepEqual(pids(later as { members: { pid: number }[] }), [worker, child, escaped]);
  await nextTurn();

  // A new process linked to a member is one without its environment read; memory is read of members only.
  const grandchild = table.spawn(child);
  reader.reset();
  const [grown] = watch.usage([tree], 'rss');
  assert.deepEqual(pids(grown as { members: { pid: number }[] }), [worker, child, escaped, grandchild].sort((a, b) => a - b));
  assert.equal(reader.byKind.environ, 0, 'linked by its parent: no environment read');
  assert.equal(grown?.rss, 4 * 1024);
  await nextTurn();

  // A member that lost its parent (re-parented to init) stays one; one that ended is dropped.
  table.kill(child);
  const [after] = watch.usage([tree], 'none');
  assert.deepEqual(pids(after as { members: { pid: number }[] }), [worker, escaped, grandchild].sort((a, b) => a - b));
});

test('a host\'s trees asked about in one pass: a new unrelated process is read once, not once per tree', async () => {
  const table = new Table();
  table.last = 500;
  const trees = Array.from({ length: 20 }, (_, i) => {
    const token = `XDAEMON_TREE=host.3.${i + 1}`;
    const worker = table.spawn(1, { group: 'session', environ: [token] });
    return { id: { pid: worker, starttime: table.procs.get(worker)?.starttime as number }, mark: { entry: token } };
  });
  const reader = new Counted(table);
  const watch = treeWatch(reader);
  watch.usage(trees, 'none');
  await nextTurn();
  const unrelated = Array.from({ length: 200 }, () => table.spawn(1, { group: 'session' }));
  // One that left its tree's links (a double fork): found by its token, among the 200 read.
  const escaped = table.spawn(1, { group: 'session', environ: [trees[7]?.mark.entry as string] });
  reader.reset();
  const usages = watch.usage(trees, 'none');
  assert.equal(reader.listings, 1, 'one listing for the 20 trees');
  assert.equal(reader.of(unrelated), 400, 'each of the 200: its stat and its environment, once for the 20 trees');
  assert.deepEqual(usages[7]?.members.map((m) => m.pid).sort((a, b) => a - b), [trees[7]?.id.pid, escaped]);
  assert.ok(usages.every((u, i) => i === 7 || u.members.length === 1), 'the others: their worker alone');
});

test('after the pid counter wraps, what is new is found at low pids too', async () => {
  const table = new Table();
  table.last = 30_000;
  const token = 'XDAEMON_TREE=host.2.1';
  const worker = table.spawn(1, { group: 'session', environ: [token] });
  const watch = treeWatch(table);
  const tree = { id: { pid: worker, starttime: table.procs.get(worker)?.starttime as number }, mark: { entry: token } };
  assert.equal(watch.usage([tree], 'none')[0]?.members.length, 1);
  await nextTurn();
  table.last = 300; // Wrapped: the next pids are low.
  const escaped = table.spawn(worker, { group: 'session' });
  table.procs.get(escaped)!.ppid = 1;
  const linked = table.spawn(worker);
  assert.deepEqual(
    watch.usage([tree], 'none')[0]?.members.map((m) => m.pid).sort((a, b) => a - b),
    [linked, escaped, worker].sort((a, b) => a - b),
  );
});

test('a new process caught in its exec (an empty environment) is asked again at the next pass', async () => {
  const table = new Table();
  table.last = 5000;
  const token = 'XDAEMON_TREE=host.3.1';
  const worker = table.spawn(1, { group: 'session', environ: [token] });
  const watch = treeWatch(table);
  const tree = { id: { pid: worker, starttime: table.procs.get(worker)?.starttime as number }, mark: { entry: token } };
  assert.equal(watch.usage([tree], 'none')[0]?.members.length, 1);
  await nextTurn();
  // A double fork's orphan in its exec: no link, and no environment to read yet.
  const orphan = table.spawn(worker, { group: 'session', environ: [] });
  table.procs.get(orphan)!.ppid = 1;
  assert.deepEqual(watch.usage([tree], 'none')[0]?.members.map((m) => m.pid), [worker]);
  await nextTurn();
  table.procs.get(orphan)!.environ = [token];
  assert.deepEqual(watch.usage([tree], 'none')[0]?.members.map((m) => m.pid).sort((a, b) => a - b), [worker, orphan].sort((a, b) => a - b));
});

test('on the real /proc: 200 unrelated processes are read in the first pass after they appear, then never; the members are the scan\'s', { skip: !HAS_PROC && 'no /proc' }, async (t) => {
  const token = `XDAEMON_TREE=watch-${process.pid}.1`;
  // A worker with a child, and an orphan of a double fork that only the token links to it.
  const script = 'sleep 120 & (setsid sleep 120 & echo "ORPHAN $!") ; echo "CHILD $!"; wait';
  const worker = start('sh', ['-c', script], { env: { XDAEMON_TREE: token.slice('XDAEMON_TREE='.length) } });
  const orphan = Number(await waitLine(worker, 'ORPHAN'));
  const child = Number(await waitLine(worker, 'CHILD'));
  let crowd: ReturnType<typeof start> | undefined;
  t.after(() => {
    const c = crowd === undefined ? [] : [...childPids(crowd.pid), crowd.pid];
    for (const pid of [worker.pid, child, orphan, ...c]) signalOurs(pid, 'SIGKILL');
    return waitAllGone([worker.pid, child, orphan, ...c]);
  });
  const id = identify(worker.pid);
  assert.ok(id !== undefined);
  const tree = { id, mark: { entry: token } };
  const reader = new Counted(PROC_READER);
  const watch = treeWatch(reader);
  const members = (u: { members: { pid: number }[] } | undefined): number[] => (u?.members ?? []).map((m) => m.pid).sort((a, b) => a - b);
  const all = [worker.pid, child, orphan].sort((a, b) => a - b);
  assert.deepEqual(members(watch.usage([tree], 'none')[0]), all);
  crowd = start('sh', ['-c', 'for i in $(seq 200); do sleep 120 & done; echo "UP $$"; wait']);
  await waitLine(crowd, 'UP');
  const shell = crowd.pid;
  const sleepers = await waitFor('the 200', () => {
    const pids = childPids(shell);
    return pids.length === 200 ? pids : undefined;
  });
  await nextTurn();

  reader.reset();
  assert.deepEqual(members(watch.usage([tree], 'none')[0]), all);
  assert.equal(reader.of(sleepers), 400, 'each of the 200: its stat and its environment, once');
  for (let pass = 0; pass < 3; pass++) {
    await nextTurn();
    reader.reset();
    const [usage] = watch.usage([tree], 'rss');
    assert.deepEqual(members(usage), all, 'the same members as the scan');
    assert.equal(reader.of(sleepers), 0, `pass ${pass}: none of the 200 read again`);
  }
  // The one-off scan (a stop's) finds the same tree.
  assert.deepEqual(members({ members: tokenScan().members(tree) }), all);
  signal(child, 'SIGKILL');
  await waitFor('the child gone', () => !members(watch.usage([tree], 'none')[0]).includes(child));
});

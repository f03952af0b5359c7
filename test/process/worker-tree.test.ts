/**
 * The seam for the members and usage of a worker's tree (src/process/worker-tree.ts), with the
 * token scan behind it, on a real tree (Linux): a "worker" that carries a tree token, its child,
 * and an orphan of a double fork that only the token links to it. What the stop, the memory check,
 * the CPU sampler and a client each ask of it.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { identify } from '../../src/process/stop-tree';
import { treeStrategy } from '../../src/process/worker-tree';
import { cleanup } from '../support/fixtures';
import { signalOurs, start, waitAllGone, waitLine } from '../support/harness';

after(cleanup);

const HAS_PROC = process.platform === 'linux';

test('members and usage of a worker tree: its child by the link, an orphan by the token (or as a member found before)', { skip: !HAS_PROC && 'no /proc' }, async (t) => {
  const token = `XDAEMON_TREE=test-${process.pid}.1`;
  // The orphan: a subshell starts it and exits at once, so that it is re-parented away from the tree.
  const script = 'sleep 60 & (setsid sleep 60 & echo "ORPHAN $!") ; echo "CHILD $!"; wait';
  const worker = start('sh', ['-c', script], { env: { XDAEMON_TREE: token.slice('XDAEMON_TREE='.length) } });
  const orphan = Number(await waitLine(worker, 'ORPHAN'));
  const child = Number(await waitLine(worker, 'CHILD'));
  t.after(() => {
    for (const pid of [worker.pid, child, orphan]) signalOurs(pid, 'SIGKILL');
    return waitAllGone([worker.pid, child, orphan]);
  });
  const id = identify(worker.pid);
  assert.ok(id !== undefined);
  const trees = treeStrategy();
  assert.equal(trees.available, true);
  const pids = (list: readonly { pid: number }[]): number[] => list.map((m) => m.pid).sort((a, b) => a - b);
  const all = [worker.pid, child, orphan].sort((a, b) => a - b);

  // The stop's scan: the mark finds the orphan; without it only the links count.
  assert.deepEqual(pids(trees.members({ id, mark: { entry: token } })), all);
  assert.deepEqual(pids(trees.members({ id })), [worker.pid, child]);
  assert.deepEqual(pids(trees.members({ id, mark: { entry: token } }, [child])), [worker.pid, orphan], 'an excluded pid is never a member');

  // The memory check: RSS summed over the members; asked again, the same tree (what it learned is kept).
  const [memory] = trees.usage([{ id, mark: { entry: token } }], 'rss');
  assert.ok(memory !== undefined && memory.rss !== undefined && memory.rss > 0);
  assert.deepEqual(pids(memory.members), all);
  assert.equal(memory.pss, undefined, 'PSS only when asked');
  assert.deepEqual(pids(trees.usage([{ id, mark: { entry: token } }], 'rss')[0]?.members ?? []), all);

  // The CPU sampler: ticks and members, no memory read.
  const [cpu] = trees.usage([{ id, mark: { entry: token } }], 'none');
  assert.ok(cpu !== undefined && cpu.ticks >= 0 && cpu.rss === undefined);
  assert.deepEqual(pids(cpu.members), all);

  // A client: the members the supervisor found before stand in for the token; RSS and PSS.
  const known = cpu.members.map((m): [number, number] => [m.pid, m.starttime]);
  const [client] = treeStrategy().usage([{ id, known }], 'pss');
  assert.ok(client !== undefined);
  assert.deepEqual(pids(client.members), all);
  assert.ok(client.pss !== undefined && client.pss > 0 && client.rss !== undefined && client.rss >= memory.rss / 2);
  const stale = known.map(([pid, starttime]): [number, number] => [pid, starttime + 1]);
  assert.deepEqual(pids(treeStrategy().usage([{ id, known: stale }], 'rss')[0]?.members ?? []), [worker.pid, child], 'a pid with another start time is another process');
});

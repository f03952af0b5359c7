/**
 * Listing processes from /proc (Linux): the processes created since a pid, read one by one when
 * there are few pids in between (the leftover scan after a worker's exit) or from the listing of
 * /proc, are processes and never threads, whose ids read like processes' but are not listed.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { after, test } from 'node:test';
import { isThreadStat, listProcs, probeProcs } from '../../src/process/proc';
import { cleanup } from '../support/fixtures';
import { signalOurs, start, waitAllGone, waitFor } from '../support/harness';

after(cleanup);

const HAS_PROC = process.platform === 'linux';

const threadsOf = (pid: number): number[] => readdirSync(`/proc/${pid}/task`).map(Number);

test('isThreadStat: a process is not a thread, its other threads are', { skip: !HAS_PROC && 'no /proc' }, () => {
  const tasks = threadsOf(process.pid);
  assert.ok(tasks.length > 1, 'node runs threads beside its main one');
  for (const tid of tasks) {
    assert.equal(isThreadStat(readFileSync(`/proc/${tid}/stat`, 'latin1')), tid !== process.pid, `task ${tid} of ${process.pid}`);
  }
  assert.equal(isThreadStat('4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1234 56'), false, 'a line cut short is no thread');
});

test('listProcs(since) and probeProcs: the processes created since, no thread among them', { skip: !HAS_PROC && 'no /proc' }, async (t) => {
  const node = start(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  t.after(() => {
    signalOurs(node.pid, 'SIGKILL');
    return waitAllGone([node.pid]);
  });
  const threads = await waitFor('the node child to run its threads', () => {
    const tasks = threadsOf(node.pid).filter((tid) => tid !== node.pid);
    return tasks.length > 0 && tasks;
  });
  // Read one by one over the child's own threads (listProcs does so only when few pids were handed out since).
  const probed = probeProcs(node.pid, Math.max(...threads)).map((p) => p.pid);
  assert.ok(probed.includes(node.pid), `the child ${node.pid} is among the probed ${probed.join(', ')}`);
  assert.deepEqual(
    threads.filter((tid) => probed.includes(tid)),
    [],
    'no thread of it probed',
  );
  const listed = listProcs(node.pid);
  const pids = listed.map((p) => p.pid);
  assert.ok(pids.includes(node.pid), `the child ${node.pid} is among ${pids.join(', ')}`);
  assert.deepEqual(
    threads.filter((tid) => pids.includes(tid)),
    [],
    'no thread of it',
  );
  assert.ok(
    listed.every((p) => p.pid >= node.pid),
    'nothing created before it',
  );
  // What the listing of /proc shows of the same pids (a process may end between the two looks).
  const inListing = new Set(readdirSync('/proc').map(Number));
  const gone = (pid: number): boolean => {
    try {
      readFileSync(`/proc/${pid}/stat`);
      return false;
    } catch {
      return true;
    }
  };
  assert.deepEqual(
    pids.filter((pid) => !inListing.has(pid) && !gone(pid)),
    [],
    'every pid read is a process /proc lists',
  );
});

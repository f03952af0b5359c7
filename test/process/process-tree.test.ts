/** Which processes belong to a worker's tree: the pure decision over a /proc snapshot. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProcEntry } from '../../src/process/proc';
import { parseStat } from '../../src/process/proc';
import { selectTree } from '../../src/process/process-tree';

/** A process: pid, parent, group, start time (session = group unless given), state 'S'. */
const p = (pid: number, ppid: number, pgrp: number, starttime: number, state = 'S'): ProcEntry => ({ pid, ppid, pgrp, session: pgrp, starttime, state, ticks: 0 });
const ROOT = { pid: 100, starttime: 1000 };
const SUPERVISOR = 50;
const none = (): boolean => false;
const pids = (list: ProcEntry[]): number[] => list.map((e) => e.pid).sort((a, b) => a - b);

describe('selectTree', () => {
  const base = [p(1, 0, 1, 0), p(SUPERVISOR, 1, SUPERVISOR, 900), p(100, SUPERVISOR, 100, 1000)];

  test('the worker, its children and grandchildren, its process group', () => {
    const procs = [...base, p(101, 100, 100, 1001), p(102, 101, 100, 1002), p(103, 1, 100, 1003)];
    assert.deepEqual(pids(selectTree(procs, ROOT, none, new Set([1, SUPERVISOR]))), [100, 101, 102, 103]);
  });

  test('a child that left the group (detached: true / setsid) and what it started', () => {
    const procs = [...base, p(110, 100, 110, 1010), p(111, 110, 110, 1011), p(112, 111, 112, 1012)];
    assert.deepEqual(pids(selectTree(procs, ROOT, none, new Set([1, SUPERVISOR]))), [100, 110, 111, 112]);
  });

  test('an orphan of a double fork is found through the tree token, with its own children', () => {
    const procs = [...base, p(120, 1, 120, 1020), p(121, 120, 120, 1021), p(130, 1, 130, 1030)];
    const token = (pid: number): boolean => pid === 120;
    assert.deepEqual(pids(selectTree(procs, ROOT, token, new Set([1, SUPERVISOR]))), [100, 120, 121]);
  });

  test('the group and the children of a worker that is already gone (or a zombie)', () => {
    const procs = [p(1, 0, 1, 0), p(100, SUPERVISOR, 100, 1000, 'Z'), p(103, 1, 100, 1003), p(104, 103, 104, 1004)];
    assert.deepEqual(pids(selectTree(procs, ROOT, none, new Set([1]))), [103, 104]);
  });

  test('nothing started before the worker: a reused pid or group id is not a member', () => {
    // Pid 100 now belongs to another process (started earlier than the worker did): not the root.
    const procs = [p(1, 0, 1, 0), p(100, 1, 100, 500), p(101, 100, 100, 600), p(140, 1, 140, 1040)];
    assert.deepEqual(pids(selectTree(procs, ROOT, () => true, new Set([1]))), [140]);
  });

  test('zombies, init and the supervisor itself are never members', () => {
    const procs = [...base, p(150, 100, 100, 1050, 'Z'), p(151, 100, 100, 1051, 'X')];
    assert.deepEqual(pids(selectTree(procs, ROOT, () => true, new Set([1, SUPERVISOR]))), [100]);
  });

  test('the token is asked of no process the links reach (reading an environment costs more)', () => {
    const procs = [...base, p(101, 100, 100, 1001), p(102, 101, 102, 1002), p(103, 102, 103, 1003), p(120, 1, 120, 1020), p(130, 1, 130, 1030)];
    const asked: number[] = [];
    const token = (pid: number): boolean => {
      asked.push(pid);
      return pid === 120;
    };
    assert.deepEqual(pids(selectTree(procs, ROOT, token, new Set([1, SUPERVISOR]))), [100, 101, 102, 103, 120]);
    assert.deepEqual(asked.sort((a, b) => a - b), [120, 130]);
  });

  test('an excluded root (the worker stopping its own tree) walks on but is not listed', () => {
    const procs = [...base, p(101, 100, 100, 1001), p(110, 100, 110, 1010)];
    assert.deepEqual(pids(selectTree(procs, ROOT, none, new Set([1, SUPERVISOR, 100]))), [101, 110]);
  });
});

describe('parseStat', () => {
  test('a command name with spaces and parentheses', () => {
    const text = '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1234 56\n';
    assert.deepEqual(parseStat(4242, text), { pid: 4242, state: 'S', ppid: 1, pgrp: 4242, session: 4242, starttime: 987654, ticks: 3 });
  });
  test('a truncated line is no entry', () => {
    assert.equal(parseStat(1, '1 (x) S 0 1'), undefined);
  });
});

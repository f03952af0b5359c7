/**
 * Stopping a worker's whole tree: the stop signal to every member, SIGKILL to what is left after
 * the grace period, done when nothing is left (a zombie counts as gone). The members are the tree
 * strategy's (./worker-tree: on Linux, found through /proc); where it has none to tell, the tree is
 * the worker's process group.
 */
import { isZombie, readProc } from './proc.js';
import { groupAlive, signalGroup } from './process-group.js';
import type { ProcessId } from './process-tree.js';
import { type TreeMark, type TreeStrategy, treeStrategy } from './worker-tree.js';

export type { ProcessId, TreeMark };

let strategy: TreeStrategy | undefined;

/** The tree strategy of the stops (made on first use: a worker imports this module and may never stop a tree). */
function trees(): TreeStrategy {
  return (strategy ??= treeStrategy());
}

/** How to stop a tree. */
export interface StopTreeOptions {
  /** First signal (default SIGTERM). */
  signal?: NodeJS.Signals;
  /** Milliseconds between the first signal and SIGKILL. */
  killTimeout: number;
  /** The mark the worker's descendants carry in their environment, if any. */
  mark?: TreeMark | undefined;
  /** Pids never to signal (this process is always one). */
  exclude?: readonly number[];
  /** Called once with the pids still alive when SIGKILL is sent. */
  onKill?: (pids: number[]) => void;
}

/** What a stop did. */
export interface StopTreeResult {
  /** Pids that got the first signal. */
  signalled: number[];
  /** Pids that got SIGKILL. */
  killed: number[];
  /** Pids still alive when the stop gave up (SIGKILL did not end them within 2 s). */
  survivors: number[];
}

const POLL_MS = 25;
/** How long after SIGKILL a stop keeps waiting before it reports survivors. */
const KILL_GRACE_MS = 2000;

/** The live members of `root`'s tree now (the stop's scan, and what an exited worker left running). */
export function findTree(root: ProcessId, mark?: TreeMark, exclude: readonly number[] = []): ProcessId[] {
  return trees().members({ id: root, mark }, exclude);
}

/** The identity of a live process (Linux), or undefined. */
export function identify(pid: number): ProcessId | undefined {
  const entry = readProc(pid);
  return entry === undefined ? undefined : { pid, starttime: entry.starttime };
}

/** Sends `signal` to the tree of `root` without waiting; returns the pids signalled. */
export function signalTree(root: ProcessId, signal: NodeJS.Signals, mark?: TreeMark, exclude: readonly number[] = []): number[] {
  if (!trees().available) {
    signalGroup(root.pid, signal);
    return [root.pid];
  }
  const members = findTree(root, mark, exclude);
  for (const m of members) kill(m.pid, signal);
  return members.map((m) => m.pid);
}

/** Stops the tree of `root`: the signal, SIGKILL after `killTimeout`, resolved when all are gone. */
export async function stopTree(root: ProcessId, options: StopTreeOptions): Promise<StopTreeResult> {
  return trees().available ? stopTreeByMembers(root, options) : stopGroup(root, options);
}

async function stopTreeByMembers(root: ProcessId, options: StopTreeOptions): Promise<StopTreeResult> {
  const signal = options.signal ?? 'SIGTERM';
  const started = Date.now();
  const known = new Map<number, number>();
  const signalled = new Set<number>();
  let killed: number[] = [];
  const toGroup = !(options.exclude ?? []).includes(root.pid) && identify(root.pid)?.starttime === root.starttime;
  for (let scan = 0; ; scan++) {
    const members = current(root, options, known);
    if (scan === 0 && toGroup) {
      // The root's group too (if it is still the root): it catches what the root forks between the
      // scan and the signals. Members in that group have had the signal then: one each, not two (a
      // program may take a second SIGINT for "quit now").
      kill(-root.pid, signal);
      for (const m of members) if (readProc(m.pid)?.pgrp === root.pid) signalled.add(m.pid);
    }
    if (members.length === 0) break;
    for (const m of members) {
      if (signalled.has(m.pid)) continue;
      signalled.add(m.pid);
      kill(m.pid, signal);
    }
    const waited = Date.now() - started;
    if (killed.length === 0 && waited >= options.killTimeout) {
      killed = members.map((m) => m.pid);
      options.onKill?.(killed);
      for (const m of members) kill(m.pid, 'SIGKILL');
    } else if (killed.length > 0) {
      for (const m of members) if (!killed.includes(m.pid)) kill(m.pid, 'SIGKILL');
      if (waited >= options.killTimeout + KILL_GRACE_MS) {
        return { signalled: [...signalled], killed, survivors: members.map((m) => m.pid) };
      }
    }
    await sleep(POLL_MS);
  }
  return { signalled: [...signalled], killed, survivors: [] };
}

/** Members of the tree now, plus members seen before that are still the same live process. */
function current(root: ProcessId, options: StopTreeOptions, known: Map<number, number>): ProcessId[] {
  const members = new Map<number, ProcessId>();
  for (const m of findTree(root, options.mark, options.exclude)) members.set(m.pid, m);
  for (const [pid, starttime] of known) {
    if (members.has(pid)) continue;
    const now = readProc(pid);
    if (now !== undefined && now.starttime === starttime && !isZombie(now.state)) members.set(pid, { pid, starttime });
  }
  for (const m of members.values()) known.set(m.pid, m.starttime);
  return [...members.values()];
}

/** Where there is no /proc: the process group, polled with signal 0. */
async function stopGroup(root: ProcessId, options: StopTreeOptions): Promise<StopTreeResult> {
  const signal = options.signal ?? 'SIGTERM';
  const started = Date.now();
  signalGroup(root.pid, signal);
  let killed = false;
  while (groupAlive(root.pid)) {
    const waited = Date.now() - started;
    if (!killed && waited >= options.killTimeout) {
      killed = true;
      options.onKill?.([root.pid]);
      signalGroup(root.pid, 'SIGKILL');
    } else if (killed && waited >= options.killTimeout + KILL_GRACE_MS) {
      return { signalled: [root.pid], killed: [root.pid], survivors: [root.pid] };
    }
    await sleep(POLL_MS);
  }
  return { signalled: [root.pid], killed: killed ? [root.pid] : [], survivors: [] };
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

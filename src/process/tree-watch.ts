/**
 * The tree strategy of a caller that asks about the same trees again and again (a supervisor's CPU
 * samples and memory limit): watching trees without watching the machine. The one-off look
 * (./token-scan) reads every process started after a tree's worker, each time; on a machine with
 * many processes, and a supervisor per daemon, that made the cost of supervision grow with
 * daemons × processes. This strategy remembers each tree's members between calls and reads, per call:
 *
 * - each member's stat line (the tree's own size: its usage, and whether it still runs as the
 *   same process);
 * - the last pid handed out (one small read): when no process was created since the last call,
 *   nothing else is read, as no process can have joined a tree;
 * - otherwise the processes created since then, once each: a new process whose parent, process
 *   group or session is a member's is a member (./process-tree decides); one linked to none is
 *   asked for the tree token only then (it left them: a double fork, a `setsid`), its environment
 *   read once for every tree asked about in that turn (a host's daemons: one read, not one each).
 *
 * What is new is told by the kernel's pid counter: pids are handed out in increasing order until
 * they wrap, so a process created since the last call has a pid above that call's last pid (after
 * a wrap, at or below the counter). A member stays a member while it runs as the same process
 * (pid and start time), wherever it moved; so the figures stay whole-tree, as exact as the scan's.
 *
 * Calls within one turn of the event loop share one reading of the counter and of the new
 * processes (a host's memory checks of many daemons run in the same tick). A tree not asked about
 * for {@link FORGET_MS} is forgotten. The stop keeps the one-off scan: it must find everything
 * without relying on anything remembered.
 */
import { type ProcReader, PROC_READER } from './proc-reader.js';
import { type ProcEntry, environHolds } from './proc.js';
import { selectTree } from './process-tree.js';
import { tokenScan, usageOf } from './token-scan.js';
import type { TreeMark, TreeRef, TreeStrategy } from './worker-tree.js';

/** How long a tree nobody asks about is remembered, ms (its workers are gone, or its caller stopped). */
export const FORGET_MS = 60_000;

/** What is remembered of one tree. */
interface Watched {
  /** Its members at the last call, pid → start time. */
  members: Map<number, number>;
  /** The highest pid considered so far (the pid counter at the last call). */
  seen: number;
  /** Date.now() of the last call that asked about it. */
  asked: number;
  /**
   * New processes whose environment could not be read yet (one caught in its exec reads as empty),
   * pid → start time: asked again at the next call instead of being passed over for good.
   */
  unread: Map<number, number>;
}

/** The new processes of one turn: the counter then, and each new pid's stat (undefined: gone). */
interface Turn {
  last: number | undefined;
  /** The listing of /proc, once read this turn. */
  pids: number[] | undefined;
  stats: Map<number, ProcEntry | undefined>;
  /** The environments read this turn: a new process no link reaches is read once, whatever the number of trees asked about. */
  environs: Map<number, Buffer | undefined>;
}

const keyOf = (tree: TreeRef): string => `${tree.id.pid}:${tree.id.starttime}${tree.mark === undefined ? '' : 'entry' in tree.mark ? `=${tree.mark.entry}` : `^${tree.mark.prefix}`}`;

/**
 * Whether `pid` was created after the call that saw the counter at `seen`, the counter being `last`
 * now (undefined: unknown, so only the numbers tell).
 */
function isNew(pid: number, seen: number, last: number | undefined): boolean {
  if (last === undefined || last >= seen) return pid > seen;
  // The counter wrapped since: the new ones are above what was seen, or at most the counter.
  return pid > seen || pid <= last;
}

/** A watch of trees over `reader` (this system's /proc by default). One per process is enough: see {@link sharedTreeWatch}. */
export function treeWatch(reader: ProcReader = PROC_READER): TreeStrategy {
  const watched = new Map<string, Watched>();
  let turn: Turn | undefined;
  const self = process.pid;
  const exclude = new Set([0, 1, self]);

  /** This turn's reading of the counter (and, once asked for, of the listing and new stats). */
  const thisTurn = (): Turn => {
    if (turn === undefined) {
      turn = { last: reader.lastPid(), pids: undefined, stats: new Map(), environs: new Map() };
      setImmediate(() => (turn = undefined)).unref();
    }
    return turn;
  };

  const statOnce = (t: Turn, pid: number): ProcEntry | undefined => {
    if (t.stats.has(pid)) return t.stats.get(pid);
    const entry = reader.stat(pid);
    t.stats.set(pid, entry);
    return entry;
  };

  const carriesMark = (t: Turn, pid: number, mark: TreeMark): boolean => {
    let environ = t.environs.get(pid);
    if (!t.environs.has(pid)) t.environs.set(pid, (environ = reader.environ(pid)));
    return environ !== undefined && ('entry' in mark ? environHolds(environ, mark.entry, false) : environHolds(environ, mark.prefix, true));
  };

  /** The members of one tree now, and what to remember of it. */
  const watchOne = (tree: TreeRef, t: Turn, now: number): ProcEntry[] => {
    const key = keyOf(tree);
    let w = watched.get(key);
    if (w === undefined) {
      // Never seen: everything started since the worker is new to it (the one-off scan's reading).
      w = { members: new Map(tree.known?.map(([pid, starttime]) => [pid, starttime]) ?? []), seen: Math.max(0, tree.id.pid - 1), asked: now, unread: new Map() };
      watched.set(key, w);
    }
    w.asked = now;
    const candidates = new Map<number, ProcEntry>();
    const remembered = new Map(w.members);
    for (const [pid, starttime] of tree.known ?? []) remembered.set(pid, starttime);
    remembered.set(tree.id.pid, tree.id.starttime);
    for (const [pid, starttime] of remembered) {
      const entry = statOnce(t, pid);
      if (entry !== undefined && entry.starttime === starttime) candidates.set(pid, entry);
    }
    const fresh = new Set<number>();
    for (const [pid, starttime] of w.unread) {
      const entry = statOnce(t, pid);
      if (entry === undefined || entry.starttime !== starttime || candidates.has(pid)) continue;
      candidates.set(pid, entry);
      fresh.add(pid);
    }
    if (t.last === undefined || t.last !== w.seen) {
      t.pids ??= reader.pids();
      for (const pid of t.pids) {
        if (candidates.has(pid) || !isNew(pid, w.seen, t.last)) continue;
        const entry = statOnce(t, pid);
        if (entry === undefined || entry.starttime < tree.id.starttime) continue;
        candidates.set(pid, entry);
        fresh.add(pid);
      }
      w.seen = t.last ?? Math.max(w.seen, ...t.pids);
    }
    const mark = tree.mark;
    // A remembered member (still the same process) is one wherever it moved; a new process that no
    // link reaches is one if it carries the mark.
    const carries = (pid: number): boolean => !fresh.has(pid) || (mark !== undefined && carriesMark(t, pid, mark));
    const members = selectTree([...candidates.values()], tree.id, carries, exclude);
    w.members = new Map(members.map((m) => [m.pid, m.starttime]));
    w.unread = new Map();
    if (mark !== undefined) {
      for (const pid of fresh) {
        const environ = t.environs.get(pid);
        const entry = candidates.get(pid) as ProcEntry;
        // Empty: caught in its exec (a kernel thread's is empty for good: never ours).
        if (!w.members.has(pid) && environ !== undefined && environ.length === 0 && entry.ppid !== 2) w.unread.set(pid, entry.starttime);
      }
    }
    return members;
  };

  return {
    available: reader.available,
    // The stop's question: everything, found without anything remembered.
    members: (tree, excluded) => tokenScan().members(tree, excluded),
    usage(trees, memory) {
      if (!reader.available || trees.length === 0) return trees.map(() => ({ members: [], ticks: 0 }));
      const now = Date.now();
      for (const [key, w] of watched) if (now - w.asked > FORGET_MS) watched.delete(key);
      const t = thisTurn();
      return trees.map((tree) => usageOf(watchOne(tree, t, now), memory, reader));
    },
  };
}

let shared: TreeStrategy | undefined;

/**
 * The process's own watch, shared by every supervisor in it (a host's daemons, their CPU samples
 * and memory checks): one reading of the pid counter and of the new processes per turn for all.
 */
export function sharedTreeWatch(): TreeStrategy {
  shared ??= treeWatch();
  return shared;
}

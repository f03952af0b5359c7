/**
 * Today's tree strategy (./worker-tree): the members of a worker's tree are found in a scan of
 * Linux's /proc by their links to the worker (its group, its descendants, the groups they lead)
 * and by the tree token in their environment (./process-tree decides), their usage summed from
 * each member's stat line (CPU) and status or smaps_rollup (memory). Elsewhere there is no /proc:
 * no members are found and every figure is unknown, never a guess.
 */
import { HAS_PROC, type ProcEntry, environHas, listProcs } from './proc.js';
import { type ProcReader, PROC_READER } from './proc-reader.js';
import { type ProcessId, selectTree } from './process-tree.js';
import type { MemoryFigures, TreeMark, TreeRef, TreeStrategy, TreeUsage } from './worker-tree.js';

/** Every process at one moment, and each one's start time by pid. */
interface ProcSnapshot {
  procs: ProcEntry[];
  starttimes: ReadonlyMap<number, number>;
}

let snapshot: (ProcSnapshot & { since: number }) | undefined;

/**
 * The processes started no earlier than `since` (a pid: see listProcs) now: one scan shared by the
 * calls of one turn of the event loop (`list` asks for twenty daemons at once, and twenty scans of
 * /proc would cost twenty times one); scanned again only for an older `since`.
 */
function sharedSnapshot(since: number): ProcSnapshot {
  if (snapshot === undefined || since < snapshot.since) {
    const fresh = snapshot === undefined;
    const procs = listProcs(since);
    snapshot = { procs, starttimes: new Map(procs.map((p) => [p.pid, p.starttime])), since };
    if (fresh) setImmediate(() => (snapshot = undefined)).unref();
  }
  return snapshot;
}

/** A tree member started after its root: with no pid wrap since, only higher pids need reading. */
const sinceOf = (tree: TreeRef): number => (tree.id.pid > 0 ? tree.id.pid : 0);

const markKey = (mark: TreeMark): string => ('entry' in mark ? `=${mark.entry}` : `^${mark.prefix}`);

const carriesMark = (pid: number, mark: TreeMark): boolean => ('entry' in mark ? environHas(pid, mark.entry) : environHas(pid, mark.prefix, true));

/**
 * The token scan: what it learned of each mark (the processes found not to carry it, by pid and
 * start time) is kept for its next usage, so that a scan that comes again reads the environment of
 * new processes only. A pid with another start time is another process.
 */
export function tokenScan(): TreeStrategy {
  const withoutMark = new Map<string, Map<number, number>>();
  return { available: HAS_PROC, members, usage: (trees, memory) => usage(withoutMark, trees, memory) };
}

function members(tree: TreeRef, exclude: readonly number[] = []): ProcessId[] {
  const procs = listProcs(sinceOf(tree));
  const starttimes = tree.known === undefined ? new Map<number, number>() : new Map(procs.map((p) => [p.pid, p.starttime]));
  const carries = carrier(tree, starttimes, undefined);
  return selectTree(procs, tree.id, carries, new Set([0, 1, process.pid, ...exclude])).map(({ pid, starttime }) => ({ pid, starttime }));
}

function usage(withoutMark: Map<string, Map<number, number>>, trees: readonly TreeRef[], memory: MemoryFigures): TreeUsage[] {
  if (!HAS_PROC || trees.length === 0) return trees.map(() => ({ members: [], ticks: 0 }));
  const shot = sharedSnapshot(Math.min(...trees.map(sinceOf)));
  const asked = new Set<string>();
  const usages = trees.map((tree) => {
    const carries = carrier(tree, shot.starttimes, learned(withoutMark, tree.mark, shot, asked));
    return usageOf(selectTree(shot.procs, tree.id, carries, new Set([0, 1, process.pid])), memory);
  });
  // Forget what was learned of marks no longer asked about (their workers are gone).
  for (const key of withoutMark.keys()) if (!asked.has(key)) withoutMark.delete(key);
  return usages;
}

/** What was learned of `mark` (the processes without it), the gone ones forgotten; none without a mark. */
function learned(withoutMark: Map<string, Map<number, number>>, mark: TreeMark | undefined, shot: ProcSnapshot, asked: Set<string>): Map<number, number> | undefined {
  if (mark === undefined) return undefined;
  const key = markKey(mark);
  asked.add(key);
  let without = withoutMark.get(key);
  if (without === undefined) withoutMark.set(key, (without = new Map()));
  // Forget processes that are gone (or whose pid now belongs to another one).
  for (const [pid, starttime] of without) if (shot.starttimes.get(pid) !== starttime) without.delete(pid);
  return without;
}

/**
 * Whether a process (one that started after the root and is not linked to it) belongs to `tree`:
 * one of its known members still running as the same process, or a carrier of its mark. `without`:
 * the processes found before not to carry the mark, by pid and start time: their environment is
 * not read again (and new ones are added).
 */
function carrier(tree: TreeRef, starttimes: ReadonlyMap<number, number>, without: Map<number, number> | undefined): (pid: number) => boolean {
  const known = tree.known;
  const isKnown = (pid: number): boolean => known !== undefined && known.some(([k, starttime]) => k === pid && starttime === starttimes.get(pid));
  const mark = tree.mark;
  if (mark === undefined) return isKnown;
  return (pid) => {
    if (isKnown(pid)) return true;
    const starttime = starttimes.get(pid);
    if (without !== undefined && starttime !== undefined && without.get(pid) === starttime) return false;
    const has = carriesMark(pid, mark);
    if (!has && without !== undefined && starttime !== undefined) without.set(pid, starttime);
    return has;
  };
}

/**
 * What `members` use now (a member gone since its stat was read counts for nothing where memory is
 * read), through `reader` (the tree watch passes its own, whose reads it counts).
 */
export function usageOf(members: readonly ProcEntry[], memory: MemoryFigures, reader: Pick<ProcReader, 'memory' | 'rss'> = PROC_READER): TreeUsage {
  if (memory === 'none') return { members: members.map(({ pid, starttime }) => ({ pid, starttime })), ticks: members.reduce((n, m) => n + m.ticks, 0) };
  let ticks = 0;
  let rss = 0;
  let pss = 0;
  let pssKnown = memory === 'pss';
  const read: ProcessId[] = [];
  for (const m of members) {
    const figures = memory === 'pss' ? reader.memory(m.pid) : undefined;
    const resident = figures?.rss ?? reader.rss(m.pid);
    if (resident === undefined) continue; // Gone since its stat was read.
    read.push({ pid: m.pid, starttime: m.starttime });
    ticks += m.ticks;
    rss += resident;
    if (figures?.pss === undefined) pssKnown = false;
    else pss += figures.pss;
  }
  return { members: read, ticks, rss, ...(pssKnown && read.length > 0 ? { pss } : {}) };
}

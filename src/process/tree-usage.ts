/**
 * What a worker's whole tree uses (the tree a stop finds: ./stop-tree), summed over its members,
 * from Linux's /proc: CPU time (cumulative clock ticks, from the stat line the scan reads anyway)
 * and memory (RSS, and PSS where `smaps_rollup` can be read). Both the supervisor (its memory
 * check, its CPU samples) and the CLI (`list`, `status`) measure with it. Elsewhere there is no
 * /proc: every answer is undefined ("unknown"), never a guess.
 */
import { readFileSync } from 'node:fs';
import { HAS_PROC, type ProcEntry, environHas, listProcs } from './proc.js';
import { type ProcessId, selectTree } from './process-tree.js';
import type { TreeMark } from './stop-tree.js';

/**
 * Clock ticks per second of the CPU times in /proc (`USER_HZ`): 100 on every architecture Linux
 * runs Node on (the kernel exports a fixed USER_HZ whatever its internal HZ).
 */
export const CLOCK_TICKS = 100;

/** A worker's tree and the mark its descendants carry. */
export interface TreeRef {
  id: ProcessId;
  mark?: TreeMark | undefined;
}

/** What a tree uses now. */
export interface TreeUsage {
  /** The live members, the root first when it is alive. */
  pids: number[];
  /** CPU clock ticks used by the members and the children they waited for. */
  ticks: number;
  /** Summed resident set sizes, bytes (pages shared between members count once per member). */
  rss: number;
  /** Summed proportional set sizes, bytes (shared pages divided among their users); when asked and readable. */
  pss?: number;
}

/**
 * Finds a tree's members again and again (the supervisor's memory check, every second): like
 * `findTree`, but it remembers which processes were found not to carry the tree token, so that a
 * scan reads the environment of new processes only. A pid with another start time is another process.
 */
export class TreeScanner {
  private readonly withoutToken = new Map<number, number>();

  /**
   * The live members of `tree` now, with their /proc stat entries; `procs`: a listing just taken
   * (`listProcs` since a pid no later than the tree's), shared by the scans of several trees.
   */
  members(tree: TreeRef, procs: ProcEntry[] = listProcs(tree.id.pid > 0 ? tree.id.pid : 0)): ProcEntry[] {
    if (!HAS_PROC) return [];
    const starttimes = new Map(procs.map((p) => [p.pid, p.starttime]));
    // Forget processes that are gone (or whose pid now belongs to another one).
    for (const [pid, starttime] of this.withoutToken) if (starttimes.get(pid) !== starttime) this.withoutToken.delete(pid);
    const mark = tree.mark;
    const carries = (pid: number): boolean => {
      if (mark === undefined) return false;
      const starttime = starttimes.get(pid) as number;
      if (this.withoutToken.get(pid) === starttime) return false;
      const has = 'entry' in mark ? environHas(pid, mark.entry) : environHas(pid, mark.prefix, true);
      if (!has) this.withoutToken.set(pid, starttime);
      return has;
    };
    return selectTree(procs, tree.id, carries, new Set([0, 1, process.pid]));
  }
}

/** What `members` use now; `pss`: also read the proportional set sizes (costlier: the kernel walks the page tables). */
export function usageOf(members: readonly ProcEntry[], options: { pss?: boolean } = {}): TreeUsage {
  let ticks = 0;
  let rss = 0;
  let pss = 0;
  let pssKnown = options.pss === true;
  const pids: number[] = [];
  for (const m of members) {
    const memory = options.pss === true ? rollup(m.pid) : undefined;
    const resident = memory?.rss ?? rssOf(m.pid);
    if (resident === undefined) continue; // Gone since the scan.
    pids.push(m.pid);
    ticks += m.ticks;
    rss += resident;
    if (memory?.pss === undefined) pssKnown = false;
    else pss += memory.pss;
  }
  return { pids, ticks, rss, ...(pssKnown && pids.length > 0 ? { pss } : {}) };
}

let snapshot: (ProcSnapshot & { since: number }) | undefined;

/**
 * The processes started no earlier than `since` (a pid: see listProcs) now (Linux): one scan
 * shared by the calls of one turn of the event loop (`list` asks for twenty daemons at once, and
 * twenty scans of /proc would cost twenty times one); scanned again only for an older `since`.
 */
export function sharedSnapshot(since: number): ProcSnapshot {
  if (snapshot === undefined || since < snapshot.since) {
    const fresh = snapshot === undefined;
    const procs = listProcs(since);
    snapshot = { procs, starttimes: new Map(procs.map((p) => [p.pid, p.starttime])), since };
    if (fresh) setImmediate(() => (snapshot = undefined)).unref();
  }
  return snapshot;
}

/** Every process at one moment, and each one's start time by pid. */
export interface ProcSnapshot {
  procs: ProcEntry[];
  starttimes: ReadonlyMap<number, number>;
}

/**
 * The members of `root`'s tree in `procs`: its group, its descendants and the groups they lead,
 * and the processes of `known` (`[pid, starttime]`, members found before by their tree token) that
 * still run as the same processes. No environment is read.
 */
export function membersOf(snapshot: ProcSnapshot, root: ProcessId, known: readonly [number, number][]): ProcEntry[] {
  const found = new Map(known);
  const carries = (pid: number): boolean => found.has(pid) && found.get(pid) === snapshot.starttimes.get(pid);
  return selectTree(snapshot.procs, root, carries, new Set([0, 1, process.pid]));
}

/** The resident set size of `pid` in bytes (VmRSS of /proc/PID/status), or undefined. */
export function rssOf(pid: number): number | undefined {
  if (!HAS_PROC) return undefined;
  return kbField(read(`/proc/${pid}/status`), 'VmRSS');
}

/** Rss and Pss of `pid` from /proc/PID/smaps_rollup (Linux 4.14+; own processes only), bytes. */
function rollup(pid: number): { rss?: number; pss?: number } | undefined {
  const text = read(`/proc/${pid}/smaps_rollup`);
  if (text === undefined) return undefined;
  const rss = kbField(text, 'Rss');
  const pss = kbField(text, 'Pss');
  return { ...(rss === undefined ? {} : { rss }), ...(pss === undefined ? {} : { pss }) };
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** `Name:   1234 kB` of a /proc text, in bytes. */
function kbField(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const at = text.indexOf(`\n${name}:`);
  const start = at >= 0 ? at + name.length + 2 : text.startsWith(`${name}:`) ? name.length + 1 : -1;
  if (start < 0) return undefined;
  const kb = Number.parseInt(text.slice(start, text.indexOf('\n', start) >>> 0).trim(), 10);
  return Number.isFinite(kb) ? kb * 1024 : undefined;
}

/** `512 B`, `12.0 KB`, `530.2 MB`, `1.5 GB` (1024-based, as sizes are given to --max-size and --max-memory). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit] as string}`;
}

/**
 * The seam for "the members and usage of a worker's tree": what a stop must reach, what the memory
 * limit and the CPU samples measure, what `status()` shows. Its callers (the stop and its leftover
 * scan, the memory check, the CPU sampler, the client's usage) ask a {@link TreeStrategy} and never
 * how it finds the processes. Two strategies today, chosen here and nowhere else: a one-off look
 * ({@link treeStrategy}: a scan of /proc for the tree's links and token, ./token-scan) for a
 * stop and a client, and a watch ({@link watchedTrees}: the members remembered, only what was
 * created since read, ./tree-watch) for a supervisor that asks every few seconds. A cgroup of the
 * worker's own can become another without touching a caller.
 */
import type { ProcessId } from './process-tree.js';
import { tokenScan } from './token-scan.js';
import { sharedTreeWatch } from './tree-watch.js';

export type { ProcessId };

/**
 * What marks a process as a tree member besides its links: the exact environment entry a worker
 * got (its tree token), or a prefix shared by every worker of one supervisor.
 */
export type TreeMark = { entry: string } | { prefix: string };

/** A worker's tree, as a strategy is asked about it. */
export interface TreeRef {
  /** The worker, the tree's root (the tree is what it started, also once it is gone). */
  id: ProcessId;
  /** The mark its descendants carry, if it gave them one. */
  mark?: TreeMark | undefined;
  /**
   * Members another process found before, `[pid, starttime]` (the supervisor's last CPU sample):
   * still members while they run as the same processes. A client goes by them instead of the mark.
   */
  known?: readonly (readonly [number, number])[] | undefined;
}

/** What a tree uses now. */
export interface TreeUsage {
  /** The live members whose usage was read, the root first when it is alive. */
  members: ProcessId[];
  /** CPU clock ticks (`CLOCK_TICKS` a second) used by the members and the children they waited for. */
  ticks: number;
  /** Summed resident set sizes, bytes (a page shared by two members counts twice); when asked. */
  rss?: number;
  /** Summed proportional set sizes, bytes (shared pages divided among their users); when asked and readable. */
  pss?: number;
}

/** Which memory figures a usage reads: none (CPU alone), RSS, or RSS and PSS (costlier: the kernel walks the page tables). */
export type MemoryFigures = 'none' | 'rss' | 'pss';

/** How the members and the usage of workers' trees are found. */
export interface TreeStrategy {
  /** Whether this system lets it tell members and usage (else `members` falls back to nothing, and usage is unknown). */
  readonly available: boolean;
  /** The live members of `tree` now; `exclude`: pids that are never members (this process always is one). */
  members(tree: TreeRef, exclude?: readonly number[]): ProcessId[];
  /**
   * What each of `trees` uses now, in their order, from one look at the system. A strategy may
   * remember what it learned between calls: one instance per caller that asks again and again.
   */
  usage(trees: readonly TreeRef[], memory: MemoryFigures): TreeUsage[];
}

/** A one-off look at trees: token scanning through /proc (Linux), nothing remembered but within one turn. */
export function treeStrategy(): TreeStrategy {
  return tokenScan();
}

/**
 * For a caller that asks about the same trees again and again (the CPU samples, the memory limit):
 * the process's watch, shared by every supervisor in it, whose reads grow with the trees and with
 * the processes created meanwhile, never with those that merely exist.
 */
export function watchedTrees(): TreeStrategy {
  return sharedTreeWatch();
}

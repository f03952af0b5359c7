/**
 * The memory limit: every second, the summed RSS of each instance's worker tree (the worker and
 * every process it started, as the stop finds them) is read from /proc; when one is above
 * `maxMemory`, that instance alone is replaced gracefully (the others untouched), with the figure
 * in the log. A leak is not a crash loop: it counts in the instance's `restarts`, never in
 * `errors`. One replacement at a time: while it, or a restart or reload someone asked for, is under
 * way nothing is checked; the check resumes the second after. RSS, not PSS: it is what `ps` and
 * `xdaemon list` show, and reading it costs no page-table walk.
 */
import { HAS_PROC, listProcs } from '../process/proc.js';
import { TreeScanner, formatBytes, rssOf } from '../process/tree-usage.js';
import type { Procedure, RestartTarget } from './procedures.js';

/** How often the trees are measured, ms. */
export const MEMORY_CHECK_MS = 1000;

/** The log line of a restart for memory. */
export function memoryLine(pid: number, bytes: number, limit: number): string {
  return `memory: worker pid ${pid} tree at ${formatBytes(bytes)} > ${formatBytes(limit)}: restarting`;
}

/** Checks the tree of each of `target`'s workers against `limit` bytes every `interval` ms. */
export function startMemoryCheck(target: RestartTarget, limit: number, interval = MEMORY_CHECK_MS): Procedure {
  if (!HAS_PROC) return { stop: () => undefined };
  // One scanner per instance: each keeps the members it found of its own tree.
  const scanners = new Map<number, TreeScanner>();
  let replacing = false;
  const check = (): void => {
    if (replacing || target.busy()) return;
    const workers = target.workers();
    if (workers.length === 0) return;
    // One listing of /proc for every instance's tree.
    const procs = listProcs(Math.min(...workers.map((w) => w.tree.id.pid)));
    for (const { instance, tree } of workers) {
      let scanner = scanners.get(instance);
      if (scanner === undefined) scanners.set(instance, (scanner = new TreeScanner()));
      let bytes = 0;
      for (const member of scanner.members(tree, procs)) bytes += rssOf(member.pid) ?? 0;
      if (bytes <= limit) continue;
      replacing = true;
      const done = (): void => void (replacing = false);
      target.replaceInstance(instance, 'memory', memoryLine(tree.id.pid, bytes, limit)).then(done, done);
      return;
    }
  };
  const timer = setInterval(check, interval);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

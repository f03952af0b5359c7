/**
 * The memory limit: every second, the summed RSS of each instance's worker tree (the worker and
 * every process it started, as the tree strategy finds them: ../process/worker-tree) is read; when
 * one is above `maxMemory`, that instance alone is replaced gracefully (the others untouched), with the figure
 * in the log. A leak is not a crash loop: it counts in the instance's `restarts`, never in
 * `errors`. One replacement at a time: while it, or a restart or reload someone asked for, is under
 * way nothing is checked; the check resumes the second after. RSS, not PSS: it is what `ps` and
 * `xdaemon list` show, and reading it costs no page-table walk. The checks of every daemon of a
 * process (a host's) share one timer and one watch of the trees (./shared-timers).
 */
import { formatBytes } from '../process/proc-memory.js';
import { watchedTrees } from '../process/worker-tree.js';
import type { Procedure, RestartTarget } from './procedures.js';
import { everyInterval } from './shared-timers.js';

/** How often the trees are measured, ms. */
export const MEMORY_CHECK_MS = 1000;

/** The log line of a restart for memory. */
export function memoryLine(pid: number, bytes: number, limit: number): string {
  return `memory: worker pid ${pid} tree at ${formatBytes(bytes)} > ${formatBytes(limit)}: restarting`;
}

/** Checks the tree of each of `target`'s workers against `limit` bytes every `interval` ms. */
export function startMemoryCheck(target: RestartTarget, limit: number, interval = MEMORY_CHECK_MS): Procedure {
  // The process's watch: it remembers each instance's tree between checks.
  const trees = watchedTrees();
  if (!trees.available) return { stop: () => undefined };
  let replacing = false;
  const check = (): void => {
    if (replacing || target.busy()) return;
    const workers = target.workers();
    if (workers.length === 0) return;
    // One look at the system for every instance's tree.
    const usages = trees.usage(workers.map((w) => w.tree), 'rss');
    for (const [i, { instance, tree }] of workers.entries()) {
      const bytes = usages[i]?.rss ?? 0;
      if (bytes <= limit) continue;
      replacing = true;
      const done = (): void => void (replacing = false);
      target.replaceInstance(instance, 'memory', memoryLine(tree.id.pid, bytes, limit)).then(done, done);
      return;
    }
  };
  return { stop: everyInterval(interval, check) };
}

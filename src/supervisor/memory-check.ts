/**
 * The memory limit: every second, the summed RSS of the worker's whole tree (the worker and every
 * process it started, as the stop finds them) is read from /proc; when it is above `maxMemory`,
 * the worker is restarted gracefully, with the figure in the log. A leak is not a crash loop: the
 * restart counts in `restarts`, never in `errors`. While a restart is under way nothing is checked.
 * RSS, not PSS: it is what `ps` and `xdaemon list` show, and reading it costs no page-table walk.
 */
import { HAS_PROC } from '../process/proc.js';
import { TreeScanner, formatBytes, rssOf } from '../process/tree-usage.js';
import type { Procedure, RestartTarget } from './procedures.js';

/** How often the tree is measured, ms. */
export const MEMORY_CHECK_MS = 1000;

/** The log line of a restart for memory. */
export function memoryLine(pid: number, bytes: number, limit: number): string {
  return `memory: worker pid ${pid} tree at ${formatBytes(bytes)} > ${formatBytes(limit)}: restarting`;
}

/** Checks the tree of `target`'s worker against `limit` bytes every `interval` ms. */
export function startMemoryCheck(target: RestartTarget, limit: number, interval = MEMORY_CHECK_MS): Procedure {
  if (!HAS_PROC) return { stop: () => undefined };
  const scanner = new TreeScanner();
  let restarting = false;
  const check = (): void => {
    const tree = target.workerTree();
    if (restarting || tree === undefined) return;
    let bytes = 0;
    for (const member of scanner.members(tree)) bytes += rssOf(member.pid) ?? 0;
    if (bytes <= limit) return;
    restarting = true;
    target.restartGracefully('memory', memoryLine(tree.id.pid, bytes, limit)).then(
      () => (restarting = false),
      () => (restarting = false),
    );
  };
  const timer = setInterval(check, interval);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

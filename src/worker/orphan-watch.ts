/**
 * Worker side: notice that the supervisor is gone (killed with SIGKILL, so it could not stop us)
 * and stop, with everything this worker started, instead of living on as an orphan. Within about
 * a second of the supervisor's death nothing of the tree is left: the rest of the tree gets
 * SIGTERM, then SIGKILL; then the worker itself gets SIGTERM (its own handlers may run), then SIGKILL.
 */
import { identify, signalTree } from '../process/stop-tree.js';
import { tracer } from '../trace.js';

const trace = tracer('worker');

/** How often the worker checks its parent, in milliseconds. */
export const WATCH_INTERVAL = 100;
/** Milliseconds the rest of the tree, and then the worker, get between SIGTERM and SIGKILL. */
export const ORPHAN_GRACE = 400;

/** Polls the parent pid (an unref'ed timer that never keeps the worker alive). */
export function exitWhenOrphaned(): void {
  const supervisor = process.ppid;
  const timer = setInterval(() => {
    if (parentAlive(supervisor)) return;
    clearInterval(timer);
    process.stderr.write(`xdaemon: worker ${process.pid}: supervisor ${supervisor} is gone; stopping\n`);
    stopOrphanedTree();
  }, WATCH_INTERVAL);
  timer.unref();
}

function stopOrphanedTree(): void {
  const self = identify(process.pid) ?? { pid: process.pid, starttime: 0 };
  const mark = process.env.XDAEMON_TREE === undefined ? undefined : { entry: `XDAEMON_TREE=${process.env.XDAEMON_TREE}` };
  const others = signalTree(self, 'SIGTERM', mark, [process.pid]);
  trace('orphaned: SIGTERM to %o', others);
  setTimeout(() => {
    signalTree(self, 'SIGKILL', mark, [process.pid]);
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), ORPHAN_GRACE);
  }, ORPHAN_GRACE);
}

function parentAlive(pid: number): boolean {
  if (process.platform !== 'win32') return process.ppid === pid;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

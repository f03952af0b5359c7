/**
 * Worker side: notice that the supervisor is gone (killed with SIGKILL, so it could not stop us)
 * and exit instead of living on as an orphan.
 */
import { signalGroup } from '../process/process-group.js';

/** How often the worker checks its parent, in milliseconds. */
export const WATCH_INTERVAL = 200;

/**
 * Polls the parent pid (an unref'ed timer that never keeps the worker alive). When the
 * supervisor is gone, the worker's process group gets SIGTERM, then SIGKILL after `killTimeout`.
 */
export function exitWhenOrphaned(killTimeout: number): void {
  const supervisor = process.ppid;
  const timer = setInterval(() => {
    if (parentAlive(supervisor)) return;
    clearInterval(timer);
    process.stderr.write(`xdaemon: worker ${process.pid}: supervisor ${supervisor} is gone; stopping\n`);
    setTimeout(() => signalGroup(process.pid, 'SIGKILL'), killTimeout).unref();
    signalGroup(process.pid, 'SIGTERM');
  }, WATCH_INTERVAL);
  timer.unref();
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

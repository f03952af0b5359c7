/**
 * Stopping one process, as killMode 'process' does (Go's view: what it started is left alone):
 * the signal, SIGKILL after the grace period, resolved once it has exited.
 */
import type { ChildProcess } from 'node:child_process';

/** Signals `child`, SIGKILLs it after `killTimeout`; resolves once it has exited (with no survivors to report). */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals, killTimeout: number, onKill: (pids: number[]) => void): Promise<number[]> {
  if (child.exitCode !== null || child.signalCode !== null) return [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), killTimeout)));
  if ((await Promise.race([exited, killed])) === 'timeout') {
    onKill([child.pid ?? -1]);
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
  return [];
}


/**
 * A parent-death signal for workers that no group guard watches (killMode 'process'). A Node worker
 * under `Daemon.run()` watches its parent (src/worker/orphan-watch.ts); a Node program that does
 * not load xdaemon, a Go binary, a shell script or `sleep` cannot, and would run on after a SIGKILL
 * of the supervisor until a later stop or start finds it by its tree token. On Linux the kernel can
 * do it: util-linux's `setpriv --pdeathsig SIGTERM -- cmd …` sets `PR_SET_PDEATHSIG` and then execs
 * the command (same pid, no extra process), so the kernel signals it the moment the thread that
 * forked it ends. Node forks from its main thread, which lives as long as the supervisor does.
 * The exec costs ~1.5 ms per start (measured: spawning `true` through setpriv, Node 20).
 *
 * The signal reaches the command itself only (the kernel clears it in every child the command
 * forks): what it started is still found by its tree token at the next start or stop.
 */
import { resolveCommand } from './which.js';

/** The signal a command gets when its supervisor dies. */
export const PARENT_DEATH_SIGNAL = 'SIGTERM';

/** How to start `file args` so that it gets {@link PARENT_DEATH_SIGNAL} when this process dies. */
export function withParentDeath(setpriv: string, file: string, args: readonly string[]): { file: string; args: string[] } {
  return { file: setpriv, args: ['--pdeathsig', PARENT_DEATH_SIGNAL.slice(3), '--', file, ...args] };
}

let found: string | null | undefined;

/**
 * The absolute path of `setpriv` (Linux only), looked up once per process in the PATH of this
 * process and then the usual system directories; `undefined` where there is none (start as before).
 */
export function findSetpriv(): string | undefined {
  if (found === undefined) {
    found = null;
    if (process.platform === 'linux') {
      const path = `${process.env.PATH ?? ''}:/usr/bin:/bin:/usr/sbin:/sbin`;
      try {
        found = resolveCommand('setpriv', { PATH: path }, '/');
      } catch {
        // No util-linux: the tree token is all there is.
      }
    }
  }
  return found ?? undefined;
}

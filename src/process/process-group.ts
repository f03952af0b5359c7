/**
 * Process groups: where /proc cannot tell a worker's tree (macOS, the BSDs), its process group is
 * what a stop reaches. (On Windows there are no groups: the process alone.)
 */

/** Sends `signal` to the process group led by `pid` (the process alone where groups do not exist). */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** True while any process of the group led by `pid` can be signalled (zombies included). */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 0);
    return true;
  } catch {
    return false;
  }
}

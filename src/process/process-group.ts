/** Signalling a worker together with everything it started (its process group). */
import { readFileSync, readdirSync } from 'node:fs';

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

/**
 * True while any process of the group led by `pid` is alive. On Linux a member that is a zombie
 * does not count: where PID 1 does not reap orphans promptly (containers without an init), a
 * killed grandchild would otherwise keep the group "alive" until the stop's deadline.
 */
export function groupAlive(pid: number): boolean {
  if (process.platform === 'win32') return false;
  try {
    process.kill(-pid, 0);
  } catch {
    return false;
  }
  return process.platform === 'linux' ? liveMemberOnLinux(pid) : true;
}

/**
 * The state letter and process group of `pid` from /proc (Linux), or undefined when it is gone.
 * `Z`/`X` mean a zombie: dead, only not yet reaped.
 */
export function procStat(pid: number | string): { state: string; pgrp: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // Fields after "(comm) ": state, ppid, pgrp, ...
  const [state = '', , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
  return { state, pgrp: Number(pgrp) };
}

/** True for a state letter of a process that is dead but not yet reaped. */
export const isZombie = (state: string): boolean => state === 'Z' || state === 'X';

function liveMemberOnLinux(pgid: number): boolean {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const stat = procStat(name);
    if (stat !== undefined && stat.pgrp === pgid && !isZombie(stat.state)) return true;
  }
  return false;
}

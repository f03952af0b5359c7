/**
 * Which processes belong to a worker's tree: a pure decision over a snapshot of /proc, so that
 * the rules can be tested without processes. A worker's tree is everything it started that a stop
 * must reach, also what escaped its process group (`detached: true`, `setsid`) or lost its
 * parent (a double fork): systemd finds these through the cgroup; we find them through
 *
 * - the worker's process group, and its session (a worker is started as the leader of both: a
 *   process that moved to a group of its own stays in it),
 * - parent links (descendants of any member), and the process groups members lead,
 * - the tree token: an environment entry the supervisor gives each worker, which its descendants
 *   inherit unless they clear their environment.
 *
 * Only processes started no earlier than the worker can belong to it, which also keeps a reused
 * pid or group id from being mistaken for a member.
 */
import { type ProcEntry, isZombie } from './proc.js';

/** A process by identity: a pid alone may be reused, a pid and its start time may not. */
export interface ProcessId {
  pid: number;
  starttime: number;
}

/**
 * The live members of the tree rooted at `root` in `procs`. `carriesToken` tells whether a process
 * holds the worker's tree token: it is asked only of processes that started after the root and
 * that the links did not reach (they left the group, the session and the parent chain), since reading an
 * environment costs far more than following a link. Processes in `exclude` (the supervisor
 * itself, init) are never members, but the walk goes on through them if they are the root.
 */
export function selectTree(
  procs: readonly ProcEntry[],
  root: ProcessId,
  carriesToken: (pid: number) => boolean,
  exclude: ReadonlySet<number>,
): ProcEntry[] {
  const live = procs.filter((p) => !isZombie(p.state) && p.starttime >= root.starttime && !exclude.has(p.pid));
  const children = new Map<number, ProcEntry[]>();
  const groups = new Map<number, ProcEntry[]>();
  const session: ProcEntry[] = [];
  for (const p of live) {
    push(children, p.ppid, p);
    push(groups, p.pgrp, p);
    if (p.session === root.pid) session.push(p);
  }
  const members = new Map<number, ProcEntry>();
  const queue: number[] = [];
  const add = (p: ProcEntry): void => {
    if (members.has(p.pid)) return;
    members.set(p.pid, p);
    queue.push(p.pid);
  };
  const walk = (): void => {
    while (queue.length > 0) {
      const pid = queue.shift() as number;
      for (const p of children.get(pid) ?? []) add(p);
      // A member that leads a group (it ran setsid or was spawned detached) brings its group along.
      for (const p of groups.get(pid) ?? []) add(p);
    }
  };
  const rootEntry = procs.find((p) => p.pid === root.pid && p.starttime === root.starttime && !isZombie(p.state));
  if (rootEntry !== undefined && !exclude.has(root.pid)) add(rootEntry);
  // The root's own group, session and descendants, even when the root itself is gone already.
  for (const p of groups.get(root.pid) ?? []) add(p);
  for (const p of session) add(p);
  for (const p of children.get(root.pid) ?? []) add(p);
  walk();
  for (const p of live) if (!members.has(p.pid) && p.pid !== root.pid && carriesToken(p.pid)) add(p);
  walk();
  return [...members.values()];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

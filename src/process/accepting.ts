/**
 * Whether a worker itself takes connections from a listening socket it shares with other workers
 * (Linux, from /proc, nothing asked of the app): a health check through the shared port may be
 * answered by the old worker of a reload, so a check alone cannot tell that *this* worker serves.
 * A process of the worker's tree is accepting when, for a descriptor of that very socket (matched
 * by its inode, whatever its number):
 * - it is in one of the process's epoll sets with EPOLLIN (`/proc/PID/fdinfo/EPFD` lists each
 *   watched file's inode): libuv (Node), Python's asyncio, Go's netpoller, nginx's workers;
 * - a thread is blocked in accept(2) on it (`/proc/PID/task/TID/syscall`): a prefork or threaded
 *   server that accepts in a blocking call;
 * - a thread is blocked in poll(2) or select(2) with it among the watched descriptors (their
 *   array, read from `/proc/PID/mem` at the address the syscall line gives): Python's
 *   `http.server` and `socketserver`. Only the supervisor, as the worker's parent, may read that
 *   (ptrace access); elsewhere this way finds nothing.
 * The processes are found by walking `children` down from the worker (nginx accepts in its
 * master's children). A port the worker binds itself is matched the same way, by the inodes of the
 * sockets listening on it ({@link listeningInodes}). Costs about a millisecond a look (a Node worker's ~30 descriptors and ~10
 * threads), so it is asked while a worker starts, not at every check.
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, readlinkSync } from 'node:fs';

/** How a process was seen taking connections. */
export type AcceptWay = 'epoll' | 'accept' | 'poll' | 'select';

/** System call numbers by architecture: those that accept, and those that wait on descriptors. */
const SYSCALLS: Record<string, { accept: number[]; poll: number[]; select: number[] } | undefined> = {
  x64: { accept: [43, 288], poll: [7, 271], select: [23, 270] },
  arm64: { accept: [202, 242], poll: [73], select: [72] },
};

/** The inode of the socket behind this process's descriptor `fd`, or undefined. */
export function socketInode(fd: number, pid: number | 'self' = 'self'): number | undefined {
  try {
    const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/**
 * The inodes of the TCP sockets listening on `port` in the network namespace of process `pid`
 * (`/proc/PID/net/tcp` and `tcp6`, state 0A), whoever holds them.
 */
export function listeningInodes(pid: number, port: number): Set<number> {
  const inodes = new Set<number>();
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'latin1');
    } catch {
      continue;
    }
    // "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …"
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && f[1]?.endsWith(`:${hex}`)) inodes.add(Number(f[9]));
    }
  }
  return inodes;
}

/** The pids of `root` and its descendants (at most `limit`), by the kernel's `children` lists. */
export function descendants(root: number, limit = 64): number[] {
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0 && out.length < limit) {
    const pid = todo.pop() as number;
    out.push(pid);
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) if (child !== '' && child !== '\n') todo.push(Number(child));
      } catch {
        // gone meanwhile
      }
    }
  }
  return out;
}

/**
 * How a process of the tree rooted at `root` takes connections from the socket whose inode is one
 * of `inodes`, or undefined when none is seen doing so.
 */
export function acceptingOn(root: number, inodes: ReadonlySet<number>): AcceptWay | undefined {
  for (const pid of descendants(root)) {
    const way = processAccepting(pid, inodes);
    if (way !== undefined) return way;
  }
  return undefined;
}

/** How process `pid` takes connections from one of `inodes`, if it does. */
export function processAccepting(pid: number, inodes: ReadonlySet<number>): AcceptWay | undefined {
  let names: string[];
  try {
    names = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  const sockets = new Set<number>();
  const epolls: string[] = [];
  for (const name of names) {
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${name}`);
    } catch {
      continue;
    }
    if (link === 'anon_inode:[eventpoll]') epolls.push(name);
    else if (link.startsWith('socket:[') && inodes.has(Number(link.slice(8, -1)))) sockets.add(Number(name));
  }
  if (sockets.size === 0) return undefined;
  for (const epfd of epolls) if (epollWatches(pid, epfd, inodes)) return 'epoll';
  return blockedOn(pid, sockets);
}

/** Whether epoll descriptor `epfd` of `pid` watches one of `inodes` for input. */
function epollWatches(pid: number, epfd: string, inodes: ReadonlySet<number>): boolean {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/fdinfo/${epfd}`, 'latin1');
  } catch {
    return false;
  }
  // "tfd:        3 events:       19 data: …  pos:0 ino:4c8f sdev:8" (the inode in hex).
  for (const m of text.matchAll(/^tfd:\s*\d+\s+events:\s*([0-9a-f]+)\b.*\bino:([0-9a-f]+)/gm)) {
    if ((parseInt(m[1] as string, 16) & 1) !== 0 && inodes.has(parseInt(m[2] as string, 16))) return true;
  }
  return false;
}

/** Whether a thread of `pid` is blocked accepting on, or waiting for, one of the descriptors `fds`. */
function blockedOn(pid: number, fds: ReadonlySet<number>): AcceptWay | undefined {
  const calls = SYSCALLS[process.arch];
  if (calls === undefined) return undefined;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of tids) {
    let line: string;
    try {
      line = readFileSync(`/proc/${pid}/task/${tid}/syscall`, 'latin1');
    } catch {
      continue;
    }
    // "NR ARG0 … ARG5 SP PC" while blocked; "running" or "-1 …" otherwise.
    const f = line.trim().split(' ');
    const nr = Number(f[0]);
    if (!(nr >= 0)) continue;
    const arg = (i: number): bigint => BigInt(f[i + 1] ?? '0');
    if (calls.accept.includes(nr) && fds.has(Number(arg(0)))) return 'accept';
    if (calls.poll.includes(nr) && pollWatches(pid, arg(0), Number(arg(1)), fds)) return 'poll';
    if (calls.select.includes(nr) && selectWatches(pid, Number(arg(0)), arg(1), fds)) return 'select';
  }
  return undefined;
}

/** Reads `length` bytes of `pid`'s memory at `address`, or undefined. */
function readMemory(pid: number, address: bigint, length: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/mem`, 'r');
  } catch {
    return undefined;
  }
  try {
    const out = Buffer.alloc(length);
    return readSync(fd, out, 0, length, address) === length ? out : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Whether the `struct pollfd` array of a blocked poll watches one of `fds` for input. */
function pollWatches(pid: number, address: bigint, count: number, fds: ReadonlySet<number>): boolean {
  if (!(count > 0 && count <= 4096)) return false;
  const array = readMemory(pid, address, count * 8);
  if (array === undefined) return false;
  for (let i = 0; i < count; i++) {
    // struct pollfd { int fd; short events; short revents; }
    if (fds.has(array.readInt32LE(i * 8)) && (array.readInt16LE(i * 8 + 4) & 1) !== 0) return true;
  }
  return false;
}

/** Whether the read set of a blocked select watches one of `fds`. */
function selectWatches(pid: number, nfds: number, readSet: bigint, fds: ReadonlySet<number>): boolean {
  if (!(nfds > 0 && nfds <= 1024) || readSet === 0n) return false;
  const bits = readMemory(pid, readSet, Math.ceil(nfds / 8));
  if (bits === undefined) return false;
  for (const fd of fds) if (fd < nfds && ((bits[fd >> 3] as number) >> (fd & 7)) & 1) return true;
  return false;
}

/**
 * The sockets systemd passed to this process (socket activation: `LISTEN_FDS` descriptors from 3,
 * `LISTEN_PID` this process), with the address each one listens on. The address is what lets a
 * Node worker's unchanged `listen(port)` take the socket of that port (the listen preload maps
 * ports to descriptors): it is looked up by the socket's inode in /proc/self/net/{tcp,tcp6}, which
 * reads it without touching the descriptor (a handle opened on it to call getsockname would make
 * it non-blocking for every process that shares it). A socket not found there (a unix socket, no
 * /proc) keeps port 0: a worker takes it by name or by descriptor.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import type { HeldSocket } from './socket-holder.js';

/** A listening TCP socket's local address, from a /proc/net table. */
export interface ProcNetAddress {
  host: string;
  port: number;
}

/**
 * The local addresses of the sockets of a /proc/net/tcp or tcp6 table, by inode. Pure: `text` is
 * the table (a header line, then `sl local_address rem_address st … uid timeout inode …`, the
 * address in hex as the kernel stores it: 32-bit words in host order, the port big-endian).
 */
export function procNetAddresses(text: string): Map<string, ProcNetAddress> {
  const byInode = new Map<string, ProcNetAddress>();
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const local = f[1];
    const inode = f[9];
    if (local === undefined || inode === undefined || !local.includes(':')) continue;
    const [hex, portHex] = local.split(':') as [string, string];
    byInode.set(inode, { host: hexHost(hex), port: parseInt(portHex, 16) });
  }
  return byInode;
}

/** An address in /proc/net's hex (each 32-bit word little-endian on the machines Node runs on). */
function hexHost(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(word.slice(b, b + 2), 16));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  // The shortest form is not needed: the address is only shown.
  return groups.join(':');
}

/** How a received socket's address reads in messages. */
function described(a: ProcNetAddress): string {
  const wildcard = a.host === '0.0.0.0' || /^(0:){7}0$/.test(a.host);
  return `${wildcard ? '*' : a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/** The sockets systemd passed to this process (`LISTEN_PID` is its pid), if it did. */
export function receivedSockets(env: NodeJS.ProcessEnv): HeldSocket[] | undefined {
  if (env.LISTEN_PID !== String(process.pid) || env.LISTEN_FDS === undefined) return undefined;
  const count = Number(env.LISTEN_FDS);
  if (!Number.isInteger(count) || count < 1) return undefined;
  const names = (env.LISTEN_FDNAMES ?? '').split(':');
  const addresses = new Map<string, ProcNetAddress>();
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    try {
      for (const [inode, a] of procNetAddresses(readFileSync(table, 'latin1'))) addresses.set(inode, a);
    } catch {
      // no such table (no IPv6, no /proc): those sockets keep port 0
    }
  }
  return Array.from({ length: count }, (_, i) => {
    const fd = 3 + i;
    const inode = socketInode(fd);
    const a = inode === undefined ? undefined : addresses.get(inode);
    return { name: names[i] || `listen${i}`, fd, address: `${a === undefined ? `fd ${fd}` : described(a)} (systemd)`, port: a?.port ?? 0 };
  });
}

/** The inode of the socket at descriptor `fd` (`socket:[12345]`), if it is one. */
function socketInode(fd: number): string | undefined {
  try {
    return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
  } catch {
    return undefined;
  }
}

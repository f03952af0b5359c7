/**
 * The sockets a supervisor binds for its Node workers in cluster mode, on their request: the first
 * `listen()` of an address by any worker binds it (Node's `net._createServerHandle`, as Node's
 * cluster primary binds in `shared_handle.js`), and every later request for the same address (any
 * instance, any later worker of a reload or a restart) gets the same socket, so they all accept
 * from one queue. The worker's own `listen(2)` makes it listen, and it stays listening while the
 * supervisor holds it: for the daemon's life (it is closed, a unix socket file removed, as the
 * supervisor exits). A request's `index` keeps the n-th `listen(0)` of each worker on one port, as
 * Node's cluster does.
 */
import { rmSync } from 'node:fs';
import { XDaemonError, errorCode } from '../errors.js';
import type { ListenAddress } from './address.js';
import { type SocketRequest, describeRequest } from './cluster-protocol.js';
import { type ServerHandle, bind } from './socket-holder.js';

/** What a request gets: the handle to send, or the bind's error (a negative libuv errno). */
export type SocketAnswer = { handle: ServerHandle; address: string; bound: boolean } | { errno: number; code: string; address: string };

/** One held socket of cluster mode. */
interface Held {
  handle: ServerHandle;
  address: string;
  file: string | undefined;
}

/** The cluster-mode sockets of one supervisor. */
export class ClusterSockets {
  /** Every bind, done or under way, by key. */
  private readonly binds = new Map<string, Promise<Held>>();
  /** The binds done, by key, in the order first asked for. */
  private readonly held = new Map<string, Held>();
  private closed = false;

  /** The socket of `request`, bound now if no worker asked for it before. */
  async socketFor(request: SocketRequest): Promise<SocketAnswer> {
    const key = keyOf(request);
    let bound = false;
    let pending = this.binds.get(key);
    if (pending === undefined) {
      bound = true;
      pending = bindRequest(request).then((held) => {
        if (this.closed) {
          closeHeld(held);
          throw new XDaemonError('the supervisor is stopping', { code: 'ECANCELED' });
        }
        this.held.set(key, held);
        return held;
      });
      this.binds.set(key, pending);
      // A failed bind is not held: the next request tries again (the port may be free by then).
      pending.catch(() => this.binds.delete(key));
    }
    try {
      const held = await pending;
      return { handle: held.handle, address: held.address, bound };
    } catch (err) {
      const code = errorCode(err) ?? 'EINVAL';
      return { errno: errnoOf(code), code, address: describeRequest(request) };
    }
  }

  /** The addresses held, in the order first asked for. */
  addresses(): string[] {
    return [...this.held.values()].map((h) => h.address);
  }

  /** How many sockets are held. */
  get size(): number {
    return this.held.size;
  }

  /** Closes every socket and removes the unix socket files (synchronous: it runs at exit too). */
  close(): void {
    this.closed = true;
    for (const held of this.held.values()) closeHeld(held);
    this.held.clear();
  }
}

function closeHeld(held: Held): void {
  try {
    held.handle.close();
  } catch {
    // closed already
  }
  if (held.file !== undefined) rmSync(held.file, { force: true });
}

/** Binds the address of `request`. */
async function bindRequest(request: SocketRequest): Promise<Held> {
  const address: ListenAddress =
    request.kind === 'unix'
      ? { kind: 'unix', name: 'cluster', path: request.path, text: `unix:${request.path}` }
      : { kind: 'tcp', name: 'cluster', host: request.host, port: request.port, text: describeRequest(request) };
  const handle = await bind(address, { chmod: false, anyPort: true, ipv6Only: request.kind === 'tcp' && request.ipv6Only });
  let where = describeRequest(request);
  if (request.kind === 'tcp' && request.port === 0) {
    const out: { port?: number } = {};
    handle.getsockname?.(out);
    where = describeRequest({ ...request, port: out.port ?? 0 });
  }
  return { handle, address: where, file: request.kind === 'unix' ? request.path : undefined };
}

/** The key of a request: its address and, as in Node's cluster, its index. */
function keyOf(request: SocketRequest): string {
  return request.kind === 'unix' ? `unix|${request.path}|${request.index}` : `tcp|${request.host}|${request.port}|${request.ipv6Only}|${request.index}`;
}

/** The negative libuv errno of an error code (`EADDRINUSE` → -98 on Linux). */
function errnoOf(code: string): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const errno = (require('node:os') as typeof import('node:os')).constants.errno as Record<string, number | undefined>;
  return -(errno[code] ?? errno.EINVAL ?? 22);
}

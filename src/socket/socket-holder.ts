/**
 * The listening sockets a supervisor holds for its workers: bound (or taken over from systemd's
 * socket activation) once before the first worker, never accepted on here, handed to every worker
 * as descriptors 3, 4, … and closed (a unix socket file removed) as the supervisor exits. Old and
 * new workers share each socket's one accept queue, which is what makes a reload refuse nothing.
 *
 * Node has no public call that listens without accepting: the supervisor binds with the handle
 * factory Node's own cluster primary uses (`net._createServerHandle`, which binds but does not
 * listen) and lets a short-lived helper process call listen(2) on inherited copies of the
 * descriptors and exit before its event loop could accept anything (listening is a state of the
 * socket, not of a descriptor: it stays after the helper is gone).
 */
import { XDaemonError, errorCode, messageOf } from '../errors.js';
import { listenAddresses } from '../settings/listen.js';
import { type ListenAddress, describeAddress } from './address.js';
import { receivedSockets } from './received.js';

/** One held socket. */
export interface HeldSocket {
  /** Its name in LISTEN_FDNAMES. */
  name: string;
  /** Its descriptor in the supervisor. */
  fd: number;
  /** How it reads in messages (`127.0.0.1:8080`, `unix:/run/app.sock`). */
  address: string;
  /** Its TCP port (0 for a unix socket): a Node worker's `listen(port)` for it takes the socket. */
  port: number;
}

/** A Node server handle as `net._createServerHandle` makes it. */
export interface ServerHandle {
  fd: number;
  close(): void;
  getsockname?(out: { port?: number }): number;
}

/** The mode of a unix socket file the supervisor creates: owner and group may connect. */
export const UNIX_SOCKET_MODE = 0o660;

/** The listen backlog (Node's default). */
const BACKLOG = 511;

/** The sockets of one supervisor. */
export class SocketHolder {
  private closed = false;

  private constructor(
    readonly sockets: readonly HeldSocket[],
    private readonly handles: readonly ServerHandle[],
    private readonly files: readonly string[],
  ) {}

  /**
   * Binds every address of `listen` and makes it listen; under systemd socket activation
   * (`LISTEN_FDS` for this very process in `env`), takes those sockets instead. Throws an
   * XDaemonError naming the address and the cause (`EADDRINUSE`, `EACCES`, …); nothing stays bound then.
   */
  static async open(listen: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<SocketHolder> {
    const activated = receivedSockets(env);
    if (activated !== undefined) return new SocketHolder(activated, [], []);
    if (process.platform === 'win32') {
      throw new XDaemonError('listen is not supported on Windows: Node cannot pass a listening socket to a child process there', { code: 'ENOTSUP' });
    }
    // Parsed by the settings' check already (its list), parsed here only for a list that was not checked.
    const addresses = listenAddresses(listen);
    const handles: ServerHandle[] = [];
    const files: string[] = [];
    const sockets: HeldSocket[] = [];
    try {
      for (const address of addresses) {
        const handle = await bind(address);
        handles.push(handle);
        if (address.kind === 'unix') files.push(address.path);
        sockets.push({ name: address.name, fd: handle.fd, address: describeAddress(address), port: address.kind === 'tcp' ? address.port : 0 });
      }
      if (sockets.length > 0) startListening(sockets);
    } catch (err) {
      new SocketHolder(sockets, handles, files).close();
      throw err;
    }
    return new SocketHolder(sockets, handles, files);
  }

  /** The descriptors, in the order the workers get them (3, 4, …). */
  fds(): number[] {
    return this.sockets.map((s) => s.fd);
  }

  /** Closes the sockets and removes the unix socket files (synchronous: it runs at exit too). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const handle of this.handles) handle.close();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('node:fs') as typeof import('node:fs');
    for (const file of this.files) fs.rmSync(file, { force: true });
  }
}

/**
 * Binds one address (not listening yet). A unix socket file is given {@link UNIX_SOCKET_MODE}
 * unless `chmod` is false (cluster mode leaves it as Node's `listen(path)` would: the umask's).
 * Throws an XDaemonError naming the address, whose `code` is the cause (`EADDRINUSE`, …).
 */
export async function bind(address: ListenAddress, options: { chmod?: boolean; ipv6Only?: boolean; anyPort?: boolean } = {}): Promise<ServerHandle> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require('node:net') as typeof import('node:net') & {
    _createServerHandle(address: string | null, port: number, addressType: number, fd?: number, flags?: number): ServerHandle | number;
  };
  const where = describeAddress(address);
  const fail = (code: string, cause?: unknown): XDaemonError =>
    new XDaemonError(`cannot listen on ${where}: ${code}${cause === undefined ? '' : ` (${messageOf(cause)})`}`, { code, cause });
  let result: ServerHandle | number;
  if (address.kind === 'unix') {
    await removeStale(net, address.path);
    result = net._createServerHandle(address.path, -1, -1);
    if (typeof result !== 'number' && options.chmod !== false) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('node:fs') as typeof import('node:fs')).chmodSync(address.path, UNIX_SOCKET_MODE);
      } catch (err) {
        result.close();
        throw fail(errorCode(err) ?? 'EPERM', err);
      }
    }
  } else {
    let host = address.host;
    if (host !== '' && net.isIP(host) === 0) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const dns = require('node:dns') as typeof import('node:dns');
      try {
        host = (await dns.promises.lookup(host)).address;
      } catch (err) {
        throw fail(errorCode(err) ?? 'ENOTFOUND', err);
      }
    }
    // No host: every address, IPv6 and IPv4 (Node falls back to IPv4 alone without IPv6).
    // (1: libuv's UV_TCP_IPV6ONLY, as Node passes it for listen({ ipv6Only: true }).)
    result = net._createServerHandle(host === '' ? null : host, address.port, host === '' ? 6 : net.isIP(host), undefined, options.ipv6Only === true ? 1 : undefined);
    // libuv keeps a bind's EADDRINUSE for the listen(2) it expects next: an unbound socket tells.
    const bound: { port?: number } = {};
    const expected = (port: number | undefined): boolean => (address.port === 0 && options.anyPort === true ? port !== undefined && port > 0 : port === address.port);
    if (typeof result !== 'number' && (result.getsockname?.(bound) !== 0 || !expected(bound.port))) {
      result.close();
      result = -98;
    }
  }
  if (typeof result === 'number') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    throw fail(result === -98 ? 'EADDRINUSE' : (require('node:util') as typeof import('node:util')).getSystemErrorName(result));
  }
  return result;
}

/** A unix socket file nothing answers on (its owner died) is removed; a live one is left (EADDRINUSE follows). */
async function removeStale(net: typeof import('node:net'), path: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  if (!fs.existsSync(path)) return;
  const stale = await new Promise<boolean>((resolve) => {
    const socket = net.connect(path);
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
  if (stale) fs.rmSync(path, { force: true });
}

/**
 * listen(2) on the bound sockets, by a helper node that inherits them as 3, 4, … and exits in the
 * same synchronous step (its event loop never runs, so it accepts nothing).
 */
function startListening(sockets: readonly HeldSocket[]): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const code =
    `const net=require('net');` +
    `for(let i=0;i<${sockets.length};i++){try{new net.Server().listen({fd:3+i,backlog:${BACKLOG}})}catch(e){process.stderr.write(String(3+i)+' '+(e.code||e.message));process.exit(1)}}` +
    `process.exit(0)`;
  const result = spawnSync(process.execPath, ['--no-warnings', '-e', code], {
    stdio: ['ignore', 'ignore', 'pipe', ...sockets.map((s) => s.fd)],
    env: {},
    timeout: 30_000,
  });
  if (result.status === 0) return;
  const [fdText, cause] = String(result.stderr ?? '').split(' ');
  const socket = sockets[Number(fdText) - 3];
  const where = socket?.address ?? sockets.map((s) => s.address).join(', ');
  throw new XDaemonError(`cannot listen on ${where}: ${cause || (result.error === undefined ? `the helper exited with ${result.status ?? result.signal}` : messageOf(result.error))}`);
}

/**
 * The supervisor's side of the control channel: it listens on the daemon's control address (which
 * makes it the one supervisor of its pid file: see ../control/address) and answers requests that
 * carry the daemon's key. A stop is answered at once and the connection is kept open: it closes
 * as the supervisor exits, which is how a client knows the stop is done. Before it exits, the
 * supervisor waits (a bounded time) until every connection it accepted has its answer written:
 * a stop that makes it exit at once (during a restart delay, say) is still answered.
 */
import type { Server, Socket } from 'node:net';
import { isSocketFile } from '../control/address.js';
import { type ControlOp, type ControlRequest, type ControlResponse, MAX_LINE, encodeMessage } from '../control/protocol.js';
import { messageOf } from '../errors.js';

/** What the supervisor does for each request; a rejected promise becomes an error answer. */
export type ControlHandlers = Record<ControlOp, () => ControlResponse | Promise<ControlResponse>>;

/** A listening control server. */
export interface ControlServer {
  /** Starts answering; requests that came before wait until now. */
  answer(handlers: ControlHandlers): void;
  /**
   * Resolves once every connection accepted so far has its answer handed to the kernel (or has
   * closed), or after `limit` ms: what the supervisor waits for before it exits.
   */
  answered(limit: number): Promise<void>;
  close(): void;
}

/**
 * Listens on `address` (taking it: the lock). Resolves with the server, or with `'busy'` when
 * another process holds the address (for a socket file: when something answers on it; a stale
 * file is replaced). It answers only once given its handlers.
 */
export async function listenControl(address: string, key: string): Promise<ControlServer | 'busy'> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require('node:net') as typeof import('node:net');
  let handlers: ControlHandlers | undefined;
  const waiting: Socket[] = [];
  const unanswered = new Unanswered();
  const server = net.createServer((socket) => {
    unanswered.add(socket);
    if (handlers === undefined) waiting.push(socket);
    else serve(socket, key, handlers, unanswered);
  });
  server.on('error', () => undefined);
  const first = await listen(server, address);
  if (first === 'busy' && isSocketFile(address) && (await isStale(net, address))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('node:fs') as typeof import('node:fs')).rmSync(address, { force: true });
    if ((await listen(server, address)) === 'busy') return 'busy';
  } else if (first === 'busy') {
    return 'busy';
  }
  return {
    answer(given) {
      handlers = given;
      for (const socket of waiting.splice(0)) serve(socket, key, given, unanswered);
    },
    answered: (limit) => unanswered.none(limit),
    close() {
      server.close();
      if (isSocketFile(address)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require('node:fs') as typeof import('node:fs')).rmSync(address, { force: true });
      }
    },
  };
}

function listen(server: Server, address: string): Promise<'ok' | 'busy'> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.removeListener('listening', onListening);
      if (err.code === 'EADDRINUSE') resolve('busy');
      else reject(err);
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      resolve('ok');
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(address);
  });
}

/** True when nothing answers on the socket file `address` (its owner died without removing it). */
function isStale(net: typeof import('node:net'), address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

/** The connections whose answer is not written yet. */
class Unanswered {
  private readonly sockets = new Set<Socket>();
  private readonly waiters = new Set<() => void>();

  add(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.done(socket));
  }

  done(socket: Socket): void {
    if (!this.sockets.delete(socket) || this.sockets.size > 0) return;
    for (const wake of this.waiters) wake();
  }

  none(limit: number): Promise<void> {
    if (this.sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, limit);
      this.waiters.add(wake);
    });
  }
}

/** Reads one request from `socket` and answers it. */
function serve(socket: Socket, key: string, handlers: ControlHandlers, unanswered: Unanswered): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  const answer = (response: ControlResponse, keepOpen = false): void => {
    if (socket.destroyed) return;
    socket.write(encodeMessage(response), () => unanswered.done(socket));
    if (!keepOpen) socket.end();
  };
  const onData = (chunk: string): void => {
    buffered += chunk;
    const end = buffered.indexOf('\n');
    if (end < 0) {
      if (buffered.length > MAX_LINE) socket.destroy();
      return;
    }
    socket.removeListener('data', onData);
    let request: ControlRequest;
    try {
      request = JSON.parse(buffered.slice(0, end)) as ControlRequest;
    } catch {
      answer({ ok: false, error: 'the request is not JSON' });
      return;
    }
    if (typeof request.key !== 'string' || !sameKey(request.key, key)) {
      answer({ ok: false, error: 'wrong key: read it from the state file beside the pid file' });
      return;
    }
    const handler = Object.prototype.hasOwnProperty.call(handlers, request.op) ? handlers[request.op] : undefined;
    if (handler === undefined) {
      answer({ ok: false, error: `unknown request ${JSON.stringify(request.op)}` });
      return;
    }
    Promise.resolve()
      .then(handler)
      .then(
        (response) => answer(response, request.op === 'stop'),
        (err: unknown) => answer({ ok: false, error: messageOf(err) }),
      );
  };
  socket.on('data', onData);
}

/** Compares two keys in time that does not depend on where they differ. */
function sameKey(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Worker side of cluster mode: a `listen()` of a port or a unix path asks the supervisor, over the
 * IPC channel, for the socket of that address, which the supervisor binds on the first request and
 * holds for the daemon's life; the server then listens on the handle it gets, so every instance
 * (and every later worker of a reload or a restart) accepts from one queue, as under Node's
 * cluster (`lib/internal/cluster/child.js` asks its primary the same way). A bind that fails
 * becomes the server's `error` event, with Node's own message (`listen EADDRINUSE: address already
 * in use :::3000`).
 */
import type { Server } from 'node:net';
import { LISTEN_CMD, type ListenMessage, SOCKET_CMD, type SocketMessage, type SocketRequest } from '../socket/cluster-protocol.js';

/** How long a `listen()` waits for the supervisor's answer before it fails with ETIMEDOUT. */
const ANSWER_TIMEOUT_MS = 30_000;

type Answer = (message: SocketMessage, handle: unknown) => void;

const pending = new Map<number, Answer>();
let lastId = 0;
let receiving = false;
/** How many listen() calls of each address this worker made: a request's `index` (./cluster-protocol). */
const calls = new Map<string, number>();

/** The address's index for a new request (0 for its first listen() in this worker). */
export function nextIndex(key: string): number {
  const index = calls.get(key) ?? 0;
  calls.set(key, index + 1);
  return index;
}

/**
 * Asks the supervisor for the socket of `request`; `answer` gets its reply and the handle (none
 * with an `errno`). The wait keeps the worker alive (a ref'd timer), the channel itself never does.
 */
export function askSocket(request: SocketRequest, answer: Answer): void {
  const id = ++lastId;
  const timer = setTimeout(() => {
    pending.delete(id);
    answer({ cmd: SOCKET_CMD, id, errno: -110 /* ETIMEDOUT */ }, undefined);
  }, ANSWER_TIMEOUT_MS);
  pending.set(id, (message, handle) => {
    clearTimeout(timer);
    answer(message, handle);
  });
  if (!receiving) {
    receiving = true;
    // Node's own event for messages whose cmd starts with NODE_ (its cluster listens the same way).
    (process as NodeJS.EventEmitter).on('internalMessage', (message: SocketMessage, handle: unknown) => {
      if (message?.cmd !== SOCKET_CMD) return;
      const reply = pending.get(message.id);
      pending.delete(message.id);
      reply?.(message, handle);
    });
  }
  const message: ListenMessage = { cmd: LISTEN_CMD, id, request };
  (process.send as (m: unknown) => boolean)(message);
}

/** The error Node gives a `listen()` whose bind failed: `listen EADDRINUSE: address already in use :::3000`. */
export function listenError(errno: number, request: SocketRequest): NodeJS.ErrnoException {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const util = require('node:util') as typeof import('node:util');
  const [code, description] = util.getSystemErrorMap().get(errno) ?? [`E${-errno}`, 'unknown error'];
  const where = request.kind === 'unix' ? request.path : `${request.host === '' ? '::' : request.host}:${request.port}`;
  const err: NodeJS.ErrnoException & { address?: string; port?: number } = new Error(`listen ${code}: ${description} ${where}`);
  err.code = code;
  err.errno = errno;
  err.syscall = 'listen';
  if (request.kind === 'unix') err.address = request.path;
  else {
    err.address = request.host === '' ? '::' : request.host;
    err.port = request.port;
  }
  return err;
}

/** Emits the failure of a listen() as Node does: on the next tick, as the server's `error` event. */
export function failListen(server: Server, err: Error): void {
  process.nextTick(() => server.emit('error', err));
}

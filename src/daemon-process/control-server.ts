/**
 * The supervisor's side of the control channel: it listens on the daemon's control address (which
 * makes it the one supervisor of its pid file: see ../control/address) and answers requests that
 * carry the daemon's key, each with the handler of its operation (../control/operations: one
 * handler per row). What becomes of the connection after the answer is the row's: closed; kept
 * open until the supervisor exits (a stop: its close is how a client knows the stop is done); or
 * kept open as a stream of records (events). Before it exits, the supervisor waits (a bounded
 * time) until every connection it accepted has its answer written: a stop that makes it exit at
 * once (during a restart delay, say) is still answered.
 */
import type { Server, Socket } from 'node:net';
import { isSocketFile } from '../control/address.js';
import { type AfterAnswer, type AnswerOf, OPERATIONS, type OperationName, type ParamsOf, type StreamOperation, isOperation } from '../control/operations.js';
import { MAX_LINE, type Refusal, encodeMessage } from '../control/protocol.js';
import { errorCode, shortMessageOf } from '../errors.js';

/** Where a request came from: a client of the control channel, or a signal (./signal-actions). */
export type Origin = { kind: 'control' } | { kind: 'signal'; signal: NodeJS.Signals };

/** The connection of a stream operation, which carries records after the answer. */
export interface Stream {
  /** Sends one encoded line; before the answer is written it waits for it, after the end it is dropped. */
  send(line: string): void;
  /** Lines sent that the kernel has not taken yet. */
  readonly waiting: number;
  /** Ends the stream after what was sent; the connection is cut if the client has not taken it all within `grace` ms. */
  end(grace: number): void;
  /** Resolves once the connection is closed (by either side). */
  readonly closed: Promise<void>;
}

/** The handler of operation `N`: its answer (less `ok`), or a rejection that becomes a refusal. */
export type Handler<N extends OperationName> = (params: ParamsOf<N>, from: N extends StreamOperation ? Stream : Origin) => AnswerOf<N> | Promise<AnswerOf<N>>;

/** One handler per operation of the table. */
export type Handlers = { [N in OperationName]: Handler<N> };

/** A handler as the server calls it, whatever its row. */
export type AnyHandler = (params: object, from: Origin | Stream) => object | Promise<object>;

/**
 * What answers the requests on one address, by operation name: the row's `after` and its handler,
 * or undefined for a name it does not know. The daemon's operations (./control-surface) and a
 * host's (./host) each make one from their table.
 */
export interface Dispatch {
  row(op: string): { after: AfterAnswer; handler: AnyHandler } | undefined;
}

/** The dispatch of a daemon's operations table. */
export function dispatchOf(handlers: Handlers): Dispatch {
  // One call site for every row: the handler's own types are checked where the record is made.
  return { row: (op) => (isOperation(op) ? { after: OPERATIONS[op].after, handler: handlers[op] as AnyHandler } : undefined) };
}

/** A listening control server. */
export interface ControlServer {
  /** Starts answering; requests that came before wait until now. */
  answer(dispatch: Dispatch): void;
  /**
   * Resolves once every connection accepted so far has its answer handed to the kernel (or has
   * closed), or after `limit` ms: what the supervisor waits for before it exits.
   */
  answered(limit: number): Promise<void>;
  /** Stops listening (the address, the lock, is free); the connections stay. */
  close(): void;
  /**
   * Ends every connection still open (a stop's, kept until the supervisor is gone; a stream's):
   * what a supervisor that does not exit with its process (a host's daemon) does at its end.
   */
  hangUp(): void;
}

/**
 * Listens on `address` (taking it: the lock). Resolves with the server, or with `'busy'` when
 * another process holds the address (for a socket file: when something answers on it; a stale
 * file is replaced). It answers only once given its handlers.
 */
export async function listenControl(address: string, key: string): Promise<ControlServer | 'busy'> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require('node:net') as typeof import('node:net');
  let dispatch: Dispatch | undefined;
  const waiting: Socket[] = [];
  const unanswered = new Unanswered();
  const open = new Set<Socket>();
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    unanswered.add(socket);
    if (dispatch === undefined) waiting.push(socket);
    else serve(socket, key, dispatch, unanswered);
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
      dispatch = given;
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
    hangUp() {
      for (const socket of open) socket.destroy();
      open.clear();
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

const FROM_CONTROL: Origin = { kind: 'control' };

/** Reads one request from `socket` and answers it with its operation's handler. */
function serve(socket: Socket, key: string, dispatch: Dispatch, unanswered: Unanswered): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  const answer = (message: object, after: 'close' | 'until-exit' | 'stream' = 'close'): void => {
    if (socket.destroyed) return;
    socket.write(encodeMessage(message), () => unanswered.done(socket));
    if (after === 'close') socket.end();
  };
  const refuse = (error: string, code?: string): void => answer({ ok: false, error, ...(code === undefined ? {} : { code }) } satisfies Refusal);
  const onData = (chunk: string): void => {
    buffered += chunk;
    const end = buffered.indexOf('\n');
    if (end < 0) {
      if (buffered.length > MAX_LINE) socket.destroy();
      return;
    }
    socket.removeListener('data', onData);
    let request: { op?: unknown; key?: unknown; params?: object };
    try {
      request = JSON.parse(buffered.slice(0, end)) as typeof request;
    } catch {
      refuse('the request is not JSON');
      return;
    }
    // Anyone may connect (the key is the secret): a line that is not an object must not throw here.
    if (typeof request !== 'object' || request === null || typeof request.key !== 'string' || !sameKey(request.key, key)) {
      refuse('wrong key: read it from the state file beside the pid file');
      return;
    }
    const row = typeof request.op === 'string' ? dispatch.row(request.op) : undefined;
    if (row === undefined) {
      refuse(`unknown request ${JSON.stringify(request.op)}`);
      return;
    }
    const { after, handler } = row;
    const stream = after === 'stream' ? new SocketStream(socket) : undefined;
    Promise.resolve()
      .then(() => handler(request.params ?? {}, stream ?? FROM_CONTROL))
      .then(
        (result) => {
          answer({ ok: true, ...result }, after);
          stream?.open();
        },
        (err: unknown) => refuse(shortMessageOf(err), errorCode(err)),
      );
  };
  socket.on('data', onData);
}

/** A stream over a socket: lines wait until the answer is written, then go out, each counted until the kernel takes it. */
class SocketStream implements Stream {
  /** Lines sent before the answer was written (undefined once it was). */
  private early: string[] | undefined = [];
  private pending = 0;
  private endGrace: number | undefined;
  readonly closed: Promise<void>;

  constructor(private readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  get waiting(): number {
    return this.pending + (this.early?.length ?? 0);
  }

  send(line: string): void {
    if (this.endGrace !== undefined || this.socket.destroyed) return;
    if (this.early !== undefined) this.early.push(line);
    else this.write(line);
  }

  /** The answer is written: what waited for it goes out (and an end asked for meanwhile happens). */
  open(): void {
    const early = this.early ?? [];
    this.early = undefined;
    for (const line of early) this.write(line);
    if (this.endGrace !== undefined) this.finish(this.endGrace);
  }

  end(grace: number): void {
    if (this.endGrace !== undefined) return;
    this.endGrace = grace;
    if (this.early === undefined) this.finish(grace);
  }

  private write(line: string): void {
    this.pending++;
    this.socket.write(line, () => this.pending--);
  }

  private finish(grace: number): void {
    this.socket.end();
    const cut = setTimeout(() => this.socket.destroy(), grace);
    cut.unref();
    void this.closed.then(() => clearTimeout(cut));
  }
}

/** Compares two keys in time that does not depend on where they differ. */
function sameKey(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * What a Node worker in cluster mode and its supervisor say to each other, in one place for both
 * sides. Over the child_process IPC channel (the only channel Node passes a socket through): the
 * worker's `listen()` asks for a socket, the supervisor answers with the socket's handle or the
 * error of its bind. The commands start with `NODE_`, as Node's cluster's own do, so that Node
 * delivers them as `internalMessage` events: the program's `process.on('message')` never sees
 * them, and listening for them keeps neither process alive. Over the supervisor's channel (the
 * readiness socketpair, lines): the worker says it listens and that it has drained, the supervisor
 * asks it to drain. Types and constants only.
 */

/** The worker's request for a socket. */
export const LISTEN_CMD = 'NODE_XDAEMON_LISTEN';
/** The supervisor's answer, with the socket's handle when there is no `errno`. */
export const SOCKET_CMD = 'NODE_XDAEMON_SOCKET';

/** The variable that tells a Node worker it runs in cluster mode (its listen preload removes it at once). */
export const CLUSTER_ENV = 'XDAEMON_CLUSTER';

/**
 * A socket a worker's `listen()` asks for. `index`: the how-many-th `listen()` of this address in
 * this worker (0 first), as in Node's cluster: the first `listen(0)` of every worker shares one
 * port, their second another one.
 */
export type SocketRequest =
  | { kind: 'tcp'; host: string; port: number; ipv6Only: boolean; index: number }
  | { kind: 'unix'; path: string; index: number };

/** The request message. */
export interface ListenMessage {
  cmd: typeof LISTEN_CMD;
  /** Matches the answer to its request. */
  id: number;
  request: SocketRequest;
}

/** The answer message; the handle travels beside it. */
export interface SocketMessage {
  cmd: typeof SOCKET_CMD;
  id: number;
  /** The bind failed: a negative libuv error number (`-98`: EADDRINUSE), for the worker's `error` event. */
  errno?: number;
}

/** Lines a worker writes on the supervisor's channel besides `READY=1`. */
export const LISTENING_LINE = 'X_LISTENING=';
export const DRAINED_LINE = 'X_DRAINED=1';
/** The line the supervisor writes to ask a worker to drain. */
export const DRAIN_LINE = 'DRAIN';

/** How a request reads in messages: `*:3000`, `127.0.0.1:3000`, `[::1]:3000`, `unix:/run/app.sock`. */
export function describeRequest(request: SocketRequest): string {
  if (request.kind === 'unix') return `unix:${request.path}`;
  const host = request.host === '' ? '*' : request.host.includes(':') ? `[${request.host}]` : request.host;
  return `${host}:${request.port}`;
}

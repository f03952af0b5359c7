/**
 * Worker side of the drain: the servers of this worker that listen on a socket the supervisor
 * holds, and what the worker does when the supervisor asks it to drain before it stops it (a
 * reload, a restart, a replacement). Each such server stops accepting (its copy of the socket is
 * closed: the socket stays open in the supervisor and the other workers, so its queue of
 * connections is theirs); a request in flight is answered, its response saying `Connection:
 * close`; a connection with nothing in flight is closed once it has been quiet for
 * {@link QUIET_MS} (closing a keep-alive connection at once would race with the next request a
 * busy client is sending on it); once every server has closed (no connection left), the worker
 * says so and the supervisor sends its stop signal. An application without a SIGTERM handler so
 * loses no request.
 *
 * The worker says that it listens (`X_LISTENING=ADDRESS`) and that it has drained (`X_DRAINED=1`) on
 * the supervisor's channel, whose lines it reads for `DRAIN` (./supervisor-channel): no signal is
 * involved, and none of it keeps the worker alive.
 */
import type { Server, Socket } from 'node:net';
import { writeSync } from 'node:fs';
import { DRAINED_LINE, DRAIN_LINE, LISTENING_LINE } from '../socket/cluster-protocol.js';
import { claimedChannelFd, listenChannel } from './supervisor-channel.js';

/** A connection is closed once it has been quiet (nothing in flight, no byte either way) this long. */
export const QUIET_MS = 250;
/** How often a draining worker looks at its connections. */
const POLL_MS = 25;

/** A connection and when it was last seen busy. */
interface Tracked {
  read: number;
  written: number;
  quietSince: number;
}

/** An HTTP server's response in flight on a connection (Node's own field, stable since 0.x). */
interface HttpSocket extends Socket {
  _httpMessage?: { headersSent: boolean; shouldKeepAlive: boolean } | null;
}

const servers = new Set<Server>();
const connections = new Map<HttpSocket, Tracked>();
let draining = false;
let listeningToChannel = false;

/** Writes one line on the supervisor's channel; a supervisor that is gone is not the worker's problem. */
function say(line: string): void {
  const fd = claimedChannelFd();
  if (fd === undefined) return;
  try {
    writeSync(fd, `${line}\n`);
  } catch {
    // gone
  }
}

/**
 * `server` listens (or is about to) on a socket the supervisor holds: once it listens, the
 * supervisor hears of it (`address` in its words), and its connections are followed for a drain.
 */
export function holdServer(server: Server, address: string): void {
  servers.add(server);
  server.on('connection', (socket: HttpSocket) => {
    connections.set(socket, { read: 0, written: 0, quietSince: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });
  server.once('close', () => {
    servers.delete(server);
    if (draining) finishWhenClosed();
  });
  server.once('listening', () => {
    say(`${LISTENING_LINE}${address}`);
    if (!listeningToChannel) listeningToChannel = listenChannel(onChannelLine);
  });
}

function onChannelLine(line: string | null): void {
  if (line === DRAIN_LINE) drain();
}

/** Stops accepting, answers what is in flight with `Connection: close`, closes quiet connections. */
export function drain(): void {
  if (draining) return;
  draining = true;
  for (const server of [...servers]) {
    // Not listening (yet): nothing to close, nothing to wait for.
    if (!server.listening) {
      servers.delete(server);
      continue;
    }
    // net's close: stop accepting. (http.Server#close would also close the idle connections at once.)
    netClose(server);
    // A request that comes on an open connection from now on is its last one.
    server.prependListener('request', (_req: unknown, res: { shouldKeepAlive: boolean }) => void (res.shouldKeepAlive = false));
  }
  for (const socket of connections.keys()) {
    const res = socket._httpMessage;
    if (res != null && !res.headersSent) res.shouldKeepAlive = false;
  }
  const timer = setInterval(closeQuiet, POLL_MS);
  timer.unref();
  finishWhenClosed();
}

/** `net.Server.prototype.close` on any server (an http.Server's own close closes idle connections too). */
function netClose(server: Server): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('node:net') as typeof import('node:net')).Server.prototype.close.call(server);
}

/** Closes the connections with nothing in flight that have been quiet for QUIET_MS. */
function closeQuiet(): void {
  const now = Date.now();
  for (const [socket, seen] of connections) {
    const busy = socket._httpMessage != null || socket.bytesRead !== seen.read || socket.bytesWritten !== seen.written;
    if (busy) {
      seen.read = socket.bytesRead;
      seen.written = socket.bytesWritten;
      seen.quietSince = now;
    } else if (now - seen.quietSince >= QUIET_MS) {
      socket.destroy();
    }
  }
}

/** Once no server is left (every one closed, its last connection gone), the worker has drained. */
function finishWhenClosed(): void {
  if (servers.size === 0) say(DRAINED_LINE);
}

/**
 * The preload a supervisor adds to a Node worker's flags (`--require`) when it holds sockets for
 * it (`listen`) or runs it in cluster mode. An unchanged server (`app.listen(3000)` of express,
 * koa, fastify; `server.listen(port[, host])`, `listen({ port, host })`, `listen(path)`) then
 * accepts on a socket the supervisor holds, so that old and new workers share one accept queue:
 *
 * - a `listen(port)` for a port the supervisor passed (`listen`, by systemd's protocol) takes that
 *   descriptor (the host of such a call is not compared: the port names the socket);
 * - in cluster mode, any other `listen()` of a port or a path asks the supervisor for its socket
 *   over the IPC channel (./cluster-listen), as a worker of Node's cluster asks its primary;
 *   `exclusive: true` binds in the worker, as under Node's cluster;
 * - anything else (a handle, an `{ fd }` of its own) is left alone.
 *
 * Every server on a held socket is followed for the drain that comes before the worker's stop in
 * a reload or a restart (./drain). The preload also sets `LISTEN_PID` to the worker's pid (Node's
 * spawn cannot set it after the fork), and takes for this process alone what a program it starts
 * must not inherit: the sockets' variables and the cluster marker.
 */
import { resolve } from 'node:path';
import { CLUSTER_ENV, type SocketRequest, describeRequest } from '../socket/cluster-protocol.js';
import { askSocket, failListen, listenError, nextIndex } from './cluster-listen.js';
import { holdServer } from './drain.js';
import { type ListenCall, readListenArgs } from './listen-args.js';
import { passedSockets } from './listen-handle.js';
import { claimChannel } from './supervisor-channel.js';

const env = process.env;
if (env.LISTEN_FDS !== undefined && env.LISTEN_PID === undefined) env.LISTEN_PID = String(process.pid);
// Sockets passed to this very process (read, and so taken out of the environment, only at a
// listen(): a program may read LISTEN_FDS itself, as sd_listen_fds() does).
const hasPassed = env.LISTEN_FDS !== undefined && env.LISTEN_PID === String(process.pid);
// Started by the supervisor itself in cluster mode (a worker of the program's own cluster is not).
const clustered = env[CLUSTER_ENV] === '1' && typeof process.send === 'function' && env.NODE_UNIQUE_ID === undefined;
delete env[CLUSTER_ENV];
// The supervisor's own worker (not a program it starts, which inherits neither the marker nor the
// sockets): ready() and the drain write on its channel, which stays open for both.
if (clustered || hasPassed) claimChannel();

// eslint-disable-next-line @typescript-eslint/no-require-imports
const net = require('node:net') as typeof import('node:net');
type Server = import('node:net').Server;
type Listen = (this: Server, ...args: unknown[]) => Server;
const original = net.Server.prototype.listen as unknown as Listen;

/** The passed socket a call means: a held port, or an `{ fd }` among the passed ones. */
function passedSocket(call: ListenCall): number | undefined {
  const passed = hasPassed ? passedSockets() : undefined;
  if (passed === undefined) return undefined;
  const at = call.kind === 'port' && call.port > 0 ? passed.ports.indexOf(call.port) : call.kind === 'fd' ? call.fd - 3 : -1;
  return at >= 0 && at < passed.names.length ? at : undefined;
}

/** Listens on the supervisor's socket for `call`, once it has answered. */
function listenClustered(server: Server, call: Extract<ListenCall, { kind: 'port' | 'path' }>, callback: ((...a: unknown[]) => void) | undefined): Server {
  const request: SocketRequest =
    call.kind === 'path'
      ? { kind: 'unix', path: resolve(call.path), index: nextIndex(`unix|${resolve(call.path)}`) }
      : { kind: 'tcp', host: call.host, port: call.port, ipv6Only: call.ipv6Only, index: nextIndex(`tcp|${call.host}|${call.port}`) };
  if (callback !== undefined) server.once('listening', callback);
  holdServer(server, describeRequest(request));
  askSocket(request, (answer, handle) => {
    if (answer.errno !== undefined || handle === undefined || handle === null) {
      failListen(server, listenError(answer.errno ?? -22, request));
      return;
    }
    const backlog = call.backlog === undefined ? [] : [call.backlog];
    // A TCP handle is taken as it is; a unix socket's handle by its descriptor, as Node takes one.
    original.call(server, request.kind === 'tcp' ? handle : { fd: (handle as { fd: number }).fd }, ...backlog);
    if (request.kind === 'unix') (server as unknown as { _pipeName: string })._pipeName = request.path;
  });
  return server;
}

(net.Server.prototype as unknown as { listen: Listen }).listen = function listen(this: Server, ...args: unknown[]) {
  const { call, callback } = readListenArgs(args);
  const at = passedSocket(call);
  if (at !== undefined) {
    holdServer(this, (passedSockets() as { names: string[] }).names[at] as string);
    if (call.kind === 'fd') return original.apply(this, args);
    return callback === undefined ? original.call(this, { fd: 3 + at }) : original.call(this, { fd: 3 + at }, callback);
  }
  if (clustered && (call.kind === 'port' || call.kind === 'path') && !call.exclusive) return listenClustered(this, call, callback);
  return original.apply(this, args);
};

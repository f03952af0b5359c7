/**
 * The preload a supervisor adds to a Node worker's flags (`--require`) when it holds sockets: it
 * sets `LISTEN_PID` to the worker's pid (Node's spawn cannot set it after the fork), and makes a
 * `listen(port)` for a port the supervisor holds take the held socket instead of binding, so that
 * an unchanged server (`app.listen(3000)` of express, koa, fastify; `server.listen(port, host)`,
 * `listen({ port, host })`) shares the supervisor's accept queue. Any other call is left alone.
 * The host of such a call is not compared: the port names the socket.
 */
import { passedSockets } from './listen-handle.js';

if (process.env.LISTEN_FDS !== undefined && process.env.LISTEN_PID === undefined) process.env.LISTEN_PID = String(process.pid);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const net = require('node:net') as typeof import('node:net');
type Listen = (this: import('node:net').Server, ...args: unknown[]) => import('node:net').Server;
const original = net.Server.prototype.listen as unknown as Listen;

/** The port a listen call asks for, if it asks for one (not a path, a handle or an fd). */
function portOf(args: readonly unknown[]): number | undefined {
  const first = args[0];
  const port = (value: unknown): number | undefined => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    return Number.isInteger(n) && n > 0 ? n : undefined;
  };
  if (typeof first === 'object' && first !== null) {
    const options = first as Record<string, unknown>;
    if (options.fd !== undefined || options.path !== undefined || options.handle !== undefined || options._handle !== undefined) return undefined;
    return port(options.port);
  }
  return port(first);
}

(net.Server.prototype as unknown as { listen: Listen }).listen = function listen(this: import('node:net').Server, ...args: unknown[]) {
  const wanted = portOf(args);
  if (wanted !== undefined) {
    const passed = passedSockets();
    const at = passed?.ports.indexOf(wanted) ?? -1;
    if (at >= 0) {
      const callback = args.find((a) => typeof a === 'function');
      return callback === undefined ? original.call(this, { fd: 3 + at }) : original.call(this, { fd: 3 + at }, callback);
    }
  }
  return original.apply(this, args);
};

/**
 * `listenHandle()`: the listening socket a supervisor holds for this worker, as the `{ fd }` that
 * `server.listen()` takes, or, outside a supervised worker, a fallback, so that one line runs
 * under xdaemon and under plain `node server.js` alike. It reads systemd's protocol (`LISTEN_FDS`,
 * `LISTEN_FDNAMES`, `LISTEN_PID` equal to this process's pid), so it also takes the sockets of a
 * systemd socket unit, and removes those variables from `process.env` once read: a child started
 * later must not take them for its own.
 */
import { XDaemonError } from '../errors.js';

/** The sockets passed to this process: their names, in descriptor order from 3, and TCP ports (0: unknown or unix). */
export interface PassedSockets {
  names: string[];
  ports: number[];
}

/** What `server.listen()` takes for a fallback: a port, or its options object. */
export type ListenFallback = number | { port?: number; host?: string; path?: string; backlog?: number; [key: string]: unknown };

const STASH = Symbol.for('xdaemon.listen.v1');
const VARS = ['LISTEN_FDS', 'LISTEN_FDNAMES', 'LISTEN_PID', 'XDAEMON_LISTEN_PORTS'];

/**
 * The sockets passed to this process, read once (and the variables then removed from
 * `process.env`); undefined when none were passed to it. Shared by every copy of the library in
 * the process (and the preload) through a global symbol.
 */
export function passedSockets(): PassedSockets | undefined {
  const holder = globalThis as unknown as Record<symbol, PassedSockets | null | undefined>;
  const stashed = holder[STASH];
  if (stashed !== undefined) return stashed ?? undefined;
  const env = process.env;
  const count = Number(env.LISTEN_FDS);
  let found: PassedSockets | null = null;
  if (env.LISTEN_PID === String(process.pid) && Number.isInteger(count) && count > 0) {
    const names = (env.LISTEN_FDNAMES ?? '').split(':');
    const ports = (env.XDAEMON_LISTEN_PORTS ?? '').split(',');
    found = {
      names: Array.from({ length: count }, (_, i) => names[i] || `listen${i}`),
      ports: Array.from({ length: count }, (_, i) => Number(ports[i]) || 0),
    };
    for (const name of VARS) delete env[name];
  }
  holder[STASH] = found;
  return found ?? undefined;
}

/**
 * The listening socket named `name` (or the only one) that the supervisor holds for this worker,
 * as `{ fd }` for `server.listen()`; outside a supervised worker with sockets, `fallback` (a port
 * or listen options), as given.
 *
 * @example
 * ```ts
 * server.listen(listenHandle('http', 8080), () => ready());
 * ```
 * @throws XDaemonError when no socket of that name was passed and there is no fallback, or when
 * several were passed and none is named.
 */
export function listenHandle(name?: string, fallback?: ListenFallback): { fd: number } | ListenFallback {
  const passed = passedSockets();
  if (passed !== undefined) {
    if (name === undefined) {
      if (passed.names.length === 1) return { fd: 3 };
      throw new XDaemonError(`listenHandle: ${passed.names.length} sockets were passed (${passed.names.join(', ')}): name one`);
    }
    const at = passed.names.indexOf(name);
    if (at >= 0) return { fd: 3 + at };
    if (fallback === undefined) throw new XDaemonError(`listenHandle: no socket named ${JSON.stringify(name)} was passed (passed: ${passed.names.join(', ')})`);
    return fallback;
  }
  if (fallback === undefined) {
    throw new XDaemonError(`listenHandle: no listening socket was passed to this process${name === undefined ? '' : ` (wanted ${JSON.stringify(name)})`} and no fallback was given`);
  }
  return fallback;
}

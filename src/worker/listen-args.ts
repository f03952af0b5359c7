/**
 * What a `server.listen(…)` call asks for, read the way Node's `net` reads its arguments
 * (`normalizeArgs`): `listen()`, `listen(port[, host][, backlog][, cb])`, `listen(path[, backlog][,
 * cb])`, `listen(options[, cb])`, `listen(handle[, backlog][, cb])`. The listen preload decides
 * from it whether the supervisor's socket serves the call. Pure.
 */

/** One listen call, read. */
export type ListenCall =
  | { kind: 'port'; port: number; host: string; backlog: number | undefined; exclusive: boolean; ipv6Only: boolean }
  | { kind: 'path'; path: string; backlog: number | undefined; exclusive: boolean }
  | { kind: 'fd'; fd: number }
  /** A handle, or arguments Node itself will refuse: left to Node. */
  | { kind: 'other' };

/** `listen`'s arguments read, and its callback. */
export interface ReadListen {
  call: ListenCall;
  callback: ((...args: unknown[]) => void) | undefined;
}

/** A port Node accepts: a whole number 0…65535, or such a number as text. */
function portOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/** A backlog as Node reads it (a number, or numeric text). */
function backlogOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Reads the arguments of one `listen()` call. */
export function readListenArgs(args: readonly unknown[]): ReadListen {
  const last = args[args.length - 1];
  const callback = typeof last === 'function' ? (last as (...a: unknown[]) => void) : undefined;
  const plain = callback === undefined ? args : args.slice(0, -1);
  const [first] = plain;
  // listen(), listen(cb), listen(null), listen(undefined): an ephemeral port on every address.
  if (plain.length === 0 || first === null || first === undefined) {
    return { call: { kind: 'port', port: 0, host: '', backlog: backlogOf(plain[1]), exclusive: false, ipv6Only: false }, callback };
  }
  if (typeof first === 'object') {
    const o = first as Record<string, unknown>;
    if (o._handle !== undefined || o.handle !== undefined) return { call: { kind: 'other' }, callback };
    if (typeof o.fd === 'number') return { call: { kind: 'fd', fd: o.fd }, callback };
    const backlog = backlogOf(o.backlog) ?? backlogOf(plain[1]);
    const exclusive = o.exclusive === true;
    if (typeof o.path === 'string' && o.path !== '' && o.port === undefined) return { call: { kind: 'path', path: o.path, backlog, exclusive }, callback };
    // { port: undefined } and { port: null } mean an ephemeral port, as in Node.
    const port = 'port' in o && (o.port === undefined || o.port === null) ? 0 : portOf(o.port);
    if (port === undefined) return { call: { kind: 'other' }, callback };
    const host = typeof o.host === 'string' ? o.host : '';
    return { call: { kind: 'port', port, host, backlog, exclusive, ipv6Only: o.ipv6Only === true }, callback };
  }
  const port = portOf(first);
  if (port !== undefined) {
    const host = typeof plain[1] === 'string' ? plain[1] : '';
    const backlog = typeof plain[1] === 'string' ? backlogOf(plain[2]) : backlogOf(plain[1]);
    return { call: { kind: 'port', port, host, backlog, exclusive: false, ipv6Only: false }, callback };
  }
  if (typeof first === 'string' && first !== '') return { call: { kind: 'path', path: first, backlog: backlogOf(plain[1]), exclusive: false }, callback };
  return { call: { kind: 'other' }, callback };
}

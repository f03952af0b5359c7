/**
 * The client side of the control channel: one request to a supervisor, its answer, and (for a
 * stop) the moment the supervisor's end of the socket closes, which it does only as it exits.
 * `node:net` is loaded here, on first use, never by a worker that merely imports the library.
 */
import { tracer } from '../trace.js';
import { type ControlRequest, type ControlResponse, MAX_LINE, encodeMessage } from './protocol.js';
import type { HostOperationName, HostParamsOf } from './host-operations.js';

/** A request of a host's own operations (./host-operations). */
export type HostRequest = { [N in HostOperationName]: { op: N; key: string; params?: HostParamsOf<N> } }[HostOperationName];

const trace = tracer('control');

/** How a request ended when it got no answer. */
export type NoAnswer =
  /** Nothing listens there: no supervisor holds the lock. */
  | 'unreachable'
  /** Something accepted the connection but did not answer in time. */
  | 'unresponsive';

/** An answer, and a promise of the connection's end (for waiting until a supervisor is gone). */
export interface Answered<R = ControlResponse> {
  response: R;
  closed: Promise<void>;
}

/**
 * Sends `request` to the supervisor at `address`; resolves with its answer (and a promise of the
 * connection's close), or with why there is none, within `timeout` ms. When `signal` aborts (the
 * call it serves has settled: see ./call) the connection is destroyed, answered or not.
 */
export function request<Res = ControlResponse>(address: string, message: ControlRequest | HostRequest, timeout: number, signal?: AbortSignal): Promise<Answered<Res> | NoAnswer> {
  const net = loadNet();
  const began = Date.now();
  trace('%s → %s (timeout %d ms)', message.op, address, timeout);
  return new Promise((resolve) => {
    let buffered = '';
    let settled = false;
    let closeResolve: () => void = () => undefined;
    const closed = new Promise<void>((r) => (closeResolve = r));
    const socket = net.connect(address);
    const timer = setTimeout(() => finish('unresponsive'), timeout);
    const abort = (): void => {
      socket.destroy();
      finish('unresponsive');
    };
    const finish = (result: Answered<Res> | NoAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const said = typeof result === 'string' ? result : (result.response as { ok?: boolean; error?: string });
      trace('%s ← %s after %d ms', message.op, typeof said === 'string' ? said : said.ok === false ? `refused: ${said.error ?? '?'}` : 'ok', Date.now() - began);
      if (typeof result === 'string') socket.destroy();
      resolve(result);
    };
    if (signal?.aborted === true) abort();
    signal?.addEventListener('abort', abort, { once: true });
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(encodeMessage(message)));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end < 0) {
        if (buffered.length > MAX_LINE) finish('unresponsive');
        return;
      }
      let response: Res;
      try {
        response = JSON.parse(buffered.slice(0, end)) as Res;
      } catch {
        response = { ok: false, error: 'the supervisor sent an answer that is not JSON' } as Res;
      }
      finish({ response, closed });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      finish(RELEASED.includes(code) ? 'unreachable' : 'unresponsive');
    });
    socket.on('close', () => {
      signal?.removeEventListener('abort', abort);
      closeResolve();
      finish('unresponsive');
    });
  });
}

/**
 * Whether a supervisor still holds the lock at `address` (something accepts a connection there);
 * false once it is released: the supervisor is gone, or has closed its control channel to exit.
 * Undecided within `timeout` ms (or on another error) counts as held.
 */
export function lockHeld(address: string, timeout: number, signal?: AbortSignal): Promise<boolean> {
  const net = loadNet();
  return new Promise((resolve) => {
    const socket = net.connect(address);
    const done = (held: boolean): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      socket.destroy();
      resolve(held);
    };
    const abort = (): void => done(true);
    const timer = setTimeout(abort, timeout);
    signal?.addEventListener('abort', abort, { once: true });
    socket.on('connect', () => done(true));
    socket.on('error', (err: NodeJS.ErrnoException) => done(!RELEASED.includes(err.code ?? '')));
  });
}

/** Connection errors that mean nothing listens at the address. */
export const RELEASED = ['ENOENT', 'ECONNREFUSED', 'ENOTSOCK'];

function loadNet(): typeof import('node:net') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('node:net') as typeof import('node:net');
}

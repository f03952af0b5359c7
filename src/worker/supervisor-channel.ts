/**
 * Worker side of the supervisor's own channel to its worker: the readiness descriptor (named in
 * `XDAEMON_READY_FD`) is one end of a socketpair, which libuv creates bidirectional. The worker
 * writes `READY=1` on it (./ready); the supervisor writes lines the other way: the order that makes
 * a spare the worker, and `REOPEN` when it has reopened the log. No signal is used, so nothing the
 * user's code handles is involved, and `process.send` stays the user's.
 *
 * The reading handle is unref'd (it never keeps a worker alive) and shared through `globalThis`, so
 * the spare's copy of this module and the library's copy in the user's code read one socket.
 * Opening it loads node:net (~3 ms): a worker opens it lazily, off its start-up (see ./log-follow).
 */
import type { Socket } from 'node:net';

/** The environment variable naming the descriptor a supervised worker writes readiness to. */
export const READY_FD_ENV = 'XDAEMON_READY_FD';

/** What is shared between the copies of this module in one process. */
interface ChannelState {
  /** The descriptor, claimed: ready() then writes to it without closing it. */
  fd: number;
  socket: Socket | undefined;
  /** Bytes of an unfinished line. */
  partial: string;
  readonly listeners: Set<(line: string | null) => void>;
}

const KEY = Symbol.for('xdaemon.channel.v1');

function holder(): Record<symbol, ChannelState | undefined> {
  return globalThis as unknown as Record<symbol, ChannelState | undefined>;
}

/** The channel's descriptor if this process has claimed it. */
export function claimedChannelFd(): number | undefined {
  return holder()[KEY]?.fd;
}

/** Whether the claimed channel is read already (a spare's, which waited on it for its order). */
export function channelOpen(): boolean {
  return holder()[KEY]?.socket !== undefined;
}

/**
 * Claims the readiness descriptor for the channel (ready() will not close it any more). Returns
 * false where there is none (not supervised by xdaemon, or ready() closed it already).
 */
export function claimChannel(): boolean {
  if (holder()[KEY] !== undefined) return true;
  const raw = process.env[READY_FD_ENV];
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < 3) return false;
  holder()[KEY] = { fd: Number(raw), socket: undefined, partial: '', listeners: new Set() };
  return true;
}

/**
 * Reads the claimed channel from now on and calls `listener` with each line (without its newline),
 * and with null when the supervisor's end is closed (it is gone).
 * `keepAlive`: the handle keeps the process alive (a spare waiting for its order); see {@link releaseChannel}.
 * Returns false when no channel was claimed.
 */
export function listenChannel(listener: (line: string | null) => void, keepAlive = false): boolean {
  const state = holder()[KEY];
  if (state === undefined) return false;
  state.listeners.add(listener);
  if (state.socket === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Socket } = require('node:net') as typeof import('node:net');
    // allowHalfOpen: the supervisor's end of file must not shut our writing side (ready()).
    const socket = new Socket({ fd: state.fd, readable: true, writable: false, allowHalfOpen: true });
    state.socket = socket;
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      const lines = (state.partial + chunk).split('\n');
      state.partial = lines.pop() ?? '';
      for (const line of lines) for (const l of [...state.listeners]) l(line);
    });
    socket.on('end', () => {
      for (const l of [...state.listeners]) l(null);
    });
  }
  if (keepAlive) state.socket.ref();
  else state.socket.unref();
  return true;
}

/** Stops `listener`; the handle no longer keeps the process alive. */
export function releaseChannel(listener: (line: string | null) => void): void {
  const state = holder()[KEY];
  state?.listeners.delete(listener);
  state?.socket?.unref();
}

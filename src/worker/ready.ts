/**
 * `ready()`: the worker tells whoever supervises it that it is ready to serve. Two channels, both
 * usable from any language:
 *
 * - an xdaemon supervisor passes the worker a pipe and names its descriptor in `XDAEMON_READY_FD`;
 *   the worker writes one line to it (`READY=1`, as sd_notify words it) and closes it (s6's
 *   notification-fd convention; a shell worker does `echo READY=1 >&"$XDAEMON_READY_FD"`);
 * - under systemd `Type=notify` (`NOTIFY_SOCKET` set), `systemd-notify --ready` is run, which
 *   needs `NotifyAccess=all` in the unit (plain Node cannot send a unix datagram).
 *
 * Outside either, it does nothing. It never gives the worker an IPC channel, so `process.send`
 * stays what user code expects.
 */
import { closeSync, writeSync } from 'node:fs';
import { tracer } from '../trace.js';
import { READY_FD_ENV, claimedChannelFd } from './supervisor-channel.js';

const trace = tracer('ready');

export { READY_FD_ENV };

/** The line a worker writes to that descriptor. */
export const READY_LINE = 'READY=1\n';

const DONE = Symbol.for('xdaemon.ready.v1');

/**
 * Tells the supervisor (and systemd, under `Type=notify`) that this worker is ready. Call it once
 * the program serves (its server listens, its queue is consumed); `Daemon`'s `waitReady` and the
 * CLI's `--wait-ready` wait for it. Idempotent and cheap; a no-op when nothing supervises the
 * process. Never throws: a supervisor that is gone is not the worker's problem.
 */
export function ready(): void {
  const holder = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (holder[DONE] === true) return;
  holder[DONE] = true;
  const raw = process.env[READY_FD_ENV];
  // The channel, when something of ours claimed it (the listen preload, the spare), keeps it open.
  const claimed = claimedChannelFd();
  if (raw !== undefined || claimed !== undefined) {
    // Children started from here on must not answer for this worker.
    delete process.env[READY_FD_ENV];
    const fd = claimed ?? (raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : -1);
    if (fd > 2) {
      try {
        writeSync(fd, READY_LINE);
        trace('ready written to descriptor %d', fd);
      } catch (err) {
        trace('cannot write ready to descriptor %d: %O', fd, err);
      }
      // The channel (./supervisor-channel) reads the same descriptor on: it stays open then.
      if (claimed !== fd) {
        try {
          closeSync(fd);
        } catch {
          // already closed
        }
      }
    }
  }
  if (process.env.NOTIFY_SOCKET) notifySystemd();
}

/** Runs `systemd-notify --ready` without waiting for it and without keeping the process alive. */
function notifySystemd(): void {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn('systemd-notify', ['--ready'], { stdio: 'ignore' });
    child.once('error', (err) => trace('systemd-notify failed: %O', err));
    child.unref();
  } catch (err) {
    trace('systemd-notify failed: %O', err);
  }
}

/**
 * The launcher's side of the start-up handshake (see ../daemon-process/handshake): it blocks (the
 * launcher has nothing else to do, and `run()` is synchronous) until the supervisor has answered,
 * has died, or the time is up. On POSIX the answer comes through a pipe on the supervisor's
 * descriptor 3, read synchronously; on Windows through a file in the temporary directory.
 */
import { readFileSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { type HandshakeChannel, type HandshakeMessage, parseMessage } from '../daemon-process/handshake.js';
import { isRunning } from '../process/proc.js';

/** How long the launcher waits for the supervisor to handle stop signals, in milliseconds. */
export const SUPERVISING_TIMEOUT = 10_000;

/** How a wait ended: a message, the supervisor's death without one, or the deadline. */
export type HandshakeOutcome = HandshakeMessage | { kind: 'exited' } | { kind: 'timeout' };

/** The launcher's end of a handshake, created before the supervisor is spawned. */
export interface HandshakeReceiver {
  /** What the supervisor's configuration names as its channel. */
  readonly channel: HandshakeChannel;
  /** The supervisor's stdio entry for descriptor 3 (none with a file channel). */
  readonly stdio: 'pipe'[];
  /**
   * Waits until a message `final` accepts, the supervisor's death, or `timeout` ms. Messages
   * `final` does not accept are passed to `onMessage` and the wait goes on.
   */
  wait(child: ChildProcess & { pid: number }, timeout: number, final: (m: HandshakeMessage) => boolean, onMessage?: (m: HandshakeMessage) => void): HandshakeOutcome;
  /** Releases the channel (closes nothing the supervisor holds). */
  dispose(): void;
}

/** A receiver for this platform. */
export function createReceiver(): HandshakeReceiver {
  return process.platform === 'win32' ? fileReceiver() : pipeReceiver();
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const pause = (ms: number): void => void Atomics.wait(sleeper, 0, 0, ms);

/** Splits text into complete lines, keeping a partial last line for later. */
class Lines {
  private partial = '';
  push(text: string): string[] {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    return parts;
  }
}

function pipeReceiver(): HandshakeReceiver {
  return {
    channel: { kind: 'fd', fd: 3 },
    stdio: ['pipe'],
    wait(child, timeout, final, onMessage) {
      const handle = (child.stdio[3] as unknown as { _handle?: { fd?: number } } | null)?._handle;
      const fd = handle?.fd;
      if (fd === undefined || fd < 0) throw new Error('xdaemon: the handshake pipe has no descriptor');
      const buffer = Buffer.alloc(4096);
      const lines = new Lines();
      const deadline = Date.now() + timeout;
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, buffer, 0, buffer.length, null);
        } catch (err) {
          if ((err as { code?: string }).code !== 'EAGAIN') return { kind: 'exited' };
          if (Date.now() > deadline) return { kind: 'timeout' };
          pause(1);
          continue;
        }
        // End of file: the supervisor closed the channel or died.
        if (n === 0) return { kind: 'exited' };
        for (const line of lines.push(buffer.toString('utf8', 0, n))) {
          const message = parseMessage(line);
          if (message === undefined) continue;
          if (final(message)) return message;
          onMessage?.(message);
        }
      }
    },
    dispose() {
      // The ChildProcess owns the pipe; it is closed when this process exits.
    },
  };
}

function fileReceiver(): HandshakeReceiver {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const path = join(tmpdir(), `xdaemon-handshake-${process.pid}-${randomBytes(8).toString('hex')}`);
  return {
    channel: { kind: 'file', path },
    stdio: [],
    wait(child, timeout, final, onMessage) {
      const deadline = Date.now() + timeout;
      let seen = 0;
      for (;;) {
        // Alive before the read: a supervisor that writes its answer and exits is not missed.
        const alive = isRunning(child.pid);
        let text = '';
        try {
          text = readFileSync(path, 'utf8');
        } catch {
          // not written yet
        }
        const lines = text.split('\n').slice(0, -1);
        for (const line of lines.slice(seen)) {
          const message = parseMessage(line);
          if (message === undefined) continue;
          if (final(message)) return message;
          onMessage?.(message);
        }
        seen = lines.length;
        if (!alive) return { kind: 'exited' };
        if (Date.now() > deadline) return { kind: 'timeout' };
        pause(2);
      }
    },
    dispose() {
      rmSync(path, { force: true });
    },
  };
}

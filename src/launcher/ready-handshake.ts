/**
 * The handshake that makes the launcher's "started supervisor PID" true: the supervisor creates a
 * file once its SIGTERM/SIGINT handlers are installed, and the launcher waits for that file before
 * it prints the pid and exits. A stop signal sent to the printed pid is then always handled, and a
 * supervisor that dies while starting is reported in the launcher's terminal, not discovered later.
 */
import { existsSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isZombie, procStat } from '../process/process-group.js';

/** How long the launcher waits for the supervisor to handle stop signals, in milliseconds. */
export const READY_TIMEOUT = 10_000;

/** How the wait ended. */
export type ReadyOutcome = 'ready' | 'exited' | 'timeout';

/** A fresh, unguessable path for one handshake. */
export function readyFilePath(): string {
  // Loaded here, not at the top: an ESM bundle hoists static imports, and a worker must not pay for these.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { randomBytes } = require('node:crypto') as typeof import('node:crypto');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return join(tmpdir(), `xdaemon-ready-${process.pid}-${randomBytes(8).toString('hex')}`);
}

/**
 * Supervisor side: announce readiness (exclusive create, owner-only). The launcher removes the
 * file; if it died while waiting, the supervisor removes it itself once the launcher's wait is over.
 */
export function markReady(file: string): void {
  writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
  setTimeout(() => rmSync(file, { force: true }), READY_TIMEOUT + 1000).unref();
}

/**
 * Launcher side: blocks (the launcher has nothing else to do) until the supervisor `pid` marks
 * itself ready, dies, or `timeout` ms pass. Polls every 2 ms; removes the file in every case.
 */
export function waitReady(file: string, pid: number, timeout: number): ReadyOutcome {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeout;
  try {
    for (;;) {
      if (existsSync(file)) return 'ready';
      if (!running(pid)) return existsSync(file) ? 'ready' : 'exited';
      if (Date.now() > deadline) return 'timeout';
      Atomics.wait(sleeper, 0, 0, 2);
    }
  } finally {
    try {
      unlinkSync(file);
    } catch {
      // never created
    }
  }
}

/** True while `pid` runs; a zombie (our unreaped child that died) does not count. */
function running(pid: number): boolean {
  if (process.platform === 'linux') {
    const stat = procStat(pid);
    return stat !== undefined && !isZombie(stat.state);
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

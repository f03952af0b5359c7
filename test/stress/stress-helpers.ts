/**
 * Helpers of the torture suite: sizes scaled by STRESS_SCALE, /proc probes (fds, RSS, CPU,
 * zombies, caught signals), an incremental reader of the daemon log, and launching the daemon
 * fixture with the supervisor pid taken from the launcher's stderr.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, ROOT, type RunResult, readText, run, supervisorPid } from '../support/fixtures';
import { procStat, signal, start, waitAllGone, waitFor, waitGone, withTimeout } from '../support/harness';

export const STRESS_FIXTURES = join(__dirname, 'fixtures');
export const DAEMON = join(FIXTURES, 'daemon.cjs');

/** STRESS_SCALE (default 1: the CI size); ~10 gives the full sizes. */
export const SCALE = ((): number => {
  const raw = process.env.STRESS_SCALE;
  const n = raw === undefined || raw === '' ? 1 : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new RangeError(`STRESS_SCALE must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
})();

/** `base` scaled by STRESS_SCALE, rounded, at least 1. */
export function scaled(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

/** Clock ticks per second, for the CPU fields of /proc/PID/stat. */
export const CLK_TCK = ((): number => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

// ---------------------------------------------------------------------------------------------
// The log

/** Reads a growing log file incrementally; keeps the complete lines seen so far. */
export class LogTail {
  readonly lines: string[] = [];
  private offset = 0;
  private partial = '';

  constructor(readonly file: string) {}

  /** Reads what was appended since the last call; returns all complete lines. */
  refresh(): string[] {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return this.lines;
    }
    try {
      const size = fstatSync(fd).size;
      if (size > this.offset) {
        const buf = Buffer.alloc(size - this.offset);
        let got = 0;
        while (got < buf.length) {
          const n = readSync(fd, buf, got, buf.length - got, this.offset + got);
          if (n === 0) break;
          got += n;
        }
        this.offset += got;
        const text = this.partial + buf.subarray(0, got).toString('utf8');
        const parts = text.split('\n');
        this.partial = parts.pop() ?? '';
        this.lines.push(...parts);
      }
    } finally {
      closeSync(fd);
    }
    return this.lines;
  }

  /** The whole text read so far. */
  text(): string {
    return this.lines.join('\n');
  }
}

/** The messages of the supervisor `spid`'s own lines (`<time> xdaemon[SPID] <message>`). */
export function supervisorMessages(lines: readonly string[], spid: number): string[] {
  const marker = ` xdaemon[${spid}] `;
  const out: string[] = [];
  for (const line of lines) {
    const at = line.indexOf(marker);
    if (at >= 0) out.push(line.slice(at + marker.length));
  }
  return out;
}

/** Worker pids from `worker started: pid N` messages, in order. */
export function startedPids(messages: readonly string[]): number[] {
  const out: number[] = [];
  for (const m of messages) {
    const hit = /^worker started: pid (\d+) /.exec(m);
    if (hit) out.push(Number(hit[1]));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Launching the daemon fixture

export interface Launched {
  spid: number;
  log: string;
  tail: LogTail;
  launcher: RunResult;
}

/** Settings passed to the fixture as D_FIELDS. */
export type Fields = Partial<Record<'maxCount' | 'maxError' | 'minExitTime' | 'killTimeout' | 'restartDelay' | 'maxRestartDelay', number>> & {
  backoff?: 'fixed' | 'exponential';
};

/** Runs the daemon fixture's launcher (test/fixtures/daemon.cjs or `script`) to its end; returns the supervisor. */
export async function launchDaemon(log: string, fields: Fields, env: NodeJS.ProcessEnv = {}, script = DAEMON): Promise<Launched> {
  const launcher = await run(script, [], { env: { D_LOG: log, D_FIELDS: JSON.stringify(fields), ...env } });
  assert.equal(launcher.code, 0, `launcher failed: ${launcher.stderr}`);
  assert.equal(launcher.stdout, '', 'the code after run() must not run in the launcher');
  return { spid: supervisorPid(launcher.stderr), log, tail: new LogTail(log), launcher };
}

/**
 * Runs the daemon fixture's launcher and calls `onPid` with the supervisor pid the moment the
 * launcher prints it (the launcher may still be exiting). Resolves once the launcher has exited.
 */
export async function launchDaemonStreaming(
  log: string,
  fields: Fields,
  env: NodeJS.ProcessEnv,
  onPid: (spid: number) => void,
): Promise<Launched> {
  const proc = start(process.execPath, [DAEMON], { cwd: ROOT, env: { D_LOG: log, D_FIELDS: JSON.stringify(fields), ...env } });
  let seen = '';
  let spid: number | undefined;
  proc.child.stderr?.on('data', (d: string) => {
    seen += d;
    if (spid !== undefined) return;
    const m = /started supervisor (\d+)/.exec(seen);
    if (m) {
      spid = Number(m[1]);
      onPid(spid);
    }
  });
  const result = withTimeout(proc.done, 20_000, 'the launcher to exit').catch((err: Error) => {
    signal(proc.pid, 'SIGKILL');
    throw err;
  });
  const launcher = await result;
  assert.equal(launcher.code, 0, `launcher failed: ${launcher.stderr}`);
  return { spid: supervisorPid(launcher.stderr), log, tail: new LogTail(log), launcher };
}

/** Waits until the log holds at least `count` supervisor messages matching `re`; returns them. */
export async function waitMessages(l: Launched, re: RegExp, count = 1, timeout = 15_000): Promise<string[]> {
  return waitFor(
    `${count} × ${re} in ${l.log}`,
    () => {
      const hits = supervisorMessages(l.tail.refresh(), l.spid).filter((m) => re.test(m));
      return hits.length >= count ? hits : undefined;
    },
    timeout,
    10,
  );
}

/** Waits for the `WORKER {json}` record of worker `pid` (it runs the program after run()). */
export async function waitWorkerRecord(l: Launched, pid: number, timeout = 15_000): Promise<void> {
  await waitFor(
    `the WORKER record of pid ${pid} in ${l.log}`,
    () => l.tail.refresh().some((line) => line.startsWith('WORKER {') && (JSON.parse(line.slice(7)) as { pid: number }).pid === pid),
    timeout,
    10,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; state of ${pid}: ${procStat(pid)?.state ?? 'gone'}; log ends:\n${l.tail.refresh().slice(-12).join('\n')}`);
  });
}

export interface StopReport {
  messages: string[];
  workers: number[];
  /** Milliseconds from the first stop signal to the supervisor being gone. */
  stopMs: number;
}

/**
 * After stop signals were sent (at `sentAt`, Date.now()): waits until the supervisor and every
 * worker it started are gone, then checks that the supervisor logged the signal, that no worker
 * started after it, and that its last line says it exits with code 0.
 */
export async function expectCleanStop(l: Launched, sentAt: number, timeout = 15_000): Promise<StopReport> {
  await waitGone(l.spid, timeout);
  const stopMs = Date.now() - sentAt;
  const messages = supervisorMessages(l.tail.refresh(), l.spid);
  const workers = startedPids(messages);
  await waitAllGone(workers);
  // Every caller stops by a signal: the supervisor must say it received it (a missing line is a
  // failure, not a check skipped).
  const received = messages.findIndex((m) => /^received SIG(TERM|INT): stopping/.test(m));
  assert.ok(received >= 0, `the supervisor says it received the stop signal; its lines were:\n${messages.join('\n') || '(none)'}`);
  const after = messages.slice(received).filter((m) => m.startsWith('worker started'));
  assert.deepEqual(after, [], `no worker may start after the stop was received:\n${messages.join('\n')}`);
  assert.equal(
    messages.at(-1),
    'supervisor exiting with code 0',
    `the supervisor's last line must be its exit with code 0; its lines were:\n${messages.join('\n') || '(none)'}\nlog:\n${readText(l.log)}`,
  );
  return { messages, workers, stopMs };
}

/** Sends `sig` to `pid` and returns Date.now() of the send. */
export function send(pid: number, sig: NodeJS.Signals): number {
  const at = Date.now();
  signal(pid, sig);
  return at;
}

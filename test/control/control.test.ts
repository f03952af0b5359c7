/**
 * status(), stop() and restart() from an unrelated process (a fixture that only knows the pid
 * file), in every state of a daemon; SIGUSR2 restarts the worker too.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fields, finished, launch, logLine, worker } from '../support/daemon-fixture';
import { FIXTURES, cleanup, readText, records, run, tempDir } from '../support/fixtures';
import { isGone, signal, signalOurs, waitGone } from '../support/harness';

after(cleanup);

const CONTROL = join(FIXTURES, 'control.cjs');

interface Outcome<T> {
  result?: T;
  error?: { name: string; message: string; xdaemon: boolean };
  ms: number;
}

/** Runs `op` on `pidFile` in a separate process. */
async function control<T = Record<string, unknown>>(op: 'status' | 'stop' | 'restart', pidFile: string, options?: object): Promise<Outcome<T>> {
  const res = await run(CONTROL, [], { env: { C_OP: op, C_PID_FILE: pidFile, ...(options === undefined ? {} : { C_OPTS: JSON.stringify(options) }) }, timeout: 40_000 });
  assert.equal(res.code, 0, res.stderr);
  const [ok] = records<{ result: T; ms: number }>(res.stdout, 'RESULT');
  const [error] = records<{ name: string; message: string; xdaemon: boolean; ms: number }>(res.stdout, 'ERROR');
  if (ok) return { result: ok.result, ms: ok.ms };
  assert.ok(error, res.stdout);
  return { error, ms: error.ms };
}

async function daemon(t: Parameters<typeof launch>[0], extra: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = { W_MODE: 'run' }) {
  const dir = tempDir();
  const pidFile = join(dir, 'app.pid');
  const d = await launch(t, { ...env, D_FIELDS: fields({ pidFile, killTimeout: 500, ...extra }) }, { log: join(dir, 'app.log') });
  return { ...d, pidFile };
}

type Status = Record<string, unknown> & { state: string; pid?: number; workerPid?: number; starts: number; restarts: number; errors: number };

describe('status()', () => {
  test('running: the supervisor, the worker, counters, times, the command and the log', async (t) => {
    const d = await daemon(t, { maxCount: 5, maxError: 2 });
    const w = await worker(d);
    const { result: s } = await control<Status>('status', d.pidFile);
    assert.ok(s);
    assert.equal(s.state, 'running');
    assert.equal(s.pid, d.spid);
    assert.equal(s.workerPid, w.pid);
    assert.equal(s.pidFile, d.pidFile);
    assert.deepEqual([s.starts, s.restarts, s.errors, s.maxCount, s.maxError], [1, 0, 0, 5, 2]);
    assert.ok(Date.parse(String(s.startedAt)) <= Date.parse(String(s.workerStartedAt)));
    assert.equal(s.logFile, d.log);
    assert.deepEqual((s.command as string[]).slice(-1), [join(FIXTURES, 'daemon.cjs')]);
    signal(d.spid, 'SIGTERM');
    await finished(d);
  });

  test('restarting: during a restart delay, with the last exit', async (t) => {
    const d = await daemon(t, { restartDelay: 60_000, minExitTime: 0 }, { W_MODE: 'exit', W_CODE: '7' });
    await logLine(d, /restart in 60000 ms/);
    const { result: s } = await control<Status & { lastExit: { code: number; signal: null; seconds: number; at: string } }>('status', d.pidFile);
    assert.equal(s?.state, 'restarting');
    assert.equal(s?.workerPid, undefined);
    assert.equal(s?.lastExit.code, 7);
    assert.equal(s?.lastExit.signal, null);
    signal(d.spid, 'SIGTERM');
    await finished(d);
  });

  test('stopped, with how the last run ended; dead after a SIGKILL of the supervisor', async (t) => {
    const d = await daemon(t);
    const w = await worker(d);
    signal(d.spid, 'SIGKILL');
    await waitGone(d.spid);
    await waitGone(w.pid, 3000);
    const dead = await control<Status>('status', d.pidFile);
    assert.equal(dead.result?.state, 'dead');
    assert.equal(dead.result?.pid, d.spid);
    const stopped = await control('stop', d.pidFile);
    assert.equal(stopped.error, undefined, 'stop of a dead daemon succeeds');
    const after = await control<Status & { ended?: { reason: string } }>('status', d.pidFile);
    assert.equal(after.result?.state, 'stopped', 'the stale pid file was removed');
    assert.match(String(after.result?.ended?.reason), /killed/);
  });

  test('stopped: never started (no pid file, no state file); status, stop and restart never hang', async () => {
    const pidFile = join(tempDir(), 'none.pid');
    const s = await control<Status>('status', pidFile);
    assert.equal(s.result?.state, 'stopped');
    assert.deepEqual(s.result?.command, []);
    const st = await control('stop', pidFile);
    assert.equal(st.error, undefined);
    assert.equal(st.result, null);
    const r = await control('restart', pidFile);
    assert.equal(r.error?.name, 'XDaemonError');
    assert.equal(r.error?.xdaemon, true, 'instanceof XDaemonError holds across the lazily loaded bundle');
    assert.equal(r.error?.message, `cannot restart: no daemon runs for ${pidFile}`);
  });
});

describe('stop() and restart() from another process', () => {
  test('stop() resolves once the supervisor and the worker are gone; the log records who asked', async (t) => {
    const d = await daemon(t, {}, { W_MODE: 'ignore-term' });
    const w = await worker(d);
    const stopped = await control('stop', d.pidFile);
    assert.equal(stopped.error, undefined, JSON.stringify(stopped.error));
    assert.ok(isGone(d.spid), 'the supervisor is gone when stop() resolves');
    assert.ok(isGone(w.pid), 'so is the worker (it ignored SIGTERM: SIGKILL after killTimeout)');
    const text = readText(d.log);
    assert.match(text, /stop requested through the control channel/);
    assert.match(text, /supervisor exiting with code 0/);
    assert.equal(existsSync(d.pidFile), false, 'the pid file is gone');
  });

  test('stop() rejects when the stop takes longer than its timeout', async (t) => {
    const d = await daemon(t, { killTimeout: 3000 }, { W_MODE: 'ignore-term' });
    await worker(d);
    const slow = await control('stop', d.pidFile, { timeout: 500 });
    assert.equal(slow.error?.name, 'XDaemonError');
    assert.match(String(slow.error?.message), /still stopping after 500 ms/);
    await finished(d);
  });

  test('restart(): a new worker, the same supervisor; counted in restarts, not in starts or errors', async (t) => {
    const d = await daemon(t, { maxCount: 1 });
    const first = await worker(d);
    const r = await control<{ workerPid: number }>('restart', d.pidFile);
    assert.ok(r.result, JSON.stringify(r.error));
    assert.notEqual(r.result.workerPid, first.pid);
    const second = await worker(d, 2);
    assert.equal(second.pid, r.result.workerPid);
    assert.ok(isGone(first.pid), 'the old worker is gone');
    const { result: s } = await control<Status>('status', d.pidFile);
    assert.equal(s?.pid, d.spid, 'the same supervisor');
    assert.deepEqual([s?.starts, s?.restarts, s?.errors], [1, 1, 0], 'maxCount 1 is not reached by a restart');
    signal(d.spid, 'SIGTERM');
    await finished(d);
  });

  test('restart() with waitReady resolves once the new worker is ready, not when it starts', async (t) => {
    // Each worker calls ready() 300 ms after its start.
    const d = await daemon(t, { waitReady: 10_000 }, { W_MODE: 'serve', W_READY_MS: '300' });
    const first = await worker(d);
    const r = await control<{ workerPid: number }>('restart', d.pidFile);
    assert.ok(r.result, JSON.stringify(r.error));
    assert.notEqual(r.result.workerPid, first.pid);
    // Read at once: the ready line of the new worker is there already when restart() resolved.
    assert.match(readText(d.log), new RegExp(`worker ready: pid ${r.result.workerPid} after`), 'ready before restart() resolved');
    signal(d.spid, 'SIGTERM');
    await finished(d);
  });

  test('SIGUSR2 to the supervisor restarts the worker', async (t) => {
    const d = await daemon(t);
    const first = await worker(d);
    signal(d.spid, 'SIGUSR2');
    const second = await worker(d, 2);
    assert.notEqual(second.pid, first.pid);
    assert.ok(isGone(first.pid));
    assert.match(readText(d.log), /received SIGUSR2: restarting the worker/);
    assert.match(readText(d.log), /\(count 1\/unlimited; errors 0\/3; restarts 1\)/);
    signal(d.spid, 'SIGTERM');
    await finished(d);
  });
});

test('a supervisor that does not answer (SIGSTOP): status() says running and unresponsive within its timeout', async (t) => {
  const d = await daemon(t);
  await worker(d);
  signal(d.spid, 'SIGSTOP');
  t.after(() => signalOurs(d.spid, 'SIGCONT'));
  const s = await control<Status & { unresponsive?: boolean }>('status', d.pidFile, { timeout: 500 });
  assert.equal(s.result?.state, 'running');
  assert.equal(s.result?.unresponsive, true);
  signal(d.spid, 'SIGCONT');
  signal(d.spid, 'SIGTERM');
  await finished(d);
});

/**
 * Once a public call settles, nothing of the library keeps the caller's event loop alive: a fresh
 * process makes one call (status, stop, restart) against a daemon that runs, one that is stopped,
 * one that is dead (its supervisor SIGKILLed) and one that waits out a restart delay, and exits by
 * itself soon after; so does a program whose Supervisor was stopped or ended by itself. The bound
 * (10 s from the fixture's SETTLED line to its 'exit' event, both by its own clock, against 30 s
 * of a held loop before the fix) says the process was not held; it is not a speed figure, and a
 * loaded machine that delays the test's own loop does not enter it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fields, finished, launch, logLine, worker } from '../support/daemon-fixture';
import { FIXTURES, cleanup, matching, readText, records, tempDir } from '../support/fixtures';
import { signal, start, waitFor, waitGone, withTimeout } from '../support/harness';

after(cleanup);

/** How long a process may live on after its call settled: a third of the 30 s of a held loop. */
const EXIT_BOUND_MS = 10_000;
/** How long a fixture may take in all before the test gives up on it (a held loop: 30 s and more). */
const FIXTURE_DEADLINE_MS = 20_000;

interface Settled {
  ok?: boolean;
  at: number;
}

/** Runs `script` with `env`; returns its SETTLED record and how long after it the process exited. */
async function settleThenExit(script: string, env: NodeJS.ProcessEnv): Promise<{ settled: Settled; lingered: number }> {
  const proc = start(process.execPath, [join(FIXTURES, script)], { env });
  try {
    const exit = await withTimeout(proc.done, FIXTURE_DEADLINE_MS, `${script} (${JSON.stringify(env)}) to exit by itself`);
    assert.equal(exit.code, 0, exit.stderr);
    const [settled] = records<Settled>(exit.stdout, 'SETTLED');
    const [exited] = records<{ at: number }>(exit.stdout, 'EXITED');
    assert.ok(settled && exited, `no SETTLED or EXITED line: ${exit.stdout} ${exit.stderr}`);
    return { settled, lingered: exited.at - settled.at };
  } finally {
    // Only a process that has not exited yet (after a timeout): a reaped pid may be another's by now.
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
  }
}

type Op = 'status' | 'stop' | 'restart';

/** One call in a fresh process: it must settle as `ok` says, and the process exit within the bound. */
async function call(op: Op, pidFile: string, ok: boolean): Promise<void> {
  const { settled, lingered } = await settleThenExit('settle-call.cjs', { C_OP: op, C_PID_FILE: pidFile });
  assert.equal(settled.ok, ok, `${op}: ${JSON.stringify(settled)}`);
  assert.ok(lingered < EXIT_BOUND_MS, `${op} settled, then the process lived on for ${lingered} ms`);
}

async function daemon(t: Parameters<typeof launch>[0], extra: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const dir = tempDir();
  const pidFile = join(dir, 'app.pid');
  const d = await launch(t, { ...env, D_FIELDS: fields({ pidFile, killTimeout: 500, ...extra }) }, { log: join(dir, 'app.log') });
  return { ...d, pidFile };
}

describe('a control call lets its process exit once it settles', () => {
  test('against a running daemon: status, restart, stop', async (t) => {
    const d = await daemon(t, {}, { W_MODE: 'run' });
    await worker(d);
    await call('status', d.pidFile, true);
    await call('restart', d.pidFile, true);
    await worker(d, 2);
    await call('stop', d.pidFile, true);
    await finished(d);
  });

  test('against a daemon in its restart delay: status, restart, stop', async (t) => {
    const d = await daemon(t, { restartDelay: 60_000, minExitTime: 0 }, { W_MODE: 'exit', W_CODE: '3' });
    await logLine(d, /restart in 60000 ms/);
    await call('status', d.pidFile, true);
    await call('restart', d.pidFile, true);
    await worker(d, 2);
    await waitForDelay(d, 2);
    await call('stop', d.pidFile, true);
    await finished(d);
  });

  test('against a dead daemon (supervisor SIGKILLed): status, restart, stop', async (t) => {
    const d = await daemon(t, {}, { W_MODE: 'run' });
    const w = await worker(d);
    signal(d.spid, 'SIGKILL');
    await waitGone(d.spid);
    await waitGone(w.pid);
    await call('status', d.pidFile, true);
    await call('restart', d.pidFile, false);
    await call('stop', d.pidFile, true);
  });

  test('against a stopped daemon (never started): status, restart, stop', async () => {
    const pidFile = join(tempDir(), 'none.pid');
    await call('status', pidFile, true);
    await call('restart', pidFile, false);
    await call('stop', pidFile, true);
  });
});

/** Waits for the n-th "restart in" line of the daemon's log. */
async function waitForDelay(d: { log: string }, n: number): Promise<void> {
  await waitFor(`restart delay #${n}`, () => matching(readText(d.log), /restart in 60000 ms/).length >= n);
}

describe('a Supervisor lets its process exit once stop() resolved or ended settled', () => {
  for (const timestamps of ['0', '1']) {
    for (const which of ['stop-running', 'stop-restarting', 'stop-not-ready', 'maxcount', 'giveup']) {
      test(`${which}${timestamps === '1' ? ' (piped mode)' : ''}`, async () => {
        const { lingered } = await settleThenExit('settle-supervisor.cjs', { S_CASE: which, S_DIR: tempDir(), S_TIMESTAMPS: timestamps });
        assert.ok(lingered < EXIT_BOUND_MS, `${which}: settled, then the process lived on for ${lingered} ms`);
      });
    }
  }
});

/**
 * A client whose request meets a supervisor that ends as it arrives (it closes without an answer,
 * then its lock is released and its pid file removed) takes that as a stop that succeeded, and a
 * status as stopped. The supervisor is a stand-in that never answers (test/fixtures/mute-supervisor.ts),
 * so only the client's rule is tested here; the real supervisor's answers are in test/cli/stop-states.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, after, test } from 'node:test';
import { FIXTURES, TSX, cleanup, records, run, stopAfter, tempDir } from '../support/fixtures';
import { WaitAborted, start, waitFor, waitGone } from '../support/harness';

after(cleanup);

/** Starts the stand-in (stopped when the test ends, pass or fail) and waits until it holds the lock. */
async function muteSupervisor(t: TestContext): Promise<{ pidFile: string; pid: number; done: Promise<unknown> }> {
  const pidFile = join(tempDir(), 'app.pid');
  const proc = start(TSX, [join(FIXTURES, 'mute-supervisor.ts')], { env: { M_PID_FILE: pidFile } });
  stopAfter(t, () => [proc.pid]);
  const pid = await waitFor('the stand-in to hold the lock', () => {
    const m = /^HOLDING (\d+)$/m.exec(proc.stdout);
    if (proc.child.exitCode !== null) throw new WaitAborted(`the stand-in exited: ${proc.stderr}`);
    return m === null ? undefined : Number(m[1]);
  });
  return { pidFile, pid, done: proc.done };
}

for (const op of ['stop', 'status'] as const) {
  test(`${op}(): no answer, then the lock released and the pid file removed: the daemon is stopped`, async (t) => {
    const { pidFile, pid, done } = await muteSupervisor(t);
    const res = await run(join(FIXTURES, 'control.cjs'), [], { env: { C_OP: op, C_PID_FILE: pidFile } });
    assert.equal(res.code, 0, res.stderr);
    const [error] = records(res.stdout, 'ERROR');
    assert.equal(error, undefined, `${op} failed: ${JSON.stringify(error)}`);
    const [ok] = records<{ result: { state?: string } | null }>(res.stdout, 'RESULT');
    if (op === 'status') assert.equal(ok?.result?.state, 'stopped');
    await waitGone(pid);
    // tsx's own process around the stand-in ends after it: gone before the stray check.
    await done;
    assert.ok(!existsSync(pidFile));
  });
}

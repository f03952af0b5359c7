/**
 * Restart modes (opt-in) and the cleanup between restarts: what a worker leaves running is stopped
 * before the next start (killMode 'group', the default), or left alone (killMode 'process', Go's).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fields, finished, launch } from '../support/daemon-fixture';
import { cleanup, matching, readText, records } from '../support/fixtures';
import { isGone, signal, signalOurs, waitGone } from '../support/harness';

after(cleanup);

describe('restart modes', () => {
  test("on-failure: exit code 0 ends the supervisor with 0 and says why", async (t) => {
    const d = await launch(t, { W_MODE: 'exit', W_CODE: '0', D_FIELDS: fields({ restart: 'on-failure' }) });
    const { text, code } = await finished(d);
    assert.equal(matching(text, /worker started/).length, 1, text);
    assert.match(text, /done: the worker exited successfully and restart is on-failure/);
    assert.equal(code, 0);
  });

  test('on-failure: a failure restarts; a code in successExitCodes counts as success', async (t) => {
    const d = await launch(t, {
      W_MODE: 'script',
      W_SCRIPT: JSON.stringify({ 2: 'exit', 3: 'exit' }),
      W_CODE: '42',
      D_FIELDS: fields({ restart: 'on-failure', successExitCodes: [42], maxError: 5 }),
    });
    // Code 42 is a success here: one start only.
    const { text, code } = await finished(d);
    assert.equal(matching(text, /worker started/).length, 1, text);
    assert.equal(code, 0, text);
    const d2 = await launch(t, { W_MODE: 'exit', W_CODE: '3', D_FIELDS: fields({ restart: 'on-failure', maxError: 2 }) });
    const r2 = await finished(d2);
    assert.equal(matching(r2.text, /worker started/).length, 3, r2.text);
    assert.match(r2.text, /giving up: 3 consecutive failures exceed maxError 2/);
    assert.equal(r2.code, 1);
  });

  test('never: one run; the supervisor exits 1 after a failure', async (t) => {
    const d = await launch(t, { W_MODE: 'exit', W_CODE: '5', D_FIELDS: fields({ restart: 'never' }) });
    const { text, code } = await finished(d);
    assert.equal(matching(text, /worker started/).length, 1, text);
    assert.match(text, /done: the worker ran once \(restart never\) and failed/);
    assert.equal(code, 1);
  });
});

describe('cleanup between restarts', () => {
  test("killMode 'group' (default): a grandchild the worker left (ignoring SIGTERM) is stopped before the next start", async (t) => {
    const d = await launch(t, { W_MODE: 'leave', W_CODE: '1', D_FIELDS: fields({ maxCount: 2, minExitTime: 0, killTimeout: 400 }) });
    const { text, code } = await finished(d, 15_000);
    const workers = records<{ pid: number; detached: number }>(text, 'WORKER');
    assert.equal(workers.length, 2, text);
    const first = workers[0] as { pid: number; detached: number };
    assert.ok(isGone(first.detached));
    const lines = text.split('\n');
    const left = lines.findIndex((l) => new RegExp(`worker pid ${first.pid} left 1 process\\(es\\) running: stopping ${first.detached}$`).test(l));
    const killed = lines.findIndex((l) => new RegExp(`still running after killTimeout 400 ms: sending SIGKILL to ${first.detached}$`).test(l));
    const second = lines.findIndex((l, i) => i > 0 && /worker started: pid \d+ \(count 2\//.test(l));
    assert.ok(left >= 0 && killed > left && second > killed, `cleanup, SIGKILL, then the next start:\n${text}`);
    assert.equal(code, 0);
  });

  test("killMode 'process' (Go's): what the worker left runs on", async (t) => {
    const d = await launch(t, { W_MODE: 'leave', W_CODE: '1', D_FIELDS: fields({ maxCount: 1, killMode: 'process' }) });
    await waitGone(d.spid);
    const text = readText(d.log);
    const [w] = records<{ pid: number; detached: number }>(text, 'WORKER');
    assert.ok(w, text);
    t.after(() => signalOurs(w.detached, 'SIGKILL'));
    assert.equal(isGone(w.detached), false, 'the grandchild still runs');
    assert.doesNotMatch(text, /left \d+ process/);
    signal(w.detached, 'SIGKILL');
    // Gone before the file's after-hook looks for strays (a SIGKILL takes effect asynchronously).
    await waitGone(w.detached);
  });
});

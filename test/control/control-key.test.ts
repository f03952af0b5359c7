/**
 * The control channel as another local user would reach it: the socket is an abstract address
 * anyone on the host can connect to, so the key (in the state file only its owner can read) is the
 * only defence. A request without the key, or with a wrong one, is refused and changes nothing;
 * with the key, `status` answers and `reopen` reopens the log at its path (no client verb sends
 * it: it is the protocol's own).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { absolutePidFile, controlAddress, stateFileOf } from '../../src/control/address';
import { readState } from '../../src/control/state-file';
import { fields, finished, launch, logLine, worker } from '../support/daemon-fixture';
import { cleanup, readText, tempDir } from '../support/fixtures';
import { isGone, withTimeout } from '../support/harness';

after(cleanup);

/** Sends one line to the control socket of `pidFile` and returns the answer's first line, parsed. */
async function ask(pidFile: string, line: string): Promise<{ ok: boolean; error?: string; status?: { pid: number } }> {
  const socket = createConnection(controlAddress(absolutePidFile(pidFile)));
  socket.setEncoding('utf8');
  let text = '';
  const answered = new Promise<string>((resolve, reject) => {
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
  socket.write(`${line}\n`);
  try {
    return JSON.parse(await withTimeout(answered, 10_000, `an answer to ${line}`)) as { ok: boolean; error?: string };
  } finally {
    socket.destroy();
  }
}

test('a request with no key or a wrong key is refused and changes nothing; with the key, status and reopen work', async (t) => {
  const dir = tempDir();
  const pidFile = join(dir, 'app.pid');
  const d = await launch(t, { W_MODE: 'run', D_FIELDS: fields({ pidFile, killTimeout: 500 }) }, { log: join(dir, 'app.log') });
  const w = await worker(d);
  const state = readState(stateFileOf(pidFile));
  assert.ok(state !== undefined && state.key.length >= 16, 'the state file holds a key');
  assert.equal(statSync(stateFileOf(pidFile)).mode & 0o077, 0, 'which only its owner can read');

  const wrongSameLength = randomBytes(state.key.length).toString('hex').slice(0, state.key.length);
  const refusals = [
    JSON.stringify({ op: 'stop' }),
    JSON.stringify({ op: 'stop', key: '' }),
    JSON.stringify({ op: 'stop', key: wrongSameLength === state.key ? `${state.key}x` : wrongSameLength }),
    JSON.stringify({ op: 'stop', key: `${state.key}x` }),
    JSON.stringify({ op: 'restart', key: state.key.slice(1) }),
    JSON.stringify({ op: 'status', key: 42 }),
  ];
  for (const line of refusals) {
    assert.deepEqual(await ask(pidFile, line), { ok: false, error: 'wrong key: read it from the state file beside the pid file' }, line);
  }
  assert.deepEqual(await ask(pidFile, 'not json'), { ok: false, error: 'the request is not JSON' });
  assert.equal(isGone(d.spid), false, 'the supervisor still runs');
  assert.equal(isGone(w.pid), false, 'so does its worker, never restarted');
  assert.doesNotMatch(readText(d.log), /requested through the control channel/, 'no refused request was acted on');

  const status = await ask(pidFile, JSON.stringify({ op: 'status', key: state.key }));
  assert.equal(status.ok, true, JSON.stringify(status));
  assert.equal(status.status?.pid, d.spid);

  // reopen: the log moved away, the supervisor writes to a new file at its path.
  renameSync(d.log, `${d.log}.1`);
  assert.deepEqual(await ask(pidFile, JSON.stringify({ op: 'reopen', key: state.key })), { ok: true });
  await logLine(d, /log file reopened \(requested through the control channel\)$/);
  assert.ok(existsSync(d.log));
  assert.doesNotMatch(readText(`${d.log}.1`), /log file reopened/, 'the line went to the new file, not the moved one');

  assert.equal((await ask(pidFile, JSON.stringify({ op: 'stop', key: state.key }))).ok, true);
  const { code } = await finished(d);
  assert.equal(code, 0);
});

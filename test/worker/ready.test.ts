/**
 * ready() outside a supervisor does nothing; under systemd Type=notify (NOTIFY_SOCKET set) it runs
 * `systemd-notify --ready` (here a stand-in on PATH that records how it was called).
 */
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cleanup, readText, run, tempDir } from '../support/fixtures';
import { waitFor, waitNoTagged } from '../support/harness';

after(cleanup);

const SCRIPT = "const { ready } = require('xdaemon'); ready(); ready(); console.log('after ready');";

test('outside a supervisor, ready() is a no-op', async () => {
  const dir = tempDir();
  const script = join(dir, 'plain.cjs');
  writeFileSync(script, SCRIPT.replace("require('xdaemon')", `require(${JSON.stringify(join(__dirname, '..', '..'))})`));
  const res = await run(script, [], { env: { NOTIFY_SOCKET: undefined, XDAEMON_READY_FD: undefined } });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout, 'after ready\n');
  assert.equal(res.stderr, '');
});

test('with NOTIFY_SOCKET, ready() runs systemd-notify --ready once', async () => {
  const dir = tempDir();
  const calls = join(dir, 'calls');
  const fake = join(dir, 'systemd-notify');
  writeFileSync(fake, `#!/bin/sh\necho "$@ NOTIFY_SOCKET=$NOTIFY_SOCKET" >> ${JSON.stringify(calls)}\n`);
  chmodSync(fake, 0o755);
  const script = join(dir, 'notify.cjs');
  writeFileSync(script, SCRIPT.replace("require('xdaemon')", `require(${JSON.stringify(join(__dirname, '..', '..'))})`));
  const res = await run(script, [], { env: { NOTIFY_SOCKET: '/run/fake-notify', PATH: `${dir}:${process.env.PATH ?? ''}` } });
  assert.equal(res.code, 0, res.stderr);
  await waitFor('systemd-notify to be called', () => readText(calls) !== '');
  // Counted once every process the script started has ended (a second call would be one of them).
  await waitNoTagged(10_000);
  assert.equal(readText(calls), '--ready NOTIFY_SOCKET=/run/fake-notify\n', 'called once (ready() is idempotent)');
});

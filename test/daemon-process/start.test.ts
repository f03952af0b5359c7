/**
 * Starting the supervisor: the launcher's handshake needs no temporary directory, a long command
 * line passes (the worker's arguments are never packed into one), and the supervisor shows the
 * command as it runs, Node flags included.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DAEMON, fields, finished, launch, worker } from '../support/daemon-fixture';
import { cleanup, readText, records, tempDir } from '../support/fixtures';
import { signal } from '../support/harness';

after(cleanup);

test('a command line of 300 KB (beyond the 128 KB cap on one argument) reaches the worker byte for byte', async (t) => {
  const args = Array.from({ length: 300 }, (_, i) => `${i}:${'é'.repeat(500)}`);
  const d = await launch(t, { D_FIELDS: fields({ maxCount: 1 }) }, { args });
  const w = await worker(d);
  assert.deepEqual(w.argv, args);
  const { code } = await finished(d);
  assert.equal(code, 0);
});

for (const [what, tmpdir] of [
  ['missing', '/nonexistent/xdaemon-tmp'],
  ['not a directory', '/etc/hostname'],
] as const) {
  test(`TMPDIR ${what}: the launch does not depend on it`, async (t) => {
    const d = await launch(t, { TMPDIR: tmpdir, D_FIELDS: fields({ maxCount: 1 }) });
    await worker(d);
    const { code } = await finished(d);
    assert.equal(code, 0);
  });
}

test('the title and the log show the command as it runs, Node flags included; the log path is printed resolved', async (t) => {
  const cwd = tempDir();
  const launched = await launch(t, { W_MODE: 'run', D_FIELDS: fields({ killTimeout: 500 }) }, { nodeArgs: ['--no-warnings', '--stack-size=900'], log: 'relative.log', cwd });
  const d = { ...launched, log: join(cwd, 'relative.log') };
  await worker(d);
  const cmdline = readFileSync(`/proc/${d.spid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  assert.equal(cmdline, `xdaemon supervisor: node --no-warnings --stack-size=900 ${DAEMON}`);
  assert.match(readText(d.log), new RegExp(`supervisor started for: node --no-warnings --stack-size=900 ${DAEMON} \\(`));
  assert.match(d.stderr, new RegExp(`started supervisor \\d+ \\(log: ${d.log}\\)`), 'the resolved path');
  signal(d.spid, 'SIGTERM');
  await finished(d);
  assert.equal(records(readText(d.log), 'WORKER').length, 1);
});

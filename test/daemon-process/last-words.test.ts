/**
 * Whatever ends the supervisor, its log says why, and the worker's tree is told to stop: also a
 * signal it does not handle, which used to end it without a line.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fields, finished, launch, worker } from '../support/daemon-fixture';
import { cleanup } from '../support/fixtures';
import { isGone, signal } from '../support/harness';

after(cleanup);

for (const sig of ['SIGQUIT', 'SIGALRM'] as const) {
  test(`${sig}, which the supervisor does not handle, is recorded and the worker stops`, async (t) => {
    const d = await launch(t, { W_MODE: 'run', D_FIELDS: fields({ killTimeout: 500 }) });
    const w = await worker(d);
    signal(d.spid, sig);
    const { text } = await finished(d);
    assert.match(text, new RegExp(`xdaemon\\[${d.spid}\\] supervisor ending: received ${sig}, which it does not handle$`, 'm'), text);
    assert.ok(isGone(w.pid), 'the worker was told to stop');
  });
}

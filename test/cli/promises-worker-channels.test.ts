/**
 * What a supervisor leaves to its worker and to Node (README, "Readiness" and the shell signals):
 * no IPC channel is given to a worker that is not a pm2 `wait_ready` app (`process.send` stays
 * what the code expects: undefined), from the command line and from a fleet file; and SIGUSR1
 * stays Node's debugger signal: sent to a supervisor, it opens the inspector and neither restarts
 * nor stops anything, whether it is the host of the state directory or a supervisor of its own.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WORKER, assertCode, newHome, startDaemon, statusOf, workerRunning, xd } from '../support/cli';
import { cleanup, readText, records, tempDir } from '../support/fixtures';
import { signal, waitFor } from '../support/harness';

after(cleanup);

const NODE = process.execPath;

/** A plain app that prints what it has of an IPC channel, then runs. */
const IPC_APP = `'use strict';
console.log('IPC ' + JSON.stringify({ send: typeof process.send, channel: process.channel !== undefined, fd: process.env.NODE_CHANNEL_FD ?? null, connected: process.connected ?? null }));
setInterval(() => {}, 1 << 30);
`;

interface Ipc {
  send: string;
  channel: boolean;
  fd: string | null;
  connected: boolean | null;
}

const NONE: Ipc = { send: 'undefined', channel: false, fd: null, connected: null };

test('no IPC channel for a worker started from the command line or from a fleet file without wait_ready', async (t) => {
  const home = newHome(t);
  const dir = tempDir();
  const app = join(dir, 'app.cjs');
  writeFileSync(app, IPC_APP);
  await startDaemon(home, ['--name', 'cli', '--', NODE, app]);
  await startDaemon(home, ['--name', 'script', app]);
  writeFileSync(join(dir, 'xdaemon.config.js'), `module.exports = { apps: [{ name: 'fleet', script: ${JSON.stringify(app)} }, { name: 'forked', script: ${JSON.stringify(app)}, exec_mode: 'fork', instances: 2 }] };\n`);
  assertCode(await xd(home, ['start', join(dir, 'xdaemon.config.js')]), 0, 'start FILE');
  for (const [name, n] of [['cli', 1], ['script', 1], ['fleet', 1], ['forked', 2]] as const) {
    const { logFile } = await workerRunning(home, name);
    const seen = await waitFor(`${name}'s IPC lines`, () => {
      const lines = records<Ipc>(readText(logFile), 'IPC');
      return lines.length >= n ? lines : undefined;
    });
    for (const line of seen) assert.deepEqual(line, NONE, `${name}: no IPC channel`);
  }
});

for (const own of [false, true]) {
  test(`SIGUSR1 to ${own ? 'a supervisor of its own' : 'the host'} opens Node's inspector; the worker is neither restarted nor stopped`, async (t) => {
    const home = newHome(t);
    const spid = await startDaemon(home, ['--name', 'dbg', ...(own ? ['--own-process'] : []), '--', NODE, WORKER]);
    const before = await workerRunning(home, 'dbg');
    assert.equal(before.pid, spid);
    // The process's stderr: the host's own log, or the daemon's log for a supervisor of its own.
    const stderrFile = own ? before.logFile : join(home.dir, '.host.log');
    signal(spid, 'SIGUSR1');
    // The inspector's own words (or, were its port taken by another run, its failure to listen there).
    await waitFor("the inspector's line", () => /^(Debugger listening on ws:|Starting inspector on .* failed)/m.test(readText(stderrFile)));
    const now = await statusOf(home, 'dbg');
    assert.equal(now.status.state, 'running');
    assert.equal(now.status.pid, spid);
    assert.equal(now.status.workerPid, before.workerPid, 'the same worker');
    assert.equal(now.status.restarts, 0);
    assert.doesNotMatch(readText(before.logFile), /restart|stopping|stopped/i);
  });
}

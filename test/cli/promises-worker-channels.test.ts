/**
 * What a supervisor leaves to its worker and to Node (README, "Readiness" and the shell signals):
 * no IPC channel is given to a worker of the library's `Daemon` or `Supervisor` (`process.send`
 * stays what the code expects: undefined; cluster mode, the default of `xdaemon start` and fleet
 * files for a Node program, gives one, as pm2 does), nor to a program that is not Node; and SIGUSR1
 * stays Node's debugger signal: sent to a supervisor, it opens the inspector and neither restarts
 * nor stops anything, whether it is the host of the state directory or a supervisor of its own.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Supervisor as SupervisorClass } from '../../src/supervisor/supervisor';
import { WORKER, newHome, startDaemon, statusOf, workerRunning } from '../support/cli';
import { ROOT, cleanup, readText, records, run, tempDir } from '../support/fixtures';
import { fdTargets, signal, taggedEnv, waitFor, withTimeout } from '../support/harness';

after(cleanup);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Supervisor } = require(join(ROOT, 'dist', 'supervisor-core.js')) as { Supervisor: typeof SupervisorClass };

const NODE = process.execPath;

/** What a Node worker has of an IPC channel, appended to SIDE as `IPC {json}`. */
const IPC_LINE = `require('node:fs').appendFileSync(process.env.SIDE, 'IPC ' + JSON.stringify({ send: typeof process.send, channel: process.channel !== undefined, fd: process.env.NODE_CHANNEL_FD ?? null, connected: process.connected ?? null }) + '\\n');`;

/** A Daemon.run() program (maxCount 1) whose worker notes its IPC channel, then exits. */
const DAEMON_APP = `'use strict';
const { Daemon } = require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))});
new Daemon('', { maxCount: 1 }).run();
${IPC_LINE}
`;

interface Ipc {
  send: string;
  channel: boolean;
  fd: string | null;
  connected: boolean | null;
}

const NONE: Ipc = { send: 'undefined', channel: false, fd: null, connected: null };

test("no IPC channel for a worker of the library's Daemon or Supervisor, nor for a program that is not Node under xdaemon start", async (t) => {
  const dir = tempDir();
  const side = join(dir, 'side');
  writeFileSync(join(dir, 'daemon.cjs'), DAEMON_APP);
  writeFileSync(join(dir, 'plain.cjs'), `${IPC_LINE}\nsetInterval(() => {}, 1 << 30);\n`);
  const launched = await run(join(dir, 'daemon.cjs'), [], { env: { SIDE: side } });
  assert.equal(launched.code, 0, launched.stderr);
  const sup = new Supervisor({ command: NODE, args: [join(dir, 'plain.cjs')], env: taggedEnv({ SIDE: side }) });
  t.after(() => sup.stop());
  await sup.start();
  const seen = await waitFor('two IPC lines', () => {
    const lines = records<Ipc>(readText(side), 'IPC');
    return lines.length >= 2 ? lines : undefined;
  });
  for (const line of seen) assert.deepEqual(line, NONE, 'no IPC channel');
  await withTimeout(sup.stop(), 10_000, 'the stop');

  // A program that is not Node: no channel's descriptor in its environment, none among its descriptors.
  const home = newHome(t);
  await startDaemon(home, ['--name', 'sh', '--', 'sh', '-c', 'echo "FD ${NODE_CHANNEL_FD:-none}"; exec sleep 600']);
  const s = await workerRunning(home, 'sh');
  await waitFor('its line', () => /^FD /m.test(readText(s.logFile)));
  assert.match(readText(s.logFile), /^FD none$/m);
  // Its one socket is the readiness channel that XDAEMON_READY_FD names.
  const readyFd = /(?:^|\0)XDAEMON_READY_FD=(\d+)\0/.exec(readText(`/proc/${s.workerPid}/environ`))?.[1];
  const sockets = fdTargets(s.workerPid as number).filter((f) => f.includes('socket:'));
  assert.deepEqual(sockets.map((f) => f.split(' ')[0]), [readyFd], `no other socket: ${sockets.join(', ')}`);
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

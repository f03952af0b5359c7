/**
 * `status` and `list` (README, "The `xdaemon` command" and "Speed"): they load neither the
 * launcher nor `child_process`, and wake no supervisor — they read the state files the supervisors
 * keep current, and connect to no control socket. Checked from inside the command: a preload notes
 * the built-in modules loaded, the files required and every socket connection attempted.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI, WORKER, assertCode, newHome, startDaemon, workerRunning } from '../support/cli';
import { ROOT, cleanup, readText, tempDir } from '../support/fixtures';
import { runToEnd } from '../support/harness';

after(cleanup);

const NODE = process.execPath;

/** The preload: what the process loaded and connected to, written to PROBE_OUT at its exit. */
const PROBE = `'use strict';
const net = require('node:net');
const connects = [];
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const to = args[0];
  connects.push(typeof to === 'object' && to !== null ? String(to.path ?? to.port) : String(to));
  return connect.apply(this, args);
};
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  require('node:fs').writeFileSync(process.env.PROBE_OUT, JSON.stringify({ builtins, files: Object.keys(require.cache), connects }));
});
`;

interface Probe {
  builtins: string[];
  files: string[];
  connects: string[];
}

test('status and list load neither the launcher nor child_process, and connect to no supervisor', async (t) => {
  const home = newHome(t);
  const dir = tempDir();
  const probe = join(dir, 'probe.cjs');
  writeFileSync(probe, PROBE);
  const spids = [await startDaemon(home, ['--name', 'a', '--', NODE, WORKER]), await startDaemon(home, ['--name', 'b', '--', NODE, WORKER])];
  const workers = [(await workerRunning(home, 'a')).workerPid, (await workerRunning(home, 'b')).workerPid];
  for (const verb of [['status'], ['list'], ['list', '--json']]) {
    const out = join(dir, `${verb.join('')}.json`);
    const exit = await runToEnd(NODE, ['--require', probe, CLI, ...verb], { env: { ...home.env, PROBE_OUT: out }, cwd: ROOT });
    assertCode(exit, 0, verb.join(' '));
    // It did report the two daemons, as running, with their pids.
    for (const pid of [...spids, ...workers]) assert.match(exit.stdout, new RegExp(`\\b${pid}\\b`), `${verb.join(' ')} names pid ${pid}`);
    assert.doesNotMatch(exit.stdout, /dead|stopped|unresponsive/, verb.join(' '));
    const seen = JSON.parse(readText(out)) as Probe;
    assert.ok(seen.builtins.includes('fs'), 'the probe saw the built-ins');
    assert.ok(!seen.builtins.includes('child_process'), `${verb.join(' ')} loaded child_process`);
    const bundles = seen.files.filter((f) => f.startsWith(join(ROOT, 'dist'))).map((f) => f.slice(ROOT.length + 1));
    assert.ok(bundles.includes('dist/cli.js'), `the probe saw the files: ${bundles.join(', ')}`);
    for (const heavy of ['dist/launcher.js', 'dist/supervisor-core.js', 'dist/service.js']) assert.ok(!bundles.includes(heavy), `${verb.join(' ')} loaded ${heavy}`);
    assert.deepEqual(seen.connects, [], `${verb.join(' ')} connected to a supervisor`);
  }
});

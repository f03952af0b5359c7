/**
 * Env files end to end: a worker gets the file's variables under `--env` (which wins) and over the
 * inherited environment; a restart takes the file's current content; the values never reach the
 * state directory (records, pid and state files, the supervisor's own lines in the log); a file
 * that cannot be read is refused before anything starts, naming it (exit 2); a worker argument
 * `--env-file` (which Node acts on before `--`: nodejs/node#54232) does not stop its supervisor.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { assertCode, newHome, startDaemon, waitForAsync, workerRunning, xd } from '../support/cli';
import { cleanup, tempDir } from '../support/fixtures';

after(cleanup);

const PRINT = "console.log('ENV ' + JSON.stringify({ a: process.env.A_SECRET, b: process.env.B, c: process.env.C_SHELL })); setInterval(() => {}, 1000)";

/** Every file of the state directory but the logs, as text. */
const stateFiles = (dir: string): string => readdirSync(dir).filter((f) => !f.endsWith('.log')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');

test("a restart takes the file's current content; --env wins over it, it wins over the inherited environment; its values are never stored", async (t) => {
  const home = newHome(t);
  const dir = tempDir();
  const file = join(dir, '.env');
  writeFileSync(file, 'export A_SECRET="first-value-7f3a"\nB=from-file\nC_SHELL=from-file # a comment\n');
  await startDaemon(home, ['--name', 'e', '--env-file', file, '--env', 'B=from-flag', '--', process.execPath, '-e', PRINT], { env: { C_SHELL: 'from-shell' } });
  const seen = (n: number) =>
    waitForAsync(`${n} ENV lines`, async () => {
      const lines = (await xd(home, ['logs', 'e', '-n', '100'])).stdout.split('\n').filter((l) => l.startsWith('ENV '));
      return lines.length >= n ? lines.map((l) => JSON.parse(l.slice(4)) as Record<string, string>) : undefined;
    });
  assert.deepEqual((await seen(1))[0], { a: 'first-value-7f3a', b: 'from-flag', c: 'from-file' });
  const first = await workerRunning(home, 'e');
  writeFileSync(file, 'A_SECRET=second-value-9c1d\n');
  assertCode(await xd(home, ['restart', 'e']), 0);
  await workerRunning(home, 'e', first.workerPid);
  assert.deepEqual((await seen(2))[1], { a: 'second-value-9c1d', b: 'from-flag', c: 'from-shell' }, 'read afresh: C_SHELL left the file');
  const stored = stateFiles(home.dir);
  assert.match(stored, new RegExp(file.replace(/[.]/g, '\\.')), 'the path is recorded');
  for (const value of ['first-value-7f3a', 'second-value-9c1d']) assert.ok(!stored.includes(value), `${value} is not in the state directory`);
  const supervisorLines = (await xd(home, ['logs', 'e', '-n', '100'])).stdout.split('\n').filter((l) => / xdaemon\[\d+\] /.test(l));
  for (const value of ['first-value-7f3a', 'second-value-9c1d']) assert.ok(!supervisorLines.join('\n').includes(value), `${value} is not in the supervisor's lines`);
});

test('a file that cannot be read: exit 2 naming it, nothing started (a fleet file: naming the app and the key)', async (t) => {
  const home = newHome(t);
  const dir = tempDir();
  const fleet = join(dir, 'xdaemon.config.js');
  writeFileSync(fleet, `module.exports = { apps: [{ name: 'web', command: ${JSON.stringify(process.execPath)}, args: ['-e', '1'], cwd: ${JSON.stringify(dir)}, envFile: 'missing.env' }] };\n`);
  const exit = await xd(home, ['start', fleet]);
  assertCode(exit, 2);
  assert.equal(exit.stderr, `xdaemon: ${fleet}: app web: env file ${join(dir, 'missing.env')} does not exist\n`);
  // A folder gets past Node's own look at an --env-file on the command line: xdaemon's line, exit 2.
  const folder = await xd(home, ['start', '--name', 'x', '--env-file=' + dir, '--', process.execPath, '-e', '1']);
  if (folder.code !== 9) {
    assertCode(folder, 2);
    assert.equal(folder.stderr, `xdaemon: env file ${dir} is not a file\n`);
  }
  assert.equal((await xd(home, ['list', '--json'])).stdout, '[]\n', 'nothing started');
});

test("a worker argument --env-file naming no file: Node acts on it before `--`, and it no longer stops the worker's supervisor", async (t) => {
  const home = newHome(t);
  await startDaemon(home, ['--name', 'w', '--', process.execPath, '-e', 'setInterval(() => {}, 1000)', '--', '--env-file', 'no-such.env']);
  await startDaemon(home, ['--name', 'sh', '--', 'sh', '-c', 'sleep 100', '--env-file', 'no-such.env']);
  for (const name of ['w', 'sh']) assert.ok((await workerRunning(home, name)).workerPid);
});

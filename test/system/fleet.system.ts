/**
 * Fleets under a real systemd: `install FILE` installs a service per app with its `listen` as a
 * socket unit (an address given as a string too), and `uninstall FILE` removes them all;
 * `startup` + `save` + a reboot (the manager stopped, a fresh one started on the same home) brings
 * the saved daemons back with their settings, and `unstartup` removes the startup service while
 * the daemons that run go on.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { type StatusJson, assertCode } from '../support/cli';
import { cleanup, tempDir } from '../support/fixtures';
import { freePort, isGone } from '../support/harness';
import { NODE, SYSTEM_FIXTURES, type Sandbox, body, get, openSandbox, systemTest, unitState, until } from './sandbox';

after(cleanup);

const WEB = join(SYSTEM_FIXTURES, 'web.cjs');

systemTest('install FILE: a service per app, listen as socket units (a string too); uninstall FILE removes them', async (t) => {
  const sb = await openSandbox(t);
  const [api, admin, worker, f1, f2, f3] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const dir = tempDir();
  const file = join(dir, 'xdaemon.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      apps: [
        { name: 'api', command: NODE, args: [WEB, `handle:http:${f1}`, `handle:admin:${f2}`], listen: [`http=127.0.0.1:${api}`, `admin=127.0.0.1:${admin}`], killTimeout: 3000, maxMemory: '512M' },
        { name: 'worker', command: NODE, args: [WEB, `handle::${f3}`], listen: `127.0.0.1:${worker}` },
      ],
    }),
  );
  const installed = await sb.xd(['install', file, '--user'], { cwd: dir });
  assertCode(installed, 0);
  assert.match(installed.stderr, /app api: maxMemory is not carried out by a service manager/);
  assert.deepEqual(installed.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[0]), ['installed api', 'installed worker']);
  const units = (): string[] => readdirSync(sb.unitDir).filter((f) => /\.(service|socket)$/.test(f)).sort();
  assert.deepEqual(units(), ['api-admin.socket', 'api-http.socket', 'api.service', 'worker.service', 'worker.socket']);

  assertCode(await sb.xd(['start', 'api']), 0);
  assertCode(await sb.xd(['start', 'worker']), 0);
  const pidOf = async (unit: string): Promise<number> => Number((await unitState(sb, unit, (p) => p.ActiveState === 'active' && p.MainPID !== '0')).MainPID);
  const [apiPid, workerPid] = [await pidOf('api.service'), await pidOf('worker.service')];
  assert.equal(await until('api on http', () => body(api)), `http ${apiPid}\n`);
  assert.equal(await until('api on admin', () => body(admin)), `admin ${apiPid}\n`);
  // The worker's one socket, given as a string in the file.
  assert.equal(await until('the worker', () => body(worker)), `fd ${workerPid}\n`);

  const removed = await sb.xd(['uninstall', file], { cwd: dir });
  assertCode(removed, 0);
  assert.deepEqual(removed.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[0]), ['uninstalled api', 'uninstalled worker']);
  assert.deepEqual(units(), []);
  assert.ok(isGone(apiPid) && isGone(workerPid), 'their processes are stopped');
  for (const port of [api, admin, worker]) assert.ok('error' in (await get(port, '/', 1000)), `nothing listens on ${port}`);
  const again = await sb.xd(['uninstall', file], { cwd: dir });
  assertCode(again, 0);
  assert.equal(again.stdout, 'api was not installed\nworker was not installed\n');
});

/** `status --json NAME` inside. */
async function statusJson(sb: Sandbox, name: string): Promise<StatusJson & { workerPid?: number }> {
  const exit = await sb.xd(['status', '--json', name]);
  return JSON.parse(exit.stdout) as StatusJson;
}

systemTest('startup + save + reboot: the saved daemons come back with their settings; unstartup leaves them running', async (t) => {
  const sb = await openSandbox(t);
  const [a, b] = [await freePort(), await freePort()];
  assertCode(await sb.xd(['start', '--name', 'a', '--restart-delay', '250', '--env', 'GREETING=hi', '--', NODE, WEB, `port:${a}`]), 0);
  assertCode(await sb.xd(['start', '--name', 'b', '--listen', `127.0.0.1:${b}`, '--', NODE, WEB, `port:${b}`]), 0);
  assertCode(await sb.xd(['save']), 0);
  const installed = await sb.xd(['startup', '--user']);
  assertCode(installed, 0);
  assert.match(installed.stdout, /^installed xdaemon-resurrect: .* at login it runs xdaemon resurrect/);

  await sb.reboot();
  // At login the manager starts default.target, which wants the startup service: it resurrects.
  await unitState(sb, 'xdaemon-resurrect.service', (p) => p.ActiveState === 'active', 30_000);
  const back = await until('both daemons back', async () => {
    const [sa, sbb] = [await statusJson(sb, 'a'), await statusJson(sb, 'b')];
    return sa.state === 'running' && sbb.state === 'running' && sa.workerPid !== undefined && sbb.workerPid !== undefined ? { sa, sbb } : undefined;
  });
  assert.equal(await until('a answers', () => body(a)), `${a} ${back.sa.workerPid}\n`);
  assert.equal(await until('b answers', () => body(b)), `${b} ${back.sbb.workerPid}\n`);
  const record = JSON.parse((await sb.run('cat', [join(sb.stateDir, 'a.json')])).stdout) as { env: Record<string, string>; settings: Record<string, unknown> };
  assert.deepEqual([record.env, record.settings.restartDelay], [{ GREETING: 'hi' }, 250], 'a came back with its settings');

  const removed = await sb.xd(['unstartup']);
  assertCode(removed, 0);
  assert.match(removed.stdout, /^uninstalled xdaemon-resurrect: removed .* \(the daemons that run go on/);
  assert.ok(!existsSync(join(sb.unitDir, 'xdaemon-resurrect.service')));
  for (const name of ['a', 'b']) assert.equal((await statusJson(sb, name)).state, 'running', `${name} still runs after unstartup`);
  assert.equal(await until('a still answers', () => body(a)), `${a} ${back.sa.workerPid}\n`);
}, 180_000);

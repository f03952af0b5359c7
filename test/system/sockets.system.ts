/**
 * Socket activation of installed services under a real systemd: one address and several named
 * ones (each socket reaches the app under its own name), an unchanged `listen(port)` server under
 * `xdaemon run` (the sockets systemd passes are mapped to their ports), and restarts under a
 * bounded loopback load with no failed request (systemd holds the sockets across them).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { CLI, assertCode } from '../support/cli';
import { cleanup } from '../support/fixtures';
import { freePort } from '../support/harness';
import { NODE, SYSTEM_FIXTURES, type Sandbox, body, get, openSandbox, systemTest, unitState, until } from './sandbox';

after(cleanup);

const WEB = join(SYSTEM_FIXTURES, 'web.cjs');

/** The main pid of an active unit. */
async function mainPid(sb: Sandbox, unit: string): Promise<number> {
  return Number((await unitState(sb, unit, (p) => p.ActiveState === 'active' && p.MainPID !== '0')).MainPID);
}

systemTest('one address: the socket unit holds it, the first connection starts the service, which gets it by name', async (t) => {
  const sb = await openSandbox(t);
  const [port, fallback] = [await freePort(), await freePort()];
  assertCode(await sb.xd(['install', '--user', '--name', 'one', '--listen', `http=127.0.0.1:${port}`, '--', NODE, WEB, `handle:http:${fallback}`]), 0);
  assertCode(await sb.systemctl('start', 'one.socket'), 0);
  assert.equal((await sb.show('one.service')).ActiveState, 'inactive', 'nothing started before a connection');
  const answer = await until('an answer through the socket unit', () => body(port));
  assert.equal(answer, `http ${await mainPid(sb, 'one.service')}\n`);
  assertCode(await sb.xd(['uninstall', 'one']), 0);
  assert.ok(!existsSync(join(sb.unitDir, 'one.socket')), 'the socket unit is removed with the service');
  assert.ok('error' in (await get(port, '/', 1000)), 'nothing listens on the port any more');
});

systemTest('several named addresses: each reaches the app under its own name (one socket unit each)', async (t) => {
  const sb = await openSandbox(t);
  const [http, admin, f1, f2] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const installed = await sb.xd(['install', '--user', '--name', 'two', '--listen', `http=127.0.0.1:${http}`, '--listen', `admin=127.0.0.1:${admin}`, '--', NODE, WEB, `handle:http:${f1}`, `handle:admin:${f2}`]);
  assertCode(installed, 0);
  assertCode(await sb.systemctl('start', 'two.service'), 0);
  const pid = await mainPid(sb, 'two.service');
  assert.deepEqual([await get(http, '/', 5000), await get(admin, '/', 5000)], [
    { status: 200, body: `http ${pid}\n` },
    { status: 200, body: `admin ${pid}\n` },
  ]);
  assertCode(await sb.xd(['uninstall', 'two']), 0);
  assert.deepEqual(
    (await sb.run('sh', ['-c', `ls ${sb.unitDir}`])).stdout.split('\n').filter((f) => f.startsWith('two')),
    [],
    'every unit of it is removed',
  );
});

systemTest('xdaemon run under socket activation: an unchanged listen(port) server gets the socket of its port', async (t) => {
  const sb = await openSandbox(t);
  const [a, b] = [await freePort(), await freePort()];
  // The service runs xdaemon's own supervisor, which takes the sockets and passes them on.
  const installed = await sb.xd(['install', '--user', '--name', 'sup', '--listen', `127.0.0.1:${a}`, '--listen', `127.0.0.1:${b}`, '--', NODE, CLI, 'run', '--', NODE, WEB, `port:${b}`, `port:${a}`]);
  assertCode(installed, 0);
  assertCode(await sb.systemctl('start', 'sup.service'), 0);
  const [onA, onB] = [await until(`an answer on ${a}`, () => body(a)), await until(`an answer on ${b}`, () => body(b))];
  assert.match(onA, new RegExp(`^${a} \\d+\\n$`));
  assert.equal(onB.split(' ')[1], onA.split(' ')[1], 'one worker serves both');
  const p = await sb.show('sup.service');
  assert.equal(p.NRestarts, '0', 'no crash loop');
});

systemTest('two restarts of a socket-activated service under a bounded loopback load: no request fails', async (t) => {
  const sb = await openSandbox(t);
  const [port, fallback] = [await freePort(), await freePort()];
  assertCode(await sb.xd(['install', '--user', '--name', 'load', '--listen', `http=127.0.0.1:${port}`, '--', NODE, WEB, `handle:http:${fallback}`]), 0);
  assertCode(await sb.systemctl('start', 'load.service'), 0);
  const first = await mainPid(sb, 'load.service');
  await until('an answer', () => body(port));
  let ok = 0;
  const failures: string[] = [];
  let running = true;
  // Four clients, each one request at a time on a new connection, for as long as the restarts take.
  const clients = Array.from({ length: 4 }, async () => {
    while (running) {
      const a = await get(port, '/', 10_000);
      if ('body' in a && a.status === 200) ok++;
      else failures.push('error' in a ? a.error : `status ${a.status}`);
    }
  });
  const pids = [first];
  for (let i = 0; i < 2; i++) {
    await until('some requests served', async () => ok > 50 * (i + 1));
    assertCode(await sb.systemctl('restart', 'load.service'), 0);
    pids.push(await mainPid(sb, 'load.service'));
  }
  await until('requests served after the restarts', async () => ok > 150);
  running = false;
  await Promise.all(clients);
  assert.equal(new Set(pids).size, 3, `three processes served: ${pids.join(', ')}`);
  assert.deepEqual(failures, [], `${failures.length} of ${ok + failures.length} requests failed`);
});

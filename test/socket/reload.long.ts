/**
 * Held sockets, instances and reload, end to end through `xdaemon` with real processes and real
 * loopback sockets: requests keep being answered (200, nothing refused or reset) while the
 * workers are replaced one by one; a replacement that dies or is never ready leaves the old worker
 * serving; a non-Node server takes its socket by systemd's protocol; a bind conflict is a failed
 * start; instances are numbered and restarted on their own; a worker's children get neither the
 * sockets nor the variables.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI, type Home, assertCode, newHome, startDaemon, statusOf, waitForAsync, xd } from '../support/cli';
import { FIXTURES, ROOT, cleanup, tempDir } from '../support/fixtures';
import { TAG, TAG_VAR, freePort, isGone, runToEnd, signal, start, waitFor, waitGone } from '../support/harness';
import { clientLoop, get } from '../support/http-load';
import { findCommand, requireTool } from '../support/tools';

after(cleanup);

const NODE = process.execPath;
const SERVER = join(FIXTURES, 'http-server.cjs');
const PY_SERVER = join(FIXTURES, 'fd-server.py');

interface InstanceJson {
  instance: number;
  workerPid?: number;
  ready: boolean;
  restarting: boolean;
  starts: number;
  reloads: number;
  errors: number;
}
type Status = Awaited<ReturnType<typeof statusOf>>['status'] & { instances?: InstanceJson[]; reloads?: number; listen?: { name: string; address: string }[] };

async function statusNow(home: Home, name: string): Promise<Status> {
  return (await statusOf(home, name)).status as Status;
}

/** Waits until every one of `n` instances has a ready worker; returns the status. */
function allReady(home: Home, name: string, n: number): Promise<Status> {
  return waitForAsync(`${n} ready instances of ${name}`, async () => {
    const s = await statusNow(home, name);
    return s.instances?.length === n && s.instances.every((i) => i.ready && i.workerPid !== undefined) ? s : undefined;
  });
}

/** Reloads `times` times while a client loop runs with and without keep-alive; every answer must be a 200. */
async function reloadsUnderLoad(home: Home, name: string, port: number, times: number): Promise<void> {
  for (const keepAlive of [true, false]) {
    let reloading = true;
    const loop = clientLoop(port, keepAlive, () => !reloading);
    try {
      for (let i = 0; i < times / 2; i++) assertCode(await xd(home, ['reload', name]), 0, `reload ${i + 1} (keep-alive ${keepAlive})`);
    } finally {
      reloading = false;
    }
    const tally = await loop;
    assert.deepEqual(tally.failures, [], `keep-alive ${keepAlive}: failed requests (${tally.ok} answered)`);
    assert.ok(tally.ok > 0, 'the loop made requests');
  }
}

describe('held sockets and reload', () => {
  for (const mode of ['handle', 'plain'] as const) {
    test(`${mode === 'handle' ? 'listenHandle()' : 'an unchanged listen(PORT)'}: --instances 2, 10 reloads under a client loop, every request answered`, async (t) => {
      const home = newHome(t);
      const port = await freePort();
      const listen = mode === 'handle' ? `http=127.0.0.1:${port}` : `127.0.0.1:${port}`;
      await startDaemon(home, ['--name', 'web', '--listen', listen, '--instances', '2', '--wait-ready', '10000', '--env', `PORT=${port}`, '--', NODE, SERVER, mode]);
      const before = await allReady(home, 'web', 2);
      assert.deepEqual(before.instances?.map((i) => i.instance), [0, 1]);
      assert.deepEqual(before.listen, [{ name: mode === 'handle' ? 'http' : 'listen0', address: `127.0.0.1:${port}` }]);
      const oldPids = before.instances?.map((i) => i.workerPid as number) ?? [];

      await reloadsUnderLoad(home, 'web', port, 10);

      const afterwards = await statusNow(home, 'web');
      assert.equal(afterwards.state, 'running');
      assert.equal(afterwards.reloads, 20, 'each of 10 reloads replaced 2 workers');
      assert.equal(afterwards.starts, 2, 'a reload is not a start');
      assert.equal(afterwards.errors, 0, 'nor a failure');
      for (const pid of oldPids) assert.ok(isGone(pid), `old worker ${pid} is gone`);
      const log = (await xd(home, ['logs', 'web', '-n', '1000'])).stdout;
      const swaps = [...log.matchAll(/reload: instance \d: new pid (\d+) ready after \d+\.\d+ s; old pid (\d+) stopped/g)];
      assert.equal(swaps.length, 20, log);
      for (const [, newPid, oldPid] of swaps) {
        const ready = log.indexOf(`worker ready: pid ${newPid} `);
        const gone = log.indexOf(`worker exited: pid ${oldPid} `);
        assert.ok(ready >= 0 && gone > ready, `old pid ${oldPid} was stopped only after new pid ${newPid} was ready`);
      }
    });
  }

  test('a replacement that exits at once, or never calls ready(): reload fails naming the instance, the old worker serves throughout', async (t) => {
    const home = newHome(t);
    const port = await freePort();
    const mark = join(tempDir(), 'fail');
    await startDaemon(home, ['--name', 'web', '--listen', `http=127.0.0.1:${port}`, '--wait-ready', '1500', '--env', `W_FAIL=${mark}`, '--', NODE, SERVER, 'handle']);
    const before = await allReady(home, 'web', 1);
    const oldPid = before.workerPid as number;
    for (const [fail, why] of [
      ['exit', /instance 0: the replacement pid \d+ exited with code 3 before it was ready; the old worker pid \d+ keeps running/],
      ['silent', /instance 0: the replacement pid \d+ did not call ready\(\) within 1500 ms; the old worker pid \d+ keeps running/],
    ] as const) {
      writeFileSync(mark, fail);
      let reloading = true;
      const loop = clientLoop(port, true, () => !reloading);
      const reload = await xd(home, ['reload', 'web']);
      reloading = false;
      assertCode(reload, 1, `reload with a replacement that does "${fail}"`);
      assert.match(reload.stderr, why);
      assert.equal(reload.stderr.trim().split('\n').length, 1, 'one line');
      const tally = await loop;
      assert.deepEqual(tally.failures, []);
      assert.deepEqual([...tally.bodies], [`0 ${oldPid}`], 'only the old worker answered');
      const s = await statusNow(home, 'web');
      assert.deepEqual([s.workerPid, s.starts, s.errors, s.reloads], [oldPid, 1, 0, 0], 'the old worker stays; no start, failure or reload counted');
    }
  });

  test('a stop during a reload stops the old worker and its replacement; reload(pidFile) leaves nothing pending in its caller', async (t) => {
    const home = newHome(t);
    const port = await freePort();
    const mark = join(tempDir(), 'fail');
    await startDaemon(home, ['--name', 'web', '--listen', `http=127.0.0.1:${port}`, '--wait-ready', '20000', '--env', `W_FAIL=${mark}`, '--', NODE, SERVER, 'handle']);
    const oldPid = (await allReady(home, 'web', 1)).workerPid as number;
    writeFileSync(mark, 'silent');
    const pidFile = join(home.dir, 'web.pid');
    // The library's reload() from a plain node process, which must exit by itself once it settled.
    const script = `require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))}).reload(${JSON.stringify(pidFile)}).then(() => console.log('RELOADED'), (e) => console.log('FAILED ' + e.message))`;
    const reloading = runToEnd(NODE, ['-e', script], { timeout: 30_000 });
    const newPid = await waitForAsync('the replacement', async () => {
      const m = /reload: instance 0: new pid (\d+) started beside old pid/.exec((await xd(home, ['logs', 'web', '-n', '50'])).stdout);
      return m === null ? undefined : Number(m[1]);
    });
    assertCode(await xd(home, ['stop', 'web']), 0);
    assert.ok(isGone(oldPid) && isGone(newPid), 'the old worker and the replacement are gone');
    const result = await reloading;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^FAILED .*(stopping|stopped)/m);
  });

  test('a non-Node server (python3) takes fd 3 by LISTEN_FDS and LISTEN_PID, and reloads', async (t) => {
    if (!requireTool(t, findCommand('python3'), 'python3', 'Debian: apt-get install python3')) return;
    const home = newHome(t);
    const port = await freePort();
    await startDaemon(home, ['--name', 'py', '--listen', `web=127.0.0.1:${port}`, '--wait-ready', '10000', '--', 'python3', PY_SERVER]);
    const first = await get(port, false);
    assert.ok('body' in first, JSON.stringify(first));
    const before = await statusNow(home, 'py');
    assert.equal(first.body, `py ${before.workerPid} web\n`, 'LISTEN_PID was its own pid, LISTEN_FDNAMES its name');
    assertCode(await xd(home, ['reload', 'py']), 0);
    const second = await get(port, false);
    const now = await statusNow(home, 'py');
    assert.notEqual(now.workerPid, before.workerPid);
    assert.ok('body' in second && second.body === `py ${now.workerPid} web\n`, JSON.stringify(second));
  });

  test('under systemd socket activation (systemd-socket-activate) the supervisor passes its own socket on', async (t) => {
    if (!requireTool(t, findCommand('systemd-socket-activate'), 'systemd-socket-activate', 'Debian: apt-get install systemd')) return;
    const home = newHome(t);
    const port = await freePort();
    // It passes its children only the variables it is told to.
    const pass = ['XDAEMON_HOME', TAG_VAR, 'PATH', 'HOME'].map((name) => `--setenv=${name}=${{ ...process.env, ...home.env, [TAG_VAR]: TAG }[name] ?? ''}`);
    const activator = start('systemd-socket-activate', ['-l', `127.0.0.1:${port}`, '--fdname=http', ...pass, NODE, CLI, 'run', '--name', 'act', '--wait-ready', '10000', '--', NODE, SERVER, 'handle'], {
      env: home.env,
    });
    // By its handle, only while it runs: a reaped pid may be another process's by now.
    t.after(() => void (activator.child.exitCode === null && activator.child.signalCode === null && activator.child.kill('SIGTERM')));
    await waitFor('systemd-socket-activate listening', () => activator.stderr.includes('Listening on'));
    // The first connection makes it exec `xdaemon run` with the socket as fd 3 and LISTEN_PID its pid.
    const answer = await get(port, false);
    assert.ok('body' in answer, JSON.stringify(answer));
    const s = await statusNow(home, 'act');
    assert.equal(s.pid, activator.pid, 'the supervisor is the activated process itself');
    assert.equal(answer.body, `0 ${s.workerPid}\n`);
    assert.deepEqual(s.listen, [{ name: 'http', address: `127.0.0.1:${port} (systemd)` }], 'the socket received, with the address it listens on');
    assertCode(await xd(home, ['reload', 'act']), 0);
    const again = await get(port, false);
    assert.ok('body' in again && again.body !== answer.body, JSON.stringify(again));
  });

  test('a unix socket: mode 0660, served, reloaded without waitReady (reloadGrace), removed at exit', async (t) => {
    const home = newHome(t);
    const path = join(tempDir(), 'web.sock');
    await startDaemon(home, ['--name', 'web', '--listen', `http=unix:${path}`, '--reload-grace', '300', '--', NODE, SERVER, 'handle']);
    assert.equal(statSync(path).mode & 0o777, 0o660);
    const ask = (): Promise<string> =>
      new Promise((resolve, reject) => {
        http.get({ socketPath: path, path: '/', agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
    const first = await waitForAsync('an answer on the unix socket', () => ask().catch(() => undefined));
    assertCode(await xd(home, ['reload', 'web']), 0);
    const second = await ask();
    assert.notEqual(second, first, 'a new worker answers');
    assert.equal((await statusNow(home, 'web')).reloads, 1);
    assertCode(await xd(home, ['stop', 'web']), 0);
    assert.ok(!existsSync(path), 'the socket file is removed');
  });

  test('a port in use: start fails naming the address and EADDRINUSE, exit 1, nothing left running', async (t) => {
    const home = newHome(t);
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    t.after(() => void taken.close());
    const { port } = taken.address() as net.AddressInfo;
    const exit = await xd(home, ['start', '--name', 'web', '--listen', `127.0.0.1:${port}`, '--', NODE, SERVER, 'handle']);
    assertCode(exit, 1);
    assert.match(exit.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE`));
    const s = await statusNow(home, 'web');
    assert.equal(s.state, 'errored', 'its supervisor gave up: the address could not be bound');
  });

  test('4 instances get distinct numbers; killing one restarts only that one', async (t) => {
    const home = newHome(t);
    await startDaemon(home, ['--name', 'q', '--instances', '4', '--wait-ready', '10000', '--min-exit-time', '0', '--', NODE, SERVER, 'idle']);
    const before = await allReady(home, 'q', 4);
    const pids = before.instances?.map((i) => i.workerPid as number) ?? [];
    assert.equal(new Set(pids).size, 4);
    const env = (pid: number): string => readFileSync(`/proc/${pid}/environ`, 'latin1');
    assert.deepEqual(pids.map((pid) => /(?:^|\0)XDAEMON_INSTANCE=(\d+)\0/.exec(env(pid))?.[1]), ['0', '1', '2', '3']);
    assert.deepEqual(pids.map((pid) => /(?:^|\0)NODE_APP_INSTANCE=(\d+)\0/.exec(env(pid))?.[1]), ['0', '1', '2', '3']);
    signal(pids[2] as number, 'SIGKILL');
    await waitGone(pids[2] as number);
    const after2 = await waitForAsync('instance 2 back', async () => {
      const s = await statusNow(home, 'q');
      const i2 = s.instances?.[2];
      return i2?.ready === true && i2.workerPid !== pids[2] ? s : undefined;
    });
    assert.deepEqual(after2.instances?.map((i) => i.starts), [1, 1, 2, 1]);
    assert.deepEqual([0, 1, 3].map((i) => after2.instances?.[i]?.workerPid), [pids[0], pids[1], pids[3]], 'the others were not touched');
    const list = (await xd(home, ['list'])).stdout;
    assert.match(list, new RegExp(`^ +q\\[2\\] +ready +${after2.instances?.[2]?.workerPid} `, 'm'));
  });

  test("a worker's children inherit neither the sockets nor the LISTEN_* variables", async (t) => {
    const home = newHome(t);
    const port = await freePort();
    await startDaemon(home, ['--name', 'web', '--listen', `http=127.0.0.1:${port}`, '--wait-ready', '10000', '--', NODE, SERVER, 'handle']);
    await allReady(home, 'web', 1);
    const answer = await get(port, false, '/child');
    assert.ok('body' in answer, JSON.stringify(answer));
    const { own, child } = JSON.parse(answer.body) as { own: string; child: string };
    assert.match(own, /^socket:\[\d+\]$/, "the worker's fd 3 is the socket");
    assert.ok(!child.split('\n').includes(own), `the child holds the socket:\n${child}`);
    assert.doesNotMatch(child, /^LISTEN_/m);
  });

  test('bad listen addresses and instances are usage errors', async () => {
    const home = newHome();
    for (const [args, why] of [
      [['--listen', '70000'], /listen address "70000": the port must be a number from 1 to 65535/],
      [['--listen', '::1:80'], /write an IPv6 address as \[ADDR\]:PORT/],
      [['--listen', 'unix:rel.sock'], /must be absolute/],
      [['--listen', 'a=1', '--listen', 'a=2'], /the name "a" is given twice/],
      [['--instances', '2.5'], /--instances must be a whole number/],
      [['--instances', 'many'], /--instances must be a whole number/],
    ] as const) {
      const exit = await xd(home, ['start', '--name', 'x', ...args, '--', NODE, SERVER]);
      assertCode(exit, 2, args.join(' '));
      assert.match(exit.stderr, why);
    }
  });
});


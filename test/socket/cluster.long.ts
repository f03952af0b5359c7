/**
 * Cluster mode end to end through `xdaemon`, as a pm2 user runs an app: `start app.js -i 4` of an
 * app whose code listens on a port of its own (no --listen), no SIGTERM handler, no ready(). Its
 * four instances share the one socket the supervisor binds on their first listen(), every reload
 * replaces them one by one (each replacement's listen() is its readiness) and drains each old
 * worker before it is stopped, so that ten reloads in a row under load fail no request; listen(0)
 * and unix paths as under Node's cluster; pm2's process.send('ready'), increment_var and
 * instance_var; the spare keeps working with the IPC channel; what cannot work is refused.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Home, assertCode, newHome, statusOf, waitForAsync, xd } from '../support/cli';
import { FIXTURES, cleanup, tempDir } from '../support/fixtures';
import { freePort, isGone, signal, waitGone } from '../support/harness';
import { clientLoop, get } from '../support/http-load';

after(cleanup);

// Started as pm2 users do, by its name in its folder (`xdaemon start app.js`).
const APP = 'cluster-app.cjs';
const IN_FIXTURES = { cwd: FIXTURES };

interface Instance {
  instance: number;
  workerPid?: number;
  ready: boolean;
  starts: number;
  reloads: number;
}
type Status = Awaited<ReturnType<typeof statusOf>>['status'] & { instances?: Instance[]; reloads?: number; listen?: { name: string; address: string }[] };

async function statusNow(home: Home, name: string): Promise<Status> {
  return (await statusOf(home, name)).status as Status;
}

/** Waits until `n` instances each have a ready worker (a listen() counts); returns the status. */
function allReady(home: Home, name: string, n: number): Promise<Status> {
  return waitForAsync(`${n} ready instances of ${name}`, async () => {
    const s = await statusNow(home, name);
    return s.instances?.length === n && s.instances.every((i) => i.ready && i.workerPid !== undefined) ? s : undefined;
  });
}

/** The worker pids that answer on `port`, asked by 8 clients at once until `n` have answered (or 20 s). */
async function answeringPids(port: number, n: number): Promise<Set<string>> {
  const deadline = Date.now() + 20_000;
  const pidsOf = (bodies: Set<string>): Set<string> => new Set([...bodies].map((b) => b.split(' ')[0] as string));
  const tally = await clientLoop(port, false, (sofar) => Date.now() > deadline || pidsOf(sofar.bodies).size >= n, 8);
  assert.deepEqual(tally.failures, []);
  return pidsOf(tally.bodies);
}

/** A variable of process `pid`'s environment. */
function envOf(pid: number, name: string): string | undefined {
  const entry = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').find((e) => e.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

describe('cluster mode: a Node app that listens on a port of its own', () => {
  test('-i 4 without --listen: four instances answer on the one port; ten reloads in a row under load fail no request', async (t) => {
    const home = newHome(t);
    const port = await freePort();
    // Answers take 20 ms, so that a reload meets requests in flight; the app has no SIGTERM handler.
    const started = await xd(home, ['start', APP, '-i', '4', '--name', 'web', '--env', 'C_DELAY=20', '--', String(port)], IN_FIXTURES);
    assertCode(started, 0, 'start');
    assert.match(started.stdout, /^started web: supervisor \d+, log /m);
    const before = await allReady(home, 'web', 4);
    assert.deepEqual(before.listen, [{ name: 'cluster', address: `*:${port}` }]);
    const pids = before.instances?.map((i) => String(i.workerPid)) ?? [];
    // Which worker accepts is the kernel's choice: ask until each of the four has answered.
    const answered = await answeringPids(port, 4);
    assert.deepEqual([...answered].sort(), [...pids].sort(), 'each of the four instances answered');

    let reloading = true;
    // Bounded load: 4 keep-alive clients and 2 that connect anew for each request, all through the reloads.
    const loads = [clientLoop(port, true, () => !reloading, 4), clientLoop(port, false, () => !reloading, 2)];
    try {
      for (let i = 0; i < 10; i++) assertCode(await xd(home, ['reload', 'web']), 0, `reload ${i + 1}`);
    } finally {
      reloading = false;
    }
    const [keepAlive, fresh] = await Promise.all(loads);
    assert.deepEqual(keepAlive?.failures, [], `keep-alive clients: failed requests (${keepAlive?.ok} answered)`);
    assert.deepEqual(fresh?.failures, [], `new connections: failed requests (${fresh?.ok} answered)`);
    assert.ok((keepAlive?.ok ?? 0) > 100 && (fresh?.ok ?? 0) > 20, 'the clients kept asking');
    const afterwards = await statusNow(home, 'web');
    assert.equal(afterwards.reloads, 40, 'each reload replaced 4 workers');
    assert.equal(afterwards.errors, 0);
    for (const pid of pids) assert.ok(isGone(Number(pid)), `old worker ${pid} is gone`);
    const log = (await xd(home, ['logs', 'web', '-n', '2000'])).stdout;
    assert.equal([...log.matchAll(/worker pid \d+ drained in \d+\.\d+ s/g)].length, 40, 'every old worker drained before its stop');
    assert.match(log, /instance 0: worker ready: pid \d+ after \d+\.\d+ s \(it listens\)/);
    const list = (await xd(home, ['list'])).stdout;
    // ID NAME STATE PID WORKER UPTIME CPU MEM (`185.9 MB`) HEALTH STARTS RESTARTS …
    assert.match(list, /^\d+ +web +running +\d+ +\d+ +\S+ +\S+ +(?:[\d.]+ [KMG]?B|-) +- +4 +40 /m, 'list: 40 restarts (reloads count)');
  });

  test('listen(0): the first listen(0) of every instance shares one port, kept across a reload; a unix path is shared and removed at the stop', async (t) => {
    const home = newHome(t);
    assertCode(await xd(home, ['start', APP, '-i', '2', '--name', 'zero', '--env', 'C_LISTEN=zero'], IN_FIXTURES), 0);
    const s = await allReady(home, 'zero', 2);
    const [listen] = s.listen ?? [];
    const port = Number(/^\*:(\d+)$/.exec(listen?.address ?? '')?.[1]);
    assert.ok(port > 0, JSON.stringify(s.listen));
    const first = await get(port, false);
    assert.ok('body' in first && first.body.trim().endsWith(` ${port}`), JSON.stringify(first));
    assertCode(await xd(home, ['reload', 'zero']), 0);
    assert.deepEqual((await statusNow(home, 'zero')).listen, s.listen, 'the same port after a reload');

    const path = join(tempDir(), 'app.sock');
    assertCode(await xd(home, ['start', APP, '-i', '2', '--name', 'sock', '--env', 'C_LISTEN=unix', '--', path], IN_FIXTURES), 0);
    await allReady(home, 'sock', 2);
    const viaUnix = await get({ socketPath: path }, false);
    assert.ok('body' in viaUnix, JSON.stringify(viaUnix));
    assertCode(await xd(home, ['reload', 'sock']), 0);
    assert.ok('body' in (await get({ socketPath: path }, false)));
    assertCode(await xd(home, ['stop', 'sock']), 0);
    assert.ok(!existsSync(path), 'the socket file is removed');
  });

  test("pm2's process.send('ready') is the app's readiness with --wait-ready (no value: pm2's 3000 ms)", async (t) => {
    const home = newHome(t);
    const port = await freePort();
    const started = await xd(home, ['start', APP, '--wait-ready', '--name', 'msg', '--env', 'C_READY=message', '--', String(port)], IN_FIXTURES);
    assertCode(started, 0);
    assert.match(started.stdout, /^started msg: supervisor \d+, log .*, worker \d+ ready after \d\.\d+ s$/m);
    const log = (await xd(home, ['logs', 'msg', '-n', '50'])).stdout;
    assert.match(log, /worker ready: pid \d+ after \d\.\d+ s \(process\.send\('ready'\)\)/);
    assert.doesNotMatch(log, /\(it listens\)/, 'with --wait-ready a listen() is not readiness');
    // --listen-timeout is the time a bare --wait-ready waits: 100 ms is too short for this app.
    const late = await xd(home, ['start', APP, '--wait-ready', '--listen-timeout', '100', '--name', 'late', '--env', 'C_READY=message', '--', String(await freePort())], IN_FIXTURES);
    assertCode(late, 1);
    assert.match(late.stderr, /did not call ready\(\) within 100 ms/);
  });

  test('increment_var and instance_var: PORT 5000, 5001 and INST 0, 1; a port both held and incremented is refused', async (t) => {
    const home = newHome(t);
    const base = await freePort();
    assertCode(await xd(home, ['start', APP, '-i', '2', '--name', 'inc', '--increment-var', 'PORT', '--instance-var', 'INST', '--env', `PORT=${base}`, '--', '0'], IN_FIXTURES), 0);
    const s = await allReady(home, 'inc', 2);
    const workers = s.instances?.map((i) => i.workerPid as number) ?? [];
    assert.deepEqual(workers.map((pid) => envOf(pid, 'PORT')), [String(base), String(base + 1)]);
    assert.deepEqual(workers.map((pid) => envOf(pid, 'INST')), ['0', '1']);
    assert.deepEqual(workers.map((pid) => envOf(pid, 'NODE_APP_INSTANCE')), ['0', '1']);
    const refused = await xd(home, ['start', APP, '-i', '2', '--name', 'both', '--listen', `127.0.0.1:${base + 1}`, '--increment-var', 'PORT', '--env', `PORT=${base}`, '--', '0'], IN_FIXTURES);
    assertCode(refused, 2);
    assert.match(refused.stderr, /^xdaemon: --increment-var: listen holds 127\.0\.0\.1:\d+, which PORT \(\d+…\d+\) also gives to an instance/);
    assert.equal(refused.stderr.trim().split('\n').length, 1, 'one line');
  });

  test('a program that is not Node with --instances 2 and nothing that gives each its port: refused at start, one line, nothing started', async (t) => {
    const home = newHome(t);
    const exit = await xd(home, ['start', '--instances', '2', '--name', 'py', '--', 'sleep', '60']);
    assertCode(exit, 2);
    assert.match(exit.stderr, /^xdaemon: --instances: 2 instances of a program that is not Node would each bind the same port, and all but one fail: give --listen PORT .* or --increment-var PORT/);
    assert.equal(exit.stderr.trim().split('\n').length, 1);
    assert.equal((await statusNow(home, 'py').catch(() => undefined))?.state, undefined, 'nothing recorded');
  });

  test('the spare (prewarm) works with the IPC channel: a killed worker is replaced by the spare, which serves on the same socket', async (t) => {
    const home = newHome(t);
    const port = await freePort();
    assertCode(await xd(home, ['start', APP, '--prewarm', '--name', 'warm', '--', String(port)], IN_FIXTURES), 0);
    const before = await allReady(home, 'warm', 1);
    const old = before.workerPid as number;
    signal(old, 'SIGKILL');
    await waitGone(old);
    const next = await waitForAsync('the next worker, ready', async () => {
      const s = await statusNow(home, 'warm');
      return s.workerPid !== undefined && s.workerPid !== old && s.instances?.[0]?.ready === true ? s : undefined;
    });
    const answer = await get(port, false);
    assert.ok('body' in answer && answer.body.startsWith(`${next.workerPid} `), JSON.stringify(answer));
    assert.match((await xd(home, ['logs', 'warm', '-n', '50'])).stdout, /worker started: pid \d+ \(.*\) from the spare/);
  });
});

describe('start says whether it came up', () => {
  test('a port in use: exit 1 with the line of the log that says EADDRINUSE and the log; an app that dies at once: its error', async (t) => {
    const home = newHome(t);
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    t.after(() => void taken.close());
    const { port } = taken.address() as net.AddressInfo;
    const busy = await xd(home, ['start', APP, '--name', 'busy', '--', String(port)], IN_FIXTURES);
    assertCode(busy, 1);
    assert.match(busy.stderr, new RegExp(`^xdaemon: busy did not come up: its worker( pid \\d+)? exited with code 1 after \\d+\\.\\d+ s \\(Error: listen EADDRINUSE: address already in use :::${port}\\); log \\S+busy\\.log; it is restarted with a backoff`));
    const crash = await xd(home, ['start', '--name', 'crash', '--', process.execPath, '-e', "require('./nowhere')"]);
    assertCode(crash, 1);
    assert.match(crash.stderr, /^xdaemon: crash did not come up: .*\(Error: Cannot find module '\.\/nowhere'/);
  });
});

/**
 * The host (src/daemon-process/host.ts): the daemons `xdaemon start` starts in one state directory
 * run in one process, each its own supervision. One host for a file's apps and for daemons started
 * one by one; a pid file names its daemon's worker, and a kill of it is that daemon's crash alone;
 * `stop NAME` stops that daemon alone, the host ends with its last one. One daemon's troubles (a
 * crash loop, a give-up, a reload that fails, a log that cannot be opened, an exception in its
 * supervision) leave the others running with the same workers. A SIGKILL of the host leaves no
 * process of any daemon behind, and `start FILE` brings them all back. `--own-process` (and the
 * file's `ownProcess`) keep a supervisor process per daemon.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Home, WORKER, assertCode, newHome, startDaemon, statusOf, waitForAsync, workerRunning, xd } from '../support/cli';
import { FIXTURES, cleanup, readText, tempDir } from '../support/fixtures';
import { childPids, freePort, isGone, procState, procStat, signal, start, waitFor, waitGone, waitLine } from '../support/harness';

after(cleanup);

const NODE = process.execPath;

/** The command line of `pid` as `ps` shows it ('' once it is gone). */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** A folder with the worker fixture as w.cjs and the kill app as app.cjs. */
function project(): string {
  const dir = tempDir();
  copyFileSync(WORKER, join(dir, 'w.cjs'));
  copyFileSync(join(FIXTURES, 'kill-app.cjs'), join(dir, 'app.cjs'));
  return dir;
}

/** Each name's worker pid, once each runs. */
async function workersOf(home: Home, names: readonly string[]): Promise<Record<string, number>> {
  const all = await Promise.all(names.map((n) => workerRunning(home, n)));
  return Object.fromEntries(names.map((n, i) => [n, all[i]?.workerPid as number]));
}

test('start FILE: one host runs every app; a pid file names its worker, whose kill is that daemon\'s crash alone; stop NAME stops only it; the host ends with its last daemon', async (t) => {
  const home = newHome(t);
  const dir = project();
  const file = join(dir, 'apps.json');
  writeFileSync(file, JSON.stringify({ apps: [{ name: 'a', script: 'w.cjs' }, { name: 'b', script: 'w.cjs' }, { name: 'c', command: 'sleep', args: ['300'] }] }));
  assertCode(await xd(home, ['start', file], { cwd: dir }), 0, 'start FILE');
  const before = await workersOf(home, ['a', 'b', 'c']);
  const statuses = await Promise.all(['a', 'b', 'c'].map(async (n) => (await statusOf(home, n)).status));
  const host = statuses[0]?.pid as number;
  for (const s of statuses) {
    assert.equal(s.pid, host, `${s.name}: supervised by the host`);
    assert.deepEqual(s.host, { pid: host, pidFile: join(home.dir, '.host.pid') });
    assert.equal(readText(s.pidFile), `${s.workerPid}\n`, `${s.name}'s pid file names its worker`);
  }
  assert.match(cmdline(host), /^xdaemon host: /, 'ps names the host');
  assert.equal(readText(join(home.dir, '.host.pid')), `${host}\n`);
  // A daemon started on its own joins it.
  const joined = await startDaemon(home, ['--name', 'd', '--', NODE, join(dir, 'w.cjs')]);
  assert.equal(joined, host);
  const d = await workerRunning(home, 'd');
  assert.deepEqual(readdirSync(home.dir).filter((f) => f.endsWith('.json')).sort(), ['a.json', 'b.json', 'c.json', 'd.json'], 'the host\'s files are no daemon\'s');

  // kill $(cat a.pid): a crash of a's worker, restarted by its supervision; the others untouched.
  signal(Number(readText(join(home.dir, 'a.pid'))), 'SIGKILL');
  const a2 = await workerRunning(home, 'a', before.a);
  await waitFor('a\'s pid file to name its new worker', () => readText(join(home.dir, 'a.pid')) === `${a2.workerPid}\n`);
  assert.deepEqual(await workersOf(home, ['b', 'c', 'd']), { b: before.b, c: before.c, d: d.workerPid }, 'the others keep their workers');

  // stop b: b alone.
  assertCode(await xd(home, ['stop', 'b']), 0);
  assert.ok(isGone(before.b as number), 'b\'s worker is gone when stop returns');
  assert.equal((await statusOf(home, 'b')).status.state, 'stopped');
  assert.deepEqual(await workersOf(home, ['a', 'c', 'd']), { a: a2.workerPid, c: before.c, d: d.workerPid });
  assert.ok(!isGone(host), 'the host runs on');

  // The last one stopped: the host is gone too, its lock and pid file with it.
  assertCode(await xd(home, ['stop', 'a', 'c', 'd']), 0);
  await waitGone(host, 5000);
  assert.equal(readText(join(home.dir, '.host.pid')), '', 'its pid file is removed');
  assert.match(readText(join(home.dir, '.host.log')), /exiting: no daemon left to run/);
});

test("one daemon's crash loop, give-up, failed reload and bad log path leave the others running, with the same workers", async (t) => {
  const home = newHome(t);
  const dir = project();
  const ready = join(dir, 'ready');
  writeFileSync(ready, '');
  await startDaemon(home, ['--name', 'h1', '--', NODE, join(dir, 'w.cjs')]);
  await startDaemon(home, ['--name', 'h2', '--timestamps', '--', NODE, join(dir, 'w.cjs')], { env: { W_TICK: '200' } });
  const healthy = await workersOf(home, ['h1', 'h2']);
  const host = (await statusOf(home, 'h1')).status.pid as number;
  const untouched = async (what: string): Promise<void> => {
    assert.deepEqual(await workersOf(home, ['h1', 'h2']), healthy, `after ${what}: the same workers`);
    for (const n of ['h1', 'h2']) {
      const s = (await statusOf(home, n)).status;
      assert.deepEqual([s.state, s.pid, s.starts, s.errors], ['running', host, 1, 0], `after ${what}: ${n} untouched`);
    }
  };

  // A crash loop: every worker dies at once, the supervision restarts it again and again.
  // start waits until a daemon is up: a crash loop never is, and start says so (exit 1); it goes on.
  const loop = await xd(home, ['start', '--name', 'loop', '--max-error', '1000', '--restart-delay', '100', '--', NODE, join(dir, 'w.cjs')], { env: { W_EXIT: '1' } });
  assertCode(loop, 1);
  assert.match(loop.stderr, /loop did not come up: .* it is restarted with a backoff until it runs/);
  await waitForAsync('the loop to have restarted a few times', async () => ((await statusOf(home, 'loop')).status.starts >= 5 ? true : undefined), 30_000);
  // A give-up: maxError 1.
  assertCode(await xd(home, ['start', '--name', 'quit', '--max-error', '1', '--', NODE, join(dir, 'w.cjs')], { env: { W_EXIT: '3' } }), 1);
  await waitForAsync('quit to give up', async () => ((await statusOf(home, 'quit')).status.state === 'errored' ? true : undefined));
  assert.match(readText(join(home.dir, 'quit.log')), /giving up: 2 consecutive failures exceed maxError 1/);
  // A reload whose replacement never says it is ready: it is stopped, the old worker stays.
  // (A held socket: without one a reload is a restart.)
  await startDaemon(home, ['--name', 'rel', '--listen', `127.0.0.1:${await freePort()}`, '--wait-ready', '1500', '--kill-timeout', '500', '--', NODE, join(dir, 'w.cjs')], { env: { W_READY_ON: ready } });
  const rel = await workerRunning(home, 'rel');
  rmSync(ready);
  const reload = await xd(home, ['reload', 'rel']);
  assertCode(reload, 1, 'the reload fails');
  assert.equal((await workerRunning(home, 'rel')).workerPid, rel.workerPid, 'rel keeps its old worker');
  // A log that cannot be opened: that start fails, naming it; nothing else happens.
  const bad = await xd(home, ['start', '--name', 'badlog', '--log', join(dir, 'no', 'such', 'dir', 'x.log'), '--', NODE, join(dir, 'w.cjs')]);
  assertCode(bad, 1, 'a log that cannot be opened');
  assert.match(bad.stderr, /badlog: the daemon did not start: cannot open log file .*x\.log/);

  await untouched('a crash loop, a give-up, a failed reload and a bad log path');
  assert.ok((await statusOf(home, 'loop')).status.starts >= 5, 'the loop goes on');
  assert.equal((await statusOf(home, 'h2')).status.pid, host, 'one host all along');
  const ticks = readText(join(home.dir, 'h2.log')).split('\n').filter((l) => / tick \d+$/.test(l)).length;
  await waitFor('h2 to go on writing its log', () => readText(join(home.dir, 'h2.log')).split('\n').filter((l) => / tick \d+$/.test(l)).length > ticks + 2);
});

test('an exception thrown in one daemon\'s supervision stops that daemon alone', async (t) => {
  const dir = tempDir();
  const fixture = start(NODE, ['--import', 'tsx', join(FIXTURES, 'host-fault.ts')], { env: { T_DIR: dir, T_WORKER: WORKER } });
  t.after(() => {
    signal(fixture.pid, 'SIGTERM');
    return waitGone(fixture.pid, 10_000);
  });
  const { faulty, healthy } = JSON.parse(await waitLine(fixture, 'READY', 30_000)) as { faulty: number; healthy: number };
  signal(faulty, 'SIGKILL');
  await waitLine(fixture, 'FAULTED', 15_000);
  await waitFor('the faulty daemon to be stopped', () => readText(join(dir, 'faulty.log')).includes('supervisor exiting with code 0') || undefined);
  assert.match(readText(join(dir, 'faulty.log')), /internal error in the supervision of this daemon: Error: boom in a listener/);
  assert.equal(procStat(healthy)?.ppid, fixture.pid, 'the other daemon keeps its worker');
  assert.ok(!isGone(fixture.pid), 'the host runs on');
  assert.doesNotMatch(fixture.stdout, /UNOWNED/);
});

test('SIGKILL of the host: no process of any daemon is left a second later; start FILE brings them all back', async (t) => {
  const home = newHome(t);
  const dir = project();
  const file = join(dir, 'apps.json');
  const apps = [
    { name: 'kids', script: 'app.cjs', env: { K_CHILD: '1', K_DETACHED: '1' } },
    { name: 'stubborn', script: 'app.cjs', env: { K_IGNORE_TERM: '1' } },
    { name: 'nap', command: 'sleep', args: ['300'] },
    { name: 'shell', command: 'sh', args: ['-c', 'sleep 300 & sleep 300 & wait'] },
  ];
  writeFileSync(file, JSON.stringify({ apps }));
  assertCode(await xd(home, ['start', file], { cwd: dir }), 0);
  const workers = await workersOf(home, apps.map((a) => a.name));
  const host = (await statusOf(home, 'kids')).status.pid as number;
  const kidsLog = join(home.dir, 'kids.log');
  const child = Number(await waitFor('the child', () => /^CHILD (\d+)$/m.exec(readText(kidsLog))?.[1]));
  const detached = Number(await waitFor('the detached one', () => /^DETACHED (\d+)$/m.exec(readText(kidsLog))?.[1]));
  await waitFor('the stubborn one\'s handler', () => readText(join(home.dir, 'stubborn.log')).includes(`WORKER ${workers.stubborn}`));
  const sleeps = await waitFor('the shell\'s two sleeps', () => (childPids(workers.shell as number).length === 2 ? childPids(workers.shell as number) : undefined));
  const guard = childPids(host).find((pid) => cmdline(pid).includes('xdaemon-group-guard'));
  assert.ok(guard !== undefined, 'one group guard for the host');
  const all = [...Object.values(workers), child, detached, ...sleeps, guard];
  signal(host, 'SIGKILL');
  await waitGone(host, 5000);
  // Gone: no such process, or a zombie (dead, waiting for its parent to reap it).
  const gone = (pid: number): boolean => isGone(pid) || procState(pid) === 'Z';
  const left = await waitFor('every process of every daemon gone', () => (all.every(gone) ? [] : undefined), 1000).catch(() => all.filter((pid) => !gone(pid)));
  assert.deepEqual(left, [], 'within a second of the host\'s death');

  assertCode(await xd(home, ['start', file], { cwd: dir }), 0, 'start FILE again');
  const again = await workersOf(home, apps.map((a) => a.name));
  for (const name of Object.keys(again)) assert.notEqual(again[name], workers[name], `${name} runs again`);
  const newHost = (await statusOf(home, 'nap')).status.pid as number;
  assert.notEqual(newHost, host);
});

test('--own-process, and ownProcess in a file: a supervisor process of its own, as before the host', async (t) => {
  const home = newHome(t);
  const dir = project();
  const own = await startDaemon(home, ['--own-process', '--name', 'own', '--', NODE, join(dir, 'w.cjs')]);
  const hosted = await startDaemon(home, ['--name', 'hosted', '--', NODE, join(dir, 'w.cjs')]);
  const file = join(dir, 'apps.json');
  writeFileSync(file, JSON.stringify({ apps: [{ name: 'alone', script: 'w.cjs', ownProcess: true }, { name: 'shared', script: 'w.cjs' }] }));
  assertCode(await xd(home, ['start', file], { cwd: dir }), 0);
  const s = Object.fromEntries(await Promise.all(['own', 'hosted', 'alone', 'shared'].map(async (n) => [n, await workerRunning(home, n)] as const)));
  assert.notEqual(own, hosted);
  assert.equal(s.own?.pid, own);
  assert.equal(s.own?.host, undefined, 'no host');
  assert.equal(readText(join(home.dir, 'own.pid')), `${own}\n`, 'its pid file names its supervisor');
  assert.match(cmdline(own), /^xdaemon supervisor: /);
  assert.equal(procStat(s.own?.workerPid as number)?.ppid, own, 'the worker is its supervisor\'s child');
  assert.notEqual(s.alone?.pid, hosted, 'ownProcess: true in a file');
  assert.equal(s.alone?.host, undefined);
  assert.equal(s.shared?.pid, hosted, 'the file\'s other app joins the host');
  assert.deepEqual(JSON.parse(readText(join(home.dir, 'own.json'))).ownProcess, true, 'recorded: restart and resurrect keep it');
  // Stopped and restarted from its record: a process of its own again.
  assertCode(await xd(home, ['stop', 'own']), 0);
  await waitGone(own, 5000);
  assertCode(await xd(home, ['restart', 'own']), 0);
  const back = await workerRunning(home, 'own');
  assert.notEqual(back.pid, hosted);
  assert.equal(back.host, undefined);
});

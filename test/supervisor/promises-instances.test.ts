/**
 * Promises of `instances` that no other test holds to, with real workers (test/fixtures/
 * gate-server.cjs, told what to do by files the test writes): an instance that gives up ends the
 * daemon and stops the others, and the supervision is over only once its one group guard (one for
 * all instances) is gone; that one guard ends every instance's process group when the supervisor
 * is SIGKILLed (a member that the sweep by tree token cannot find included); a reload whose replacement fails at instance 1 leaves instance 1's old worker and every
 * instance after it untouched; a restart asked for during a reload, or during the memory limit's
 * replacement of an instance, is refused; watch restarts every instance, and with `listen`
 * reloads them one by one.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Supervisor as SupervisorClass } from '../../src/supervisor/supervisor';
import { type Home, type StatusJson, assertCode, newHome, startDaemon, statusOf, waitForAsync, xd, xdStart } from '../support/cli';
import { FIXTURES, ROOT, cleanup, matching, readText, stopAfter, tempDir } from '../support/fixtures';
import { childPids, freePort, isGone, signal, taggedEnv, waitAllGone, waitFor, withTimeout } from '../support/harness';

after(cleanup);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Supervisor } = require(join(ROOT, 'dist', 'supervisor-core.js')) as { Supervisor: typeof SupervisorClass };

const NODE = process.execPath;
const GATE = join(FIXTURES, 'gate-server.cjs');

/** `status --json` with its instances. */
interface Instances extends StatusJson {
  reloads: number;
  instances: { instance: number; workerPid?: number; workerStartedAt?: string; ready: boolean; restarts: number; reloads: number }[];
}

async function instancesOf(home: Home, name: string): Promise<Instances> {
  return (await statusOf(home, name)).status as Instances;
}

/** Waits until each of NAME's `n` instances has a worker that is ready (and, with `not`, none of those); returns them. */
function allReady(home: Home, name: string, n: number, not: readonly (number | undefined)[] = []): Promise<Instances> {
  return waitForAsync(`${n} ready instances of ${name}`, async () => {
    const s = await instancesOf(home, name);
    const ok = s.instances.length === n && s.instances.every((i) => i.ready && i.workerPid !== undefined && !not.includes(i.workerPid));
    return ok ? s : undefined;
  }, 30_000);
}

const workerPids = (s: Instances): (number | undefined)[] => s.instances.map((i) => i.workerPid);

/** Children of `pid` that are a supervisor's group guard. */
const guardsOf = (pid: number): number[] => childPids(pid).filter((child) => readText(`/proc/${child}/cmdline`).includes('xdaemon-group-guard'));

/** The pids that noted a SIGTERM in `dir`'s terms file. */
const termed = (dir: string): number[] => matching(readText(join(dir, 'terms')), /^TERM \d+$/).map((l) => Number(l.slice(5)));

test('an instance that gives up ends the daemon and stops the others; supervision is over once its one group guard is gone', async (t) => {
  const dir = tempDir();
  const sup = new Supervisor({ command: NODE, args: [GATE], env: taggedEnv({ G_DIR: dir }), instances: 3, maxError: 0, waitReady: 20_000 });
  t.after(() => sup.stop());
  let gaveUp: unknown;
  sup.on('giveup', (info) => void (gaveUp = info));
  await sup.start();
  const workers = await waitFor('three workers', () => {
    const pids = sup.status().instances.map((i) => i.workerPid);
    return pids.length === 3 && pids.every((pid) => pid !== undefined) ? (pids as number[]) : undefined;
  });
  const guards = guardsOf(process.pid);
  assert.equal(guards.length, 1, 'one group guard for the three instances');

  writeFileSync(join(dir, 'die-1'), '');
  const end = await withTimeout(sup.ended, 20_000, 'the end of supervision');
  assert.deepEqual(end, { code: 1, reason: 'maxError' });
  assert.ok(gaveUp !== undefined, 'a giveup event');
  // The moment supervision has ended, nothing of it runs: the other instances were stopped
  // gracefully (SIGTERM, which they noted), and the guard is gone.
  assert.deepEqual(workers.filter((pid) => !isGone(pid)), [], 'every worker is gone');
  assert.deepEqual(termed(dir).sort(), [workers[0], workers[2]].sort(), 'instances 0 and 2 got SIGTERM');
  assert.ok(isGone(guards[0] as number), 'the group guard is gone');
});

/** A plain app (no xdaemon): prints `WORKER <pid>` once its SIGTERM handler (a note in NOTES) is set. */
const NOTING_APP = `'use strict';
process.on('SIGTERM', () => { require('node:fs').appendFileSync(process.env.NOTES, \`TERM \${process.pid}\\n\`); process.exit(0); });
console.log(\`WORKER \${process.pid}\`);
setInterval(() => {}, 1 << 30);
`;

test('one group guard ends every instance\'s process group when the supervisor is SIGKILLed', async (t) => {
  const home = newHome(t);
  const dir = tempDir();
  const notes = join(dir, 'notes');
  writeFileSync(join(dir, 'app.cjs'), NOTING_APP);
  // Started through `env -u XDAEMON_TREE`, each worker carries no tree token: the sweep by token
  // cannot find it, only the guard's signal to its process group reaches it.
  const command = ['env', '-u', 'XDAEMON_TREE', NODE, join(dir, 'app.cjs')];
  // A program that is not Node (env) with instances and no port: --instance-var gives each its number.
  const spid = await startDaemon(home, ['--name', 'k', '--instances', '3', '--instance-var', 'N', '--', ...command], { env: { NOTES: notes } });
  const s = await waitForAsync('three workers', async () => {
    const status = await instancesOf(home, 'k');
    return status.instances.length === 3 && status.instances.every((i) => i.workerPid !== undefined) ? status : undefined;
  });
  const workers = workerPids(s) as number[];
  await waitFor('the workers\' lines', () => workers.every((pid) => readText(s.logFile).includes(`WORKER ${pid}`)));
  assert.ok(workers.every((pid) => !readText(`/proc/${pid}/environ`).includes('XDAEMON_TREE=')), 'no worker carries the token');
  assert.equal(guardsOf(spid).length, 1, 'one group guard for the three instances');
  signal(spid, 'SIGKILL');
  await waitAllGone(workers, 10_000);
  const noted = matching(readText(notes), /^TERM \d+$/).map((l) => Number(l.slice(5)));
  assert.deepEqual(noted.sort(), [...workers].sort(), 'each worker got SIGTERM first');
});

/** A daemon of 3 (or `n`) gate-server instances on a held loopback port, each ready; its folder and status. */
async function served(t: Parameters<typeof newHome>[0], extra: string[] = [], n = 3): Promise<{ home: Home; dir: string; port: number; spid: number; before: Instances }> {
  const home = newHome(t);
  const dir = tempDir();
  const port = await freePort();
  const spid = await startDaemon(home, ['--name', 'web', '--instances', String(n), '--listen', `127.0.0.1:${port}`, '--wait-ready', '60000', ...extra, '--', NODE, GATE], { env: { G_DIR: dir } });
  const before = await allReady(home, 'web', n);
  return { home, dir, port, spid, before };
}

test('a reload whose replacement fails at instance 1: instance 0 is replaced, 1 keeps its worker, the instances after it are not touched', async (t) => {
  const { home, dir, before } = await served(t);
  writeFileSync(join(dir, 'fail-1'), '');
  const reload = await xd(home, ['reload', 'web']);
  assertCode(reload, 1, 'reload');
  const [zero, one, two] = workerPids(before);
  assert.match(reload.stderr, new RegExp(`^xdaemon: .*instance 1: the replacement pid \\d+ exited with code 3 before it was ready; the old worker pid ${one} keeps running(;|$)`, 'm'));
  const now = await instancesOf(home, 'web');
  assert.notEqual(now.instances[0]?.workerPid, zero, 'instance 0 was reloaded');
  assert.deepEqual(workerPids(now).slice(1), [one, two], 'instance 1 keeps its worker, instance 2 is untouched');
  assert.deepEqual(matching(readText(before.logFile), /reload: instance 2/), [], 'no replacement was started for instance 2');
  assert.deepEqual(now.instances.map((i) => i.reloads), [1, 0, 0]);
});

test('a restart asked for during a reload, or during the memory limit\'s replacement of an instance, is refused', async (t) => {
  const { home, dir, spid, before } = await served(t, ['--max-memory', '100M'], 2);
  const log = before.logFile;
  stopAfter(t, () => [spid]);
  // A reload whose first replacement waits at the gate.
  writeFileSync(join(dir, 'gate'), '');
  const reloading = xdStart(home, ['reload', 'web']);
  stopAfter(t, () => [reloading.pid]);
  await waitFor('the first replacement to start', () => matching(readText(log), /reload: instance 0: new pid \d+ started beside/)[0]);
  const refused = await xd(home, ['restart', 'web']);
  assertCode(refused, 1, 'restart during a reload');
  assert.match(refused.stderr, /a reload is under way: restart again once it is done/);
  rmSync(join(dir, 'gate'));
  assertCode(await withTimeout(reloading.done, 60_000, 'the reload'), 0, 'the reload');
  const reloaded = await allReady(home, 'web', 2, workerPids(before));
  assert.deepEqual(reloaded.instances.map((i) => [i.restarts, i.reloads]), [[0, 1], [0, 1]], 'the refused restart changed nothing');

  // The memory limit replaces instance 1 (held sockets: its replacement first), which waits at the gate.
  writeFileSync(join(dir, 'gate'), '');
  writeFileSync(join(dir, 'grow-1'), '');
  await waitFor('the memory replacement to start', () => matching(readText(log), /reload: instance 1: new pid \d+ started beside/).length === 2 ? true : undefined, 30_000);
  assert.match(readText(log), /memory: worker pid \d+ tree at [\d.]+ MB > 100\.0 MB: restarting/);
  const refusedAgain = await xd(home, ['restart', 'web']);
  assertCode(refusedAgain, 1, 'restart during the replacement');
  assert.match(refusedAgain.stderr, /an instance is being replaced: restart again once it is done/);
  rmSync(join(dir, 'gate'));
  const replaced = await waitForAsync('instance 1 replaced', async () => {
    const s = await instancesOf(home, 'web');
    return s.instances[1]?.restarts === 1 && s.instances[1].ready ? s : undefined;
  }, 30_000);
  assert.equal(replaced.instances[0]?.workerPid, reloaded.instances[0]?.workerPid, 'instance 0 untouched, the restart refused');
  assert.equal(replaced.instances[0]?.restarts, 0);
});

/** Waits until every instance's worker of NAME has run past its first second (a change then is no start-up write of its own). */
function pastFirstSecond(home: Home, name: string): Promise<Instances> {
  return waitForAsync(`${name}'s workers to run a second and a half`, async () => {
    const s = await instancesOf(home, name);
    const old = s.instances.every((i) => i.workerStartedAt !== undefined && Date.now() - Date.parse(i.workerStartedAt) > 1500);
    return old ? s : undefined;
  }, 30_000);
}

for (const listen of [false, true]) {
  test(listen ? 'watch with listen: a change reloads every instance, one by one' : 'watch with instances: a change restarts every instance', async (t) => {
    const home = newHome(t);
    const dir = tempDir();
    const src = join(dir, 'src');
    mkdirSync(src);
    const held = listen ? ['--listen', `127.0.0.1:${await freePort()}`] : [];
    await startDaemon(home, ['--name', 'w', '--instances', '2', ...held, '--wait-ready', '60000', `--watch=${src}`, '--', NODE, GATE], { env: { G_DIR: dir } });
    await allReady(home, 'w', 2);
    const before = await pastFirstSecond(home, 'w');
    writeFileSync(join(src, 'app.js'), '// changed\n');
    const after = await allReady(home, 'w', 2, workerPids(before));
    const log = readText(before.logFile);
    assert.match(log, new RegExp(`watch: app\\.js changed: restarting workers ${workerPids(before).join(', ')}$`, 'm'));
    if (listen) {
      assert.deepEqual(after.instances.map((i) => [i.restarts, i.reloads]), [[0, 1], [0, 1]], 'reloaded');
      const steps = matching(log, /reload: instance \d: new pid \d+ ready after .*; old pid \d+ stopped$/).map((l) => /instance (\d)/.exec(l)?.[1]);
      assert.deepEqual(steps, ['0', '1'], 'one by one');
    } else {
      assert.deepEqual(after.instances.map((i) => [i.restarts, i.reloads]), [[1, 0], [1, 0]], 'restarted');
      assert.deepEqual(matching(log, /reload: /), [], 'no reload without held sockets');
    }
  });
}

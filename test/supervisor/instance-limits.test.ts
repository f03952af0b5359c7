/**
 * The memory limit and cron with instances (the built Supervisor class in this process, real
 * workers and a real socket): the instance whose tree crosses maxMemory is replaced alone, counted
 * in its `restarts`, errors 0; with `listen` its replacement is ready before it is stopped (the
 * order of the supervisor's events, the old worker alive at the new one's ready), and a client on
 * loopback gets every request answered throughout; a cron time with `listen` reloads every
 * instance. (Watch with instances is tested in test/supervisor/watch*.test.ts.)
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Supervisor as SupervisorClass, SupervisorEvents } from '../../src/supervisor/supervisor';
import { FIXTURES, ROOT, cleanup, tempDir } from '../support/fixtures';
import { freePort, isGone, taggedEnv, waitFor, withTimeout } from '../support/harness';

after(cleanup);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Supervisor } = require(join(ROOT, 'dist', 'supervisor-core.js')) as { Supervisor: typeof SupervisorClass };

const LIMIT = 80 * 1024 * 1024;

/** A supervisor of two instances of test/fixtures/grow-instance.cjs, instance 1 growing once `flag` exists. */
function growing(flag: string, extra: object = {}): SupervisorClass {
  const env = taggedEnv({ G_INSTANCE: '1', G_FLAG: flag, G_MAX_MB: '150' });
  return new Supervisor({ command: process.execPath, args: [join(FIXTURES, 'grow-instance.cjs')], env, instances: 2, maxMemory: LIMIT, minExitTime: 0, ...extra });
}

/** Every `auto-restart` event of `sup`. */
function autoRestarts(sup: SupervisorClass): SupervisorEvents['auto-restart'][0][] {
  const seen: SupervisorEvents['auto-restart'][0][] = [];
  sup.on('auto-restart', (info) => seen.push(info));
  return seen;
}

const pids = (sup: SupervisorClass): (number | undefined)[] => sup.status().instances.map((i) => i.workerPid);

test('maxMemory, 2 instances, no listen: only the instance that crossed is restarted; its restarts counted, errors 0', async (t) => {
  const flag = join(tempDir(), 'grow');
  const sup = growing(flag);
  t.after(() => sup.stop());
  const seen = autoRestarts(sup);
  await sup.start();
  const before = pids(sup);
  writeFileSync(flag, '');
  const restart = await waitFor('a restart for memory', () => seen[0], 15_000);
  assert.equal(restart.cause, 'memory');
  assert.equal(restart.instance, 1);
  assert.equal(restart.pid, before[1]);
  assert.match(restart.message, new RegExp(`^memory: worker pid ${before[1]} tree at [\\d.]+ MB > 80\\.0 MB: restarting$`));
  const after = await waitFor('instance 1\'s new worker', () => {
    const now = pids(sup);
    return now[1] !== undefined && now[1] !== before[1] ? now : undefined;
  });
  assert.equal(after[0], before[0], 'instance 0 untouched');
  const [zero, one] = sup.status().instances.map((i) => i.counters);
  assert.deepEqual([zero?.restarts, zero?.errors, one?.restarts, one?.reloads, one?.errors, one?.starts], [0, 0, 1, 0, 0, 1]);
  assert.equal(seen.length, 1, 'one restart: the new worker does not grow');
  await withTimeout(sup.stop(), 10_000, 'the stop');
});

test('maxMemory, 2 instances with listen: the instance is replaced new-ready-first; a loopback client gets every answer', async (t) => {
  const flag = join(tempDir(), 'grow');
  const port = await freePort();
  const sup = growing(flag, { listen: [`127.0.0.1:${port}`], waitReady: 10_000 });
  t.after(() => sup.stop());
  const seen = autoRestarts(sup);
  let reloaded = false;
  sup.on('reloaded', () => void (reloaded = true));
  // Instance 1's events in order, each with whether the worker it replaces was still alive then.
  const order: string[] = [];
  let before: (number | undefined)[] = [];
  sup.on('ready', (i) => void (before.length > 0 && i.instance === 1 && i.pid !== before[1] && order.push(`ready new (old ${isGone(before[1] as number) ? 'gone' : 'alive'})`)));
  sup.on('exit', (i) => void (before.length > 0 && i.instance === 1 && order.push(i.pid === before[1] ? 'exit old' : `exit ${i.pid}`)));
  sup.on('restarting', (i) => void (before.length > 0 && i.instance === 1 && order.push('restarting (stop first)')));
  await sup.start();
  before = pids(sup);
  let answered = 0;
  const failures: string[] = [];
  let after = 0;
  writeFileSync(flag, '');
  // Until the replacement is done (its reload, or any new worker of instance 1 once the old one
  // is gone) and 20 requests more (bounded: 60 s at most).
  const replaced = (): boolean => reloaded || order.includes('exit old');
  const deadline = Date.now() + 60_000;
  while ((!replaced() || after < 20) && Date.now() < deadline) {
    try {
      await request(port);
      answered += 1;
    } catch (err) {
      failures.push((err as Error).message);
    }
    if (replaced()) after += 1;
  }
  assert.deepEqual(order, ['ready new (old alive)', 'exit old'], 'the replacement was ready while the old worker ran; then the old one exited');
  assert.ok(reloaded, 'the instance was replaced by a reload');
  assert.deepEqual(failures, [], `${failures.length} of ${answered + failures.length} requests failed`);
  assert.equal(seen[0]?.instance, 1);
  const now = pids(sup);
  assert.equal(now[0], before[0], 'instance 0 untouched');
  assert.notEqual(now[1], before[1]);
  const one = sup.status().instances[1]?.counters;
  assert.deepEqual([one?.restarts, one?.reloads, one?.errors, sup.counters().errors], [1, 0, 0, 0]);
  await withTimeout(sup.stop(), 10_000, 'the stop');
});

test('cronRestart with listen and 2 instances: a reload of every instance, one by one', async (t) => {
  const due = new Date(2030, 0, 15, 4, 0, 0, 0).getTime();
  // The clock stands 300 ms before 04:00 until the start is over and its workers noted; then it
  // says 04:00 (the cron timer, which wakes every 300 ms meanwhile, fires at its next wake).
  let dueReached = false;
  const clock = { now: () => (dueReached ? due : due - 300) };
  const port = await freePort();
  const env = taggedEnv({ G_INSTANCE: 'none', G_FLAG: '/nonexistent' });
  const sup = new Supervisor(
    { command: process.execPath, args: [join(FIXTURES, 'grow-instance.cjs')], env, instances: 2, listen: [`127.0.0.1:${port}`], waitReady: 10_000, cronRestart: '0 4 * * *' },
    { clock } as never,
  );
  t.after(() => sup.stop());
  const seen = autoRestarts(sup);
  await sup.start();
  const before = pids(sup);
  assert.deepEqual([seen.length, sup.counters().reloads], [0, 0], 'nothing before 04:00');
  dueReached = true;
  await waitFor('the reload at 04:00', () => sup.counters().reloads === 2, 20_000);
  assert.equal(seen.length, 1, 'one cron time');
  assert.equal(seen[0]?.cause, 'cron');
  assert.match(seen[0]?.message ?? '', new RegExp(`: restarting workers ${before.join(', ')}$`));
  const now = pids(sup);
  assert.ok(now.every((pid, i) => pid !== undefined && pid !== before[i]), 'both replaced');
  assert.deepEqual([sup.counters().restarts, sup.counters().errors], [0, 0]);
  await withTimeout(sup.stop(), 10_000, 'the stop');
});

/** One GET on a new connection; rejects on an error or a 2 s silence. */
function request(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 2 s')));
    req.on('error', reject);
  });
}

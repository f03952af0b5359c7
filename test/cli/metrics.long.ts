/**
 * CPU and memory of each daemon's whole worker tree in `status --json` and `list`: a child's
 * memory counts toward its worker's tree and leaves it when the child dies; a busy worker shows
 * about a core, an idle one about nothing; the supervisor's own RSS is there too. Read from /proc
 * by the CLI and the supervisor's CPU sample, without waking the supervisor.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type DaemonUsage as Usage, cpuPercent, parsePs, psUsage, sumUsage, usageFromPs } from '../../src/control/usage';
import { formatBytes, listTable } from '../../src/cli/render';
import { type Home, assertCode, newHome, startDaemon, waitForAsync, workerRunning, xd } from '../support/cli';
import { FIXTURES, cleanup, readText } from '../support/fixtures';
import { clockTicks, procStat, signal, waitFor } from '../support/harness';

after(cleanup);

const MB = 1024 * 1024;

async function usageOf(home: Home, name: string): Promise<Usage | undefined> {
  const exit = await xd(home, ['status', '--json', name]);
  return (JSON.parse(exit.stdout) as { usage?: Usage }).usage;
}

test("a worker's child holding 100 MB counts in the tree's memory; the child killed, the figure drops", async (t) => {
  const home = newHome(t);
  await startDaemon(home, ['--name', 'tree', '--', process.execPath, join(FIXTURES, 'memory-tree.cjs')]);
  const s = await workerRunning(home, 'tree');
  const child = Number(/^CHILD (\d+)$/m.exec(await waitFor('the child holding its memory', () => (readText(s.logFile).includes('CHILD ') ? readText(s.logFile) : undefined)))?.[1]);
  const full = await waitForAsync('the tree with its child', async () => {
    const u = await usageOf(home, 'tree');
    return u?.processes === 2 ? u : undefined;
  });
  assert.ok((full.rss ?? 0) > 100 * MB, `RSS ${full.rss} includes the child's 100 MB`);
  assert.ok((full.pss ?? 0) > 100 * MB, `PSS ${full.pss} too (its pages are its own)`);
  assert.ok((full.supervisorRss ?? 0) > 5 * MB && (full.supervisorRss ?? 0) < 100 * MB, `the supervisor's own RSS: ${full.supervisorRss}`);
  // Where there is no /proc, ps tells the worker's process group (here the child is in it too).
  const byPs = psUsage(s.pid as number, s.workerPid);
  assert.equal(byPs?.processes, 2);
  assert.ok((byPs?.rss ?? 0) > 100 * MB && byPs?.supervisorRss !== undefined, JSON.stringify(byPs));
  const table = await xd(home, ['list']);
  assertCode(table, 0);
  assert.match(table.stdout, /^ID +NAME +STATE +PID +WORKER +UPTIME +CPU +MEM +HEALTH +STARTS +RESTARTS +ERRORS +LOG$/m);
  assert.match(table.stdout, /^\d+ +tree +running +\d+ +\d+ +\S+ +\S+ +1\d\d\.\d MB +- +1 +0 +0\/15 /m, table.stdout);

  signal(child, 'SIGKILL');
  await waitFor('the child to go', () => readText(s.logFile).includes('CHILD GONE'));
  const alone = await waitForAsync('the tree without its child', async () => {
    const u = await usageOf(home, 'tree');
    return u?.processes === 1 ? u : undefined;
  });
  assert.ok((alone.rss ?? Infinity) < (full.rss ?? 0) - 90 * MB, `RSS dropped from ${full.rss} to ${alone.rss}`);
});

test("a child that escaped the worker's group and parent (a double fork) counts too, by its tree token", async (t) => {
  const home = newHome(t);
  await startDaemon(home, ['--name', 'escaped', '--env', 'M_ESCAPE=1', '--', process.execPath, join(FIXTURES, 'memory-tree.cjs')]);
  const s = await workerRunning(home, 'escaped');
  const log = await waitFor('the child holding its memory', () => (readText(s.logFile).includes('CHILD ') ? readText(s.logFile) : undefined));
  const child = Number(/^CHILD (\d+)$/m.exec(log)?.[1]);
  // The supervisor finds it at its next CPU sample (every 5 s), the client from then on.
  const full = await waitForAsync('the escaped child in the tree', async () => {
    const u = await usageOf(home, 'escaped');
    return u?.processes === 2 ? u : undefined;
  }, 20_000);
  assert.ok((full.rss ?? 0) > 100 * MB, `RSS ${full.rss}`);
  signal(child, 'SIGKILL');
  await waitForAsync('the tree without it', async () => ((await usageOf(home, 'escaped'))?.processes === 1 ? true : undefined));
});

test('a busy worker shows about one core (what /proc says it got), an idle one about nothing', async (t) => {
  const home = newHome(t);
  await startDaemon(home, ['--name', 'busy', '--', process.execPath, '-e', 'for (;;) {}']);
  await startDaemon(home, ['--name', 'idle', '--', process.execPath, '-e', 'setInterval(() => {}, 1 << 30)']);
  const [busyPid] = await Promise.all([workerRunning(home, 'busy'), workerRunning(home, 'idle')]).then((s) => s.map((x) => x.workerPid as number));
  // What the busy worker really gets (two cores shared with other tests: a busy loop may get less
  // than a core), sampled by the test itself, to hold the reported figure against.
  const ticks = (): number => {
    const s = procStat(busyPid as number);
    return s === undefined ? NaN : s.utime + s.stime;
  };
  const history: { at: number; ticks: number }[] = [];
  const sampler = setInterval(() => history.push({ at: Date.now(), ticks: ticks() }), 50);
  t.after(() => clearInterval(sampler));
  // A window from the supervisor's second sample on (5 s after the start), so that the idle one's
  // figure is not its node start-up.
  const startedAt = Date.now();
  const figures = await waitForAsync('CPU figures over a window after the start-up', async () => {
    const [busy, idle] = await Promise.all([usageOf(home, 'busy'), usageOf(home, 'idle')]);
    const after = (u: Usage | undefined): boolean => u?.cpu !== undefined && (u.cpuWindow ?? 0) >= 1 && Date.now() - (u.cpuWindow as number) * 1000 > startedAt + 1000;
    return after(busy) && after(idle) ? { busy: busy as Usage, idle: idle as Usage, at: Date.now(), ticks: ticks() } : undefined;
  }, 20_000);
  clearInterval(sampler);
  const from = figures.at - (figures.busy.cpuWindow as number) * 1000;
  const start = history.reduce((best, h) => (Math.abs(h.at - from) < Math.abs(best.at - from) ? h : best), history[0] as { at: number; ticks: number });
  const real = ((figures.ticks - start.ticks) / clockTicks() / ((figures.at - start.at) / 1000)) * 100;
  assert.ok(Math.abs((figures.busy.cpu as number) - real) < 25, `busy: ${figures.busy.cpu}% over ${figures.busy.cpuWindow} s; /proc says ${real.toFixed(1)}%`);
  // No share of a core is promised to a busy loop on a loaded machine: it is told apart from the idle one.
  assert.ok((figures.busy.cpu as number) > (figures.idle.cpu as number), `busy: ${figures.busy.cpu}%, idle: ${figures.idle.cpu}%`);
  assert.ok((figures.idle.cpu ?? 100) < 3, `idle: ${figures.idle.cpu}% over ${figures.idle.cpuWindow} s`);
  const table = await xd(home, ['list']);
  assert.match(table.stdout, /^\d+ +busy +running +\d+ +\d+ +\S+ +\d+\.\d% +[\d.]+ MB /m, table.stdout);
});

test('several instances: each instance its own CPU and memory (busy instance 1, idle instance 0), the daemon their sum', async (t) => {
  const home = newHome(t);
  const script = "if (process.env.XDAEMON_INSTANCE === '1') for (;;) {} else setInterval(() => {}, 1 << 30)";
  await startDaemon(home, ['--name', 'pair', '--instances', '2', '--', process.execPath, '-e', script]);
  await workerRunning(home, 'pair');
  type Instance = { instance: number; workerPid?: number; usage?: Usage };
  const startedAt = Date.now();
  const s = await waitForAsync('CPU figures of both instances over a window after the start-up', async () => {
    const exit = await xd(home, ['status', '--json', 'pair']);
    const st = JSON.parse(exit.stdout) as { usage?: Usage; instances?: Instance[] };
    const after = (u: Usage | undefined): boolean => u?.cpu !== undefined && (u.cpuWindow ?? 0) >= 1 && Date.now() - (u.cpuWindow as number) * 1000 > startedAt + 1000;
    return st.instances?.length === 2 && st.instances.every((i) => after(i.usage)) ? st : undefined;
  }, 20_000);
  const [idle, busy] = s.instances as [Instance, Instance];
  // No share of a core is promised to a busy loop on a loaded machine: each instance has its own figure.
  assert.ok((busy.usage?.cpu as number) > (idle.usage?.cpu as number), `instance 0 (idle): ${idle.usage?.cpu}%, instance 1: ${busy.usage?.cpu}%`);
  assert.ok((idle.usage?.cpu ?? 100) < 3, `instance 0 (idle): ${idle.usage?.cpu}%`);
  assert.ok((idle.usage?.rss ?? 0) > 5 * MB && (busy.usage?.rss ?? 0) > 5 * MB);
  assert.equal(s.usage?.rss, (idle.usage?.rss as number) + (busy.usage?.rss as number), 'the daemon: both trees');
  assert.equal(s.usage?.processes, 2);
  const table = await xd(home, ['list']);
  assert.match(table.stdout, /^ +pair\[0\] +\S+ +\d+ +\S+ +\d+\.\d% +[\d.]+ MB /m, table.stdout);
  assert.match(table.stdout, /^ +pair\[1\] +\S+ +\d+ +\S+ +\d+\.\d% +[\d.]+ MB /m, table.stdout);
  assert.deepEqual(sumUsage([{ cpu: 1.25, cpuWindow: 4, rss: 10, processes: 1, supervisorRss: 7 }, { cpu: 2, cpuWindow: 5, rss: 20, pss: 5, processes: 2, supervisorRss: 7 }]), { cpu: 3.3, cpuWindow: 5, rss: 30, processes: 3, supervisorRss: 7 }, 'a PSS unknown for one is unknown for the sum');
  assert.deepEqual(sumUsage([{ rss: 10, processes: 1, supervisorRss: 7 }, undefined]), { supervisorRss: 7 }, 'an instance unknown: no sum');
});

test('CPU over a window: the newest sample at least 0.5 s old; unknown rather than low when time went missing', () => {
  const samples = [
    { at: 10_000, ticks: 100 },
    { at: 15_000, ticks: 350 },
  ];
  assert.deepEqual(cpuPercent(samples, 450, 16_000), { cpu: 100, window: 1 });
  assert.deepEqual(cpuPercent(samples, 400, 15_200), { cpu: 57.7, window: 5.2 }, 'the newest is too recent: the one before');
  assert.equal(cpuPercent(samples, 300, 16_000), undefined, 'fewer ticks than sampled: a member ended unwaited for');
  assert.equal(cpuPercent([{ at: 10_000, ticks: 0 }], 10, 10_100), undefined, 'no window long enough');
  assert.equal(formatBytes(530 * MB + 200 * 1024), '530.2 MB');
  const ps = parsePs('  10   10  2048  1,5\n  11   10  1024 98.0\n  12   12  512 0.0\n  ps: garbage line\n   1    1   100');
  assert.deepEqual(ps.map((l) => l.pid), [10, 11, 12], 'what it cannot read is left out');
  assert.deepEqual(usageFromPs(ps, 12, 10), { cpu: 99.5, rss: 3072 * 1024, processes: 2, supervisorRss: 512 * 1024 });
  assert.deepEqual(usageFromPs(ps, 12, 99), { supervisorRss: 512 * 1024 }, 'no such group: the supervisor only');
  assert.equal(usageFromPs(ps, 99, 10), undefined, 'no such supervisor: unknown');
  assert.equal(formatBytes(512), '512 B');
  const row = { name: 'x', state: 'stopped' as const, pidFile: '/p', starts: 0, restarts: 0, errors: 0, maxCount: 0, maxError: 3, command: [], logFile: '' };
  assert.match(listTable([row], 0), /^0 +x +stopped +- +- +- +- +- +- +- +- +- +-$/m, 'unknown: -');
});

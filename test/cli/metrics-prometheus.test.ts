/**
 * `xdaemon metrics` scraped by a real Prometheus (Debian's prometheus package; CI installs it,
 * where a missing one fails): the exporter runs as a daemon itself, as the README says to run it;
 * Prometheus on 127.0.0.1 with a scrape interval of 1 s and its storage in a temp folder scrapes
 * it; its HTTP API then says that the restarts of a daemon whose worker the test killed twice are
 * 2 and that its memory is what `xdaemon list --json` says, within 10 %, with the instance label
 * filed as `exported_instance`. `promtool check metrics` passes on a scrape, and a scrape asks no
 * supervisor (one stopped with SIGSTOP does not slow it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import { CLI, WORKER, newHome, startDaemon, waitForAsync, workerRunning, xd } from '../support/cli';
import type * as Library from '../../src/index';
import { ROOT, cleanup, tempDir } from '../support/fixtures';
import { freePort, signal, start, stopAndWait } from '../support/harness';

after(cleanup);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const library = require(join(ROOT, 'dist', 'index.js')) as typeof Library;

const HAS_PROMETHEUS = spawnSync('prometheus', ['--version']).error === undefined && spawnSync('promtool', ['--version']).error === undefined;

/** Whether the test can run: Prometheus is there; in CI its absence is a failure, never a skip. */
function needPrometheus(t: TestContext): boolean {
  if (HAS_PROMETHEUS) return true;
  assert.notEqual(process.env.CI, 'true', 'prometheus and promtool (Debian: prometheus) must be installed in CI');
  t.skip('prometheus is not installed (Debian: apt-get install prometheus)');
  return false;
}

/** GET `url`: its status and body. */
async function get(url: string): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), ms: performance.now() - t0 };
}

/** One sample of a Prometheus instant query's answer. */
interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** The samples Prometheus answers `query` with now. */
async function query(base: string, promql: string): Promise<Sample[]> {
  const { status, body } = await get(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  assert.equal(status, 200, body);
  return (JSON.parse(body) as { data: { result: Sample[] } }).data.result;
}

test('a real Prometheus scrapes the exporter: restarts of a worker killed twice read 2, memory as list says, promtool passes', async (t) => {
  if (!needPrometheus(t)) return;
  const home = newHome(t);
  const exporterPort = await freePort();
  // The exporter as the README runs it: a daemon like any other.
  await startDaemon(home, ['--name', 'metrics', '--', process.execPath, CLI, 'metrics', '--listen', `127.0.0.1:${exporterPort}`]);
  await startDaemon(home, ['--name', 'crash', '--', process.execPath, WORKER]);
  const target = `http://127.0.0.1:${exporterPort}/metrics`;
  await waitForAsync('the exporter', async () => ((await get(target).catch(() => undefined))?.status === 200 ? true : undefined));

  const dir = tempDir();
  const promPort = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:', '  - job_name: xdaemon', '    static_configs:', `      - targets: ['127.0.0.1:${exporterPort}']`, ''].join('\n'),
  );
  const prometheus = start('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn']);
  t.after(() => stopAndWait([prometheus.pid], 15_000).catch(() => signal(prometheus.pid, 'SIGKILL')));
  const base = `http://127.0.0.1:${promPort}`;
  await waitForAsync('Prometheus ready', async () => ((await get(`${base}/-/ready`).catch(() => undefined))?.status === 200 ? true : undefined), 60_000, 200);

  // The worker killed twice: each time a new one starts (an exit is a restart of its cause).
  let worker = await workerRunning(home, 'crash');
  for (let i = 0; i < 2; i++) {
    signal(worker.workerPid as number, 'SIGKILL');
    worker = await workerRunning(home, 'crash', worker.workerPid);
  }
  const restarts = await waitForAsync('Prometheus to have the 2 restarts', async () => {
    const [s] = await query(base, 'sum by (name) (xdaemon_restarts_total{name="crash"})');
    return s?.value[1] === '2' ? s : undefined;
  }, 30_000, 250);
  assert.equal(restarts.metric.name, 'crash');
  const [byCause] = await query(base, 'xdaemon_restarts_total{name="crash",cause="exit"}');
  assert.equal(byCause?.value[1], '2', 'by cause: both were exits');
  assert.equal(byCause?.metric.exported_instance, '0', "the exporter's instance label, filed beside Prometheus' own");
  assert.equal(byCause?.metric.instance, `127.0.0.1:${exporterPort}`);
  const [up] = await query(base, 'xdaemon_worker_up{name="crash"}');
  assert.equal(up?.value[1], '1');

  // Its memory as `xdaemon list --json` says it, within 10 %.
  const listed = await waitForAsync('list and Prometheus on the same worker', async () => {
    const [rss] = await query(base, 'xdaemon_worker_resident_memory_bytes{name="crash"}');
    const [pid] = await query(base, 'xdaemon_worker_start_time_seconds{name="crash"}');
    const list = JSON.parse((await xd(home, ['list', '--json'])).stdout) as { name: string; workerPid?: number; workerStartedAt?: string; usage?: { rss?: number } }[];
    const crash = list.find((d) => d.name === 'crash');
    if (rss === undefined || crash?.usage?.rss === undefined || pid === undefined) return undefined;
    // The same worker: Prometheus' last scrape is of the worker list sees.
    if (Number(pid.value[1]) * 1000 !== Date.parse(crash.workerStartedAt ?? '')) return undefined;
    return { prometheus: Number(rss.value[1]), list: crash.usage.rss };
  }, 30_000, 250);
  assert.ok(Math.abs(listed.prometheus - listed.list) <= 0.1 * listed.list, `Prometheus ${listed.prometheus} B, list ${listed.list} B`);

  // The exporter's own: the daemons it sees (itself too) and its scrape's duration.
  const [daemons] = await query(base, 'xdaemon_exporter_daemons');
  assert.equal(daemons?.value[1], '2');
  assert.equal((await query(base, 'xdaemon_exporter_scrape_duration_seconds')).length, 1);

  // promtool check metrics on a scrape.
  const scrape = await get(target);
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: scrape.body, encoding: 'utf8' });
  assert.equal(promtool.status, 0, `promtool: ${promtool.stdout}${promtool.stderr}`);
  assert.match(scrape.body, /^xdaemon_supervisor_up\{name="crash"\} 1$/m);
});

test('a scrape asks no supervisor: one stopped with SIGSTOP is told from its state file, at once', async (t) => {
  const home = newHome(t);
  const spid = await startDaemon(home, ['--name', 'frozen', '--', process.execPath, WORKER]);
  await workerRunning(home, 'frozen');
  const port = await freePort();
  await startDaemon(home, ['--name', 'metrics', '--', process.execPath, CLI, 'metrics', '--listen', `127.0.0.1:${port}`]);
  const target = `http://127.0.0.1:${port}/metrics`;
  await waitForAsync('the exporter', async () => ((await get(target).catch(() => undefined))?.status === 200 ? true : undefined));
  // The exporter reads PSS; a client that asks every second (monit) leaves it out.
  const pidFile = join(home.dir, 'frozen.pid');
  const [full, light] = await Promise.all([library.status(pidFile), library.status(pidFile, { pss: false })]);
  assert.ok(full.usage?.pss !== undefined && full.usage.rss !== undefined, JSON.stringify(full.usage));
  assert.ok(light.usage?.pss === undefined && light.usage?.rss !== undefined && light.usage.cpuTime !== undefined, JSON.stringify(light.usage));
  signal(spid, 'SIGSTOP');
  t.after(() => signal(spid, 'SIGCONT'));
  // A question to a stopped supervisor would wait out its 2 s timeout.
  const scrape = await get(target);
  signal(spid, 'SIGCONT');
  assert.equal(scrape.status, 200);
  assert.ok(scrape.ms < 1500, `the scrape took ${scrape.ms} ms`);
  assert.match(scrape.body, /^xdaemon_supervisor_up\{name="frozen"\} 1$/m);
  assert.match(scrape.body, /^xdaemon_worker_resident_memory_bytes\{name="frozen",instance="0"\} \d+$/m);
  assert.match(scrape.body, /^xdaemon_worker_proportional_memory_bytes\{name="frozen",instance="0"\} \d+$/m);
  assert.match(scrape.body, /^xdaemon_exporter_status_failures 0$/m);
  const notFound = await get(`http://127.0.0.1:${port}/nothing`);
  assert.equal(notFound.status, 404);
});

test('bad --listen is a usage error (exit 2); a port in use, exit 1 naming it', async (t) => {
  const home = newHome(t);
  const bad = await xd(home, ['metrics', '--listen', 'nowhere:99999']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /^xdaemon: --listen: listen address "nowhere:99999": the port must be a number from 1 to 65535$/m);
  const port = await freePort();
  const first = start(process.execPath, [CLI, 'metrics', '--listen', `127.0.0.1:${port}`], { env: home.env });
  t.after(() => signal(first.pid, 'SIGKILL'));
  await waitForAsync('the first exporter', async () => (first.stdout.includes(`serving metrics at http://127.0.0.1:${port}/metrics`) ? true : undefined));
  const second = await xd(home, ['metrics', '--listen', `127.0.0.1:${port}`]);
  assert.equal(second.code, 1);
  assert.match(second.stderr, new RegExp(`^xdaemon: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`, 'm'));
  signal(first.pid, 'SIGTERM');
  assert.equal((await first.done).code, 0, 'SIGTERM ends it with exit 0');
});

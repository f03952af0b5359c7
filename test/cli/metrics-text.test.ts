/**
 * The exporter's text without a server: every family with its HELP and TYPE, the labels `name`
 * and `instance` (and `cause`, `state`), restarts by cause summing to the count `list` shows, the
 * state set, what a stopped daemon still has, label values escaped, and `promtool check metrics`
 * (Debian's prometheus package; CI installs it, where a missing promtool fails) passing on it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { DaemonStatus } from '../../src/control/daemon-status';
import { METRICS, exposition } from '../../src/cli/metrics/exposition';
import { restartsOfEveryCause } from '../../src/fleet/restart-count';

const web: DaemonStatus & { name: string } = {
  name: 'web',
  state: 'running',
  pidFile: '/s/web.pid',
  pid: 10,
  workerPid: 100,
  startedAt: '2026-01-01T00:00:00.000Z',
  workerStartedAt: '2026-01-01T00:00:02.500Z',
  starts: 4,
  restarts: 1,
  reloads: 1,
  errors: 0,
  maxCount: 0,
  maxError: 3,
  ready: true,
  command: ['x'],
  logFile: '/s/web.log',
  usage: { rss: 90, supervisorRss: 40 },
  instances: [
    { instance: 0, workerPid: 100, workerStartedAt: '2026-01-01T00:00:02.500Z', ready: true, restarting: false, starts: 3, restarts: 1, reloads: 0, errors: 0, usage: { cpuTime: 1.25, rss: 50, pss: 20, processes: 2 }, health: { state: 'healthy' } },
    { instance: 1, ready: false, restarting: true, starts: 1, restarts: 0, reloads: 1, errors: 1, health: { state: 'unhealthy', lastFailure: { at: 'x', reason: 'y' } } },
  ],
};
const off: DaemonStatus & { name: string } = { name: 'o"ff\\', state: 'stopped', pidFile: '/s/off.pid', starts: 0, restarts: 0, errors: 0, maxCount: 0, maxError: 0, command: [], logFile: '', ended: { at: 'x', code: 1, signal: null, reason: 'giving up', unwritten: [] } };

const text = exposition({ daemons: [{ status: web, memoryLimit: 512 * 1024 * 1024 }, { status: off }], failures: 1 }, () => 0.0042);

/** The value of the sample `series` (its name and labels as written), or undefined. */
function sample(series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('every family has its HELP and TYPE once; counters end in _total, sizes in _bytes, times in _seconds', () => {
  for (const [name, { type }] of Object.entries(METRICS)) {
    assert.match(name, /^xdaemon_[a-z_]+$/);
    if (type === 'counter') assert.match(name, /_total$/);
    if (/memory|limit/.test(name)) assert.match(name, /_bytes$/);
    if (/time|duration/.test(name) && !/_total$/.test(name)) assert.match(name, /_seconds$/);
  }
  for (const name of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) assert.equal(METRICS[name[1] as keyof typeof METRICS].type, name[2]);
  assert.equal(new Set([...text.matchAll(/^# HELP (\S+)/gm)].map((m) => m[1])).size, [...text.matchAll(/^# HELP /gm)].length, 'each family once');
  assert.ok(text.endsWith('\n'));
});

test('per daemon and instance: up, ready, health, restarts by cause (their sum is list\'s count), starts, CPU seconds, memory, start times, the limit', () => {
  assert.equal(sample('xdaemon_supervisor_up{name="web"}'), 1);
  assert.equal(sample('xdaemon_supervisor_start_time_seconds{name="web"}'), Date.parse(web.startedAt as string) / 1000);
  assert.equal(sample('xdaemon_supervisor_resident_memory_bytes{name="web"}'), 40);
  assert.equal(sample('xdaemon_memory_limit_bytes{name="web"}'), 512 * 1024 * 1024);
  assert.equal(sample('xdaemon_daemon_state{name="web",state="running"}'), 1);
  assert.equal(sample('xdaemon_daemon_state{name="web",state="errored"}'), 0);
  assert.equal(sample('xdaemon_worker_up{name="web",instance="0"}'), 1);
  assert.equal(sample('xdaemon_worker_up{name="web",instance="1"}'), 0);
  assert.equal(sample('xdaemon_worker_ready{name="web",instance="1"}'), 0);
  assert.equal(sample('xdaemon_worker_healthy{name="web",instance="0"}'), 1);
  assert.equal(sample('xdaemon_worker_healthy{name="web",instance="1"}'), 0);
  assert.equal(sample('xdaemon_restarts_total{name="web",instance="0",cause="exit"}'), 2);
  assert.equal(sample('xdaemon_restarts_total{name="web",instance="0",cause="restart"}'), 1);
  assert.equal(sample('xdaemon_restarts_total{name="web",instance="1",cause="reload"}'), 1);
  const all = [...text.matchAll(/^xdaemon_restarts_total\{name="web",.*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  assert.equal(all, restartsOfEveryCause(web), "summed over instance and cause: list's count");
  assert.equal(sample('xdaemon_worker_starts_total{name="web",instance="0"}'), 3);
  assert.equal(sample('xdaemon_worker_consecutive_failures{name="web",instance="1"}'), 1);
  assert.equal(sample('xdaemon_worker_start_time_seconds{name="web",instance="0"}'), 1767225602.5);
  assert.equal(sample('xdaemon_worker_cpu_seconds_total{name="web",instance="0"}'), 1.25);
  assert.equal(sample('xdaemon_worker_resident_memory_bytes{name="web",instance="0"}'), 50);
  assert.equal(sample('xdaemon_worker_proportional_memory_bytes{name="web",instance="0"}'), 20);
  assert.equal(sample('xdaemon_worker_processes{name="web",instance="0"}'), 2);
  assert.equal(sample('xdaemon_worker_cpu_seconds_total{name="web",instance="1"}'), undefined, 'no worker: no usage');
});

test('a stopped daemon: its supervisor down and its state, no instance series; label values escaped; the exporter\'s own', () => {
  const name = 'name="o\\"ff\\\\"';
  assert.equal(sample(`xdaemon_supervisor_up{${name}}`), 0);
  assert.equal(sample(`xdaemon_daemon_state{${name},state="errored"}`), 1);
  assert.doesNotMatch(text, /xdaemon_worker_\w+\{name="o/);
  assert.equal(sample('xdaemon_exporter_daemons'), 2);
  assert.equal(sample('xdaemon_exporter_status_failures'), 1);
  assert.equal(sample('xdaemon_exporter_scrape_duration_seconds'), 0.0042);
  assert.match(text, /xdaemon_exporter_scrape_duration_seconds 0\.0042\n$/, 'the duration last: it covers the writing');
});

test('promtool check metrics passes on the text', (t) => {
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if ((promtool.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    assert.notEqual(process.env.CI, 'true', 'promtool (Debian: prometheus) must be installed in CI');
    t.skip('promtool is not installed (Debian: apt-get install prometheus)');
    return;
  }
  assert.equal(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`);
});

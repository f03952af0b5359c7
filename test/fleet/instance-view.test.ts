/**
 * What every face that shows instances reads of a status: restarts of every cause (one count for
 * `list`, `monit` and the exporter), the state words (errored only for a daemon that gave up),
 * health where the status has it, and one view per instance with its own usage. Pure.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DaemonStatus, InstanceReport } from '../../src/control/daemon-status';
import { daemonWord, healthWord, instanceViews } from '../../src/fleet/instance-view';
import { instanceRestarts, restartCauses, restartsOfEveryCause } from '../../src/fleet/restart-count';

const running: DaemonStatus = { state: 'running', pidFile: '/s/a.pid', pid: 10, workerPid: 11, startedAt: '2026-01-01T00:00:00Z', workerStartedAt: '2026-01-01T00:00:01Z', starts: 1, restarts: 0, reloads: 0, errors: 0, maxCount: 0, maxError: 3, ready: true, command: ['x'], logFile: '/s/a.log' };
const instance = (n: number, extra: Partial<InstanceReport> = {}): InstanceReport => ({ instance: n, workerPid: 100 + n, workerStartedAt: '2026-01-01T00:00:01Z', ready: true, restarting: false, starts: 1, restarts: 0, reloads: 0, errors: 0, ...extra });

test('restarts of every cause: each start after the first is a restart after an exit, plus requests and reloads', () => {
  assert.deepEqual(restartCauses({ starts: 3, restarts: 2, reloads: 1 }), { exit: 2, restart: 2, reload: 1 });
  assert.equal(instanceRestarts({ starts: 3, restarts: 2, reloads: 1 }), 5);
  assert.equal(instanceRestarts({ starts: 0, restarts: 0 }), 0, 'a daemon that does not run: no negative count');
  assert.equal(restartsOfEveryCause({ ...running, starts: 3, restarts: 1 }), 3, 'no instance reports: the daemon\'s counters');
  // Each instance's first start is no restart: two instances started once each have restarted 0 times.
  assert.equal(restartsOfEveryCause({ ...running, starts: 2, instances: [instance(0), instance(1)] }), 0);
  assert.equal(restartsOfEveryCause({ ...running, starts: 5, restarts: 1, reloads: 2, instances: [instance(0, { starts: 3, reloads: 1 }), instance(1, { starts: 2, restarts: 1, reloads: 1 })] }), 2 + 1 + 1 + 1 + 1);
});

test('state words: errored is a daemon that gave up, stopped one stopped on request; restarting and reloading while under way', () => {
  const ended = (code: number | null): DaemonStatus['ended'] => ({ at: '2026-01-01T00:00:00Z', code, signal: code === null ? 'SIGSEGV' : null, reason: 'x', unwritten: [] });
  assert.equal(daemonWord({ state: 'stopped' }), 'stopped', 'never started');
  assert.equal(daemonWord({ state: 'stopped', ended: ended(0) }), 'stopped');
  assert.equal(daemonWord({ state: 'stopped', ended: ended(1) }), 'errored');
  assert.equal(daemonWord({ state: 'stopped', ended: ended(null) }), 'errored', 'ended by a signal it does not handle');
  assert.equal(daemonWord({ state: 'dead' }), 'dead');
  assert.equal(daemonWord({ state: 'restarting', reloading: false }), 'restarting');
  assert.equal(daemonWord({ state: 'running', reloading: true }), 'reloading');
  assert.equal(daemonWord({ state: 'running' }), 'running');
});

test('one view per instance, each with its own usage, state and health; one for a daemon that does not run', () => {
  const usage0 = { cpu: 1, cpuTime: 2, rss: 3 };
  const several = instanceViews({
    ...running,
    name: 'web',
    usage: { rss: 99 },
    instances: [instance(0, { usage: usage0, health: { state: 'unhealthy', lastFailure: { at: '2026-01-01T00:00:05Z', reason: 'HTTP 500' } } }), instance(1, { ready: false, restarting: true, workerPid: undefined, starts: 2 })],
  });
  assert.deepEqual(
    several.map((v) => [v.name, v.instance, v.state, v.health, v.workerPid, v.restarts.exit, v.usage]),
    [
      ['web', 0, 'ready', 'unhealthy', 100, 0, usage0],
      ['web', 1, 'restarting', undefined, undefined, 1, undefined],
    ],
  );
  const one = instanceViews({ ...running, name: 'api', usage: { rss: 7 }, instances: [instance(0, { ready: false })] });
  assert.deepEqual(one.map((v) => [v.state, v.usage?.rss]), [['running', 7]], "one instance: the daemon's usage");
  const reloading = instanceViews({ ...running, name: 'api', reloading: true, instances: [instance(0), instance(1)] });
  assert.deepEqual(reloading.map((v) => v.state), ['reloading', 'reloading']);
  const stopped = instanceViews({ name: 'off', state: 'stopped', pidFile: '/s/off.pid', starts: 0, restarts: 0, errors: 0, maxCount: 0, maxError: 0, command: [], logFile: '', ended: { at: 'x', code: 1, signal: null, reason: 'giving up', unwritten: [] } });
  assert.deepEqual(stopped.map((v) => [v.name, v.state, v.workerPid, v.ready]), [['off', 'errored', undefined, false]]);
  assert.equal(healthWord('healthy'), 'healthy', 'a bare word is taken too');
  assert.equal(healthWord(undefined), undefined);
});

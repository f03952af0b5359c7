/**
 * The one mapping from a Supervisor's own status to what its process tells `status()` (the control
 * answer and the state file's record): times as ISO strings, counters flattened, absent values
 * left out, CPU samples per instance only when there are several. No process.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CpuSample } from '../../src/control/protocol';
import { liveStatus } from '../../src/daemon-process/live-status';
import type { Counters, SupervisorStatus } from '../../src/supervisor/supervisor-api';

const counters: Counters = { starts: 2, restarts: 1, reloads: 0, errors: 1, maxCount: 0, maxError: 3 };
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const sample = (workerPid: number): CpuSample => ({ workerPid, starttime: 1, token: 't', samples: [{ at: T0, ticks: 5 }], members: [] });
const facts = { pid: 100, pidFile: '/s/app.pid', startedAt: new Date(T0), logFile: '/s/app.log', sampleOf: (i: number) => sample(200 + i) };

const running: SupervisorStatus = {
  state: 'running',
  workerPid: 200,
  startedAt: T0,
  workerStartedAt: T0 + 1000,
  ready: true,
  counters,
  lastExit: { code: 1, signal: null, seconds: 0.5, at: T0 + 500 },
  command: ['/usr/bin/node', 'app.js'],
  instances: [{ instance: 0, workerPid: 200, workerStartedAt: T0 + 1000, ready: true, restarting: false, counters, lastExit: undefined }],
  reloading: false,
  listen: [],
};

test('one instance: the status, its times as ISO strings, the CPU sample of the daemon only', () => {
  assert.deepEqual(liveStatus(running, facts), {
    state: 'running',
    pidFile: '/s/app.pid',
    pid: 100,
    workerPid: 200,
    startedAt: '2026-01-01T00:00:00.000Z',
    workerStartedAt: '2026-01-01T00:00:01.000Z',
    starts: 2,
    restarts: 1,
    reloads: 0,
    errors: 1,
    maxCount: 0,
    maxError: 3,
    ready: true,
    lastExit: { code: 1, signal: null, seconds: 0.5, at: '2026-01-01T00:00:00.500Z' },
    command: ['/usr/bin/node', 'app.js'],
    logFile: '/s/app.log',
    instances: [{ instance: 0, workerPid: 200, workerStartedAt: '2026-01-01T00:00:01.000Z', ready: true, restarting: false, starts: 2, restarts: 1, reloads: 0, errors: 1 }],
    reloading: false,
    listen: [],
    cpuSample: sample(200),
  });
});

test('an instance waiting out a restart delay makes the daemon restarting; several instances carry their own samples', () => {
  const waiting = { instance: 1, workerPid: undefined, workerStartedAt: undefined, ready: false, restarting: true, counters, lastExit: undefined };
  const live = liveStatus({ ...running, instances: [...running.instances, waiting] }, facts);
  assert.equal(live.state, 'restarting');
  assert.deepEqual(live.instances.map((i) => [i.instance, i.workerPid, i.cpuSample?.workerPid]), [
    [0, 200, 200],
    [1, undefined, 201],
  ]);
  assert.equal('workerPid' in (live.instances[1] as object), false, 'absent, not undefined: the state file is JSON');
});

/**
 * The decisions of `xdaemon run FILE` (src/daemon-process/fleet-state.ts), the labels of its lines
 * (src/log/line-format.ts) and its command line (src/cli/run-file.ts), as pure functions: no
 * process. The end-to-end tests (test/cli/run-file.test.ts) see the same through real ones.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRun } from '../../src/cli/run';
import { probeAddressOf } from '../../src/cli/run-file';
import { type AppView, FleetEnd, livez, notReadyBecause, readyz } from '../../src/daemon-process/fleet-state';
import { formatLine, labelWidth } from '../../src/log/line-format';
import type { InstanceStatus, SupervisorStatus } from '../../src/supervisor/supervisor-api';

const counters = { starts: 1, restarts: 0, reloads: 0, errors: 0, maxCount: 0, maxError: 3 };

function instance(n: number, over: Partial<InstanceStatus> = {}): InstanceStatus {
  return { instance: n, workerPid: 100 + n, workerStartedAt: 1, ready: false, restarting: false, counters, lastExit: undefined, ...over };
}

function status(instances: InstanceStatus[], state: SupervisorStatus['state'] = 'running'): SupervisorStatus {
  return { state, workerPid: instances[0]?.workerPid, startedAt: 1, workerStartedAt: 1, ready: false, counters, lastExit: undefined, command: ['x'], instances, reloading: false, listen: [] };
}

const app = (name: string, over: Partial<AppView> = {}): AppView => ({ name, status: status([instance(0)]), needsReady: false, endCode: undefined, ...over });

test('an app is ready once every instance has a worker, and said so where it must', () => {
  assert.equal(notReadyBecause(app('a')), undefined);
  assert.equal(notReadyBecause(app('a', { needsReady: true })), 'not ready yet');
  assert.equal(notReadyBecause(app('a', { needsReady: true, status: status([instance(0, { ready: true }), instance(1)]) })), 'instance 1 not ready yet');
  assert.equal(notReadyBecause(app('a', { status: status([instance(0, { restarting: true, workerPid: undefined })]) })), 'restarting');
  assert.equal(notReadyBecause(app('a', { status: undefined })), 'not started');
  assert.equal(notReadyBecause(app('a', { status: status([], 'stopping') })), 'stopping');
  assert.equal(notReadyBecause(app('a', { endCode: 1 })), 'gave up');
  assert.equal(notReadyBecause(app('a', { endCode: 0 })), 'ended');
  const failing = { state: 'unhealthy' as const, failures: 3, lastFailure: { answer: 'HTTP 500', at: 1 } };
  assert.equal(notReadyBecause(app('a', { needsReady: true, status: status([instance(0, { ready: true, health: failing })]) })), 'unhealthy: HTTP 500');
});

test('/readyz: 200 when all are ready, else 503 naming each that is not; 503 for all while stopping', () => {
  assert.deepEqual(readyz([app('a'), app('b')], false), { status: 200, body: { ready: true } });
  assert.deepEqual(readyz([app('a'), app('b', { needsReady: true })], false), { status: 503, body: { ready: false, notReady: [{ app: 'b', why: 'not ready yet' }] } });
  assert.deepEqual(readyz([app('a')], true), { status: 503, body: { ready: false, notReady: [{ app: 'a', why: 'stopping' }] } });
});

test('/livez: 503 naming an app that gave up, unless keepRunning; an app that ended with 0 is no failure', () => {
  assert.deepEqual(livez([app('a'), app('b', { endCode: 0 })], false), { status: 200, body: { live: true } });
  assert.deepEqual(livez([app('a'), app('b', { endCode: 1 })], false), { status: 503, body: { live: false, gaveUp: ['b'] } });
  assert.deepEqual(livez([app('a'), app('b', { endCode: 1 })], true), { status: 200, body: { live: true } });
});

test('the end: a give-up stops all (exit 1) unless keepRunning; a stop asked first makes later ends no failure', () => {
  const end = new FleetEnd(false);
  assert.equal(end.ended('done', 0), 'carry-on');
  assert.equal(end.ended('bad', 1), 'stop-all');
  assert.equal(end.ended('other', 1), 'carry-on', 'the stop is under way');
  assert.equal(end.exitCode, 1);
  assert.deepEqual(end.failed, ['bad']);
  const kept = new FleetEnd(true);
  assert.equal(kept.ended('bad', 1), 'carry-on');
  assert.equal(kept.exitCode, 1);
  const stopped = new FleetEnd(false);
  stopped.stop();
  assert.equal(stopped.ended('a', 1), 'carry-on');
  assert.equal(stopped.exitCode, 0);
});

test('lines: labelled and padded in text (instance with several, time for xdaemon lines and timestamps), JSON with five fields', () => {
  const labels = { format: 'text' as const, instanced: (a: string) => a === 'web', timestamps: (a: string) => a === 'clock', width: labelWidth([{ name: 'web', instances: 2 }, { name: 'db', instances: 1 }]) };
  const time = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
  assert.equal(labels.width, 6);
  assert.equal(formatLine({ app: 'web', instance: 1, stream: 'out', line: 'hello', time }, labels), 'web[1] | hello\n');
  assert.equal(formatLine({ app: 'db', instance: 0, stream: 'err', line: 'x', time }, labels), 'db     | x\n');
  assert.equal(formatLine({ app: 'clock', instance: 0, stream: 'out', line: 'x', time }, labels), 'clock  | 2026-01-02T03:04:05.006Z x\n');
  assert.equal(formatLine({ app: 'db', instance: null, stream: 'xdaemon', line: 'xdaemon[7] started', time }, labels), 'db     | 2026-01-02T03:04:05.006Z xdaemon[7] started\n');
  assert.equal(formatLine({ app: null, instance: null, stream: 'xdaemon', line: 'xdaemon[7] exiting', time }, labels), '2026-01-02T03:04:05.006Z xdaemon[7] exiting\n');
  assert.equal(
    formatLine({ app: 'web', instance: 0, stream: 'out', line: 'say "hi"', time }, { ...labels, format: 'json' }),
    '{"time":"2026-01-02T03:04:05.006Z","app":"web","instance":0,"stream":"out","line":"say \\"hi\\""}\n',
  );
});

test('run FILE reads its own flags; the forms of --probe-listen', () => {
  const request = parseRun(['./fleet.json', '--log-format', 'json', '--probe-listen', ':9000', '--kill-timeout', '2500', '--keep-running', '--only', 'a,b']);
  assert.ok(request.verb === 'run' && request.fleet !== undefined);
  assert.deepEqual(request.fleet, { file: './fleet.json', only: ['a', 'b'], envSet: undefined, env: {}, logFormat: 'json', keepRunning: true, killTimeout: 2500, probe: { host: '', port: 9000 } });
  assert.deepEqual(probeAddressOf('9000'), { host: '', port: 9000 });
  assert.deepEqual(probeAddressOf('127.0.0.1:9000'), { host: '127.0.0.1', port: 9000 });
  assert.deepEqual(probeAddressOf('[::1]:9000'), { host: '::1', port: 9000 });
  assert.throws(() => probeAddressOf('x=9000'), /an orchestrator probes a TCP port/);
  assert.throws(() => probeAddressOf(':0'), /--probe-listen ":0": the port must be a number from 1 to 65535/);
  const command = parseRun(['--max-count', '1', '--', 'true']);
  assert.ok(command.verb === 'run' && command.fleet === undefined, 'run -- cmd as before');
});

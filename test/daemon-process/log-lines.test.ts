/**
 * The supervisor's own log lines, as pure functions of what happened (src/daemon-process/
 * log-lines.ts): no process. The end-to-end tests match the same lines in real logs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  PID1_WARNING,
  countersText,
  endText,
  endingText,
  eventLine,
  exitingText,
  reloadDoneText,
  reopenText,
  requestText,
  restartFailedText,
  startedText,
} from '../../src/daemon-process/log-lines';
import { SUPERVISOR_EVENT_KINDS, type Counters, type SupervisorEvents } from '../../src/supervisor/supervisor-api';

const counters: Counters = { starts: 3, restarts: 0, reloads: 0, errors: 1, maxCount: 0, maxError: 3 };
const C = '(count 3/unlimited; errors 1/3)';

test('counters as Go writes them, restarts and reloads only once there are some', () => {
  assert.equal(countersText(counters), C);
  assert.equal(countersText({ ...counters, maxCount: 5, restarts: 2, reloads: 1 }), '(count 3/5; errors 1/3; restarts 2; reloads 1)');
});

test('the end of a supervision, for each reason', () => {
  assert.equal(endText({ code: 1, reason: 'maxError' }, { ...counters, errors: 4 }), 'giving up: 4 consecutive failures exceed maxError 3 (a failure is a run shorter than minExitTime, or a start that failed; 3 starts in all)');
  assert.equal(endText({ code: 0, reason: 'maxCount' }, { ...counters, maxCount: 3 }), 'done: maxCount 3 starts reached (count 3/3; errors 1/3)');
  assert.equal(endText({ code: 0, reason: 'success' }, counters), `done: the worker exited successfully and restart is on-failure ${C}`);
  assert.equal(endText({ code: 0, reason: 'never' }, counters), `done: the worker ran once (restart never) and succeeded ${C}`);
  assert.equal(endText({ code: 1, reason: 'never' }, counters), `done: the worker ran once (restart never) and failed ${C}`);
  assert.equal(endText({ code: 1, reason: 'not-ready' }, counters), `giving up: the first worker never said it was ready ${C}`);
  assert.equal(endText({ code: 0, reason: 'stop' }, counters), `stopped ${C}`);
  assert.equal(endText({ code: 1, reason: 'listen' }, counters), `giving up: a listen address could not be bound ${C}`);
});

/** A sample of each event's info. */
const SAMPLES: { [K in keyof SupervisorEvents]: SupervisorEvents[K][0] } = {
  start: { instance: 1, pid: 10, fromSpare: false, counters },
  'spare-exit': { instance: 1, pid: 11, code: null, signal: 'SIGKILL' },
  ready: { instance: 1, pid: 10, seconds: 0.25, counters, via: 'ready' },
  socket: { instance: 1, pid: 10, address: '*:3000', bound: true },
  drained: { instance: 1, pid: 10, seconds: 0.0125, outcome: 'drained' },
  exit: { instance: 1, pid: 10, code: null, signal: 'SIGKILL', seconds: 1.5, counters },
  restart: { instance: 1, delay: 200, counters },
  stop: { survivors: [], counters },
  giveup: { code: 1, reason: 'maxError', counters: { ...counters, errors: 4 } },
  'start-failed': { instance: 1, error: new Error('spawn ENOENT'), counters },
  stopping: { signal: 'SIGTERM', pid: 10, pids: [10, 12] },
  restarting: { instance: 1, pid: 10, counters },
  kill: { instance: 1, pid: 10, pids: [13], killTimeout: 500 },
  cleanup: { instance: 1, pid: 10, pids: [13, 14] },
  'not-ready': { instance: 1, pid: 10, waitReady: 1000, how: 'call ready()' },
  healthy: { instance: 1, pid: 10, seconds: 0.125, recovered: false, accepting: 'epoll' },
  'health-failed': { instance: 1, pid: 10, failures: 1, retries: 3, answer: 'HTTP 503' },
  unhealthy: { instance: 1, pid: 10, failures: 3, answer: 'no answer within 2000 ms' },
  listening: { sockets: [{ name: 'http', address: '127.0.0.1:8080', fd: 3 }] },
  reloading: { instances: 2 },
  'reload-start': { instance: 1, pid: 20, oldPid: 10 },
  'reload-ready': { instance: 1, pid: 20, oldPid: 10, seconds: 0.5, ready: false },
  reloaded: { instance: 1, pid: 20, oldPid: undefined, seconds: 0.75 },
  'reload-failed': { instance: 1, message: 'reload: instance 1: the replacement pid 20 died' },
  'auto-restart': { cause: 'memory', message: 'memory: instance 1 above 10 MB', instance: 1, pid: 10 },
  notice: { message: 'watch: cannot watch /x' },
};

test("each event's line, with its instance named only when there are several", () => {
  const lines = Object.fromEntries(SUPERVISOR_EVENT_KINDS.map((kind) => [kind, eventLine(kind, SAMPLES[kind] as never, 2)]));
  assert.deepEqual(lines, {
    start: `instance 1: worker started: pid 10 ${C}`,
    'spare-exit': 'instance 1: the spare pid 11 ended while waiting (SIGKILL): booting another',
    ready: 'instance 1: worker ready: pid 10 after 0.250 s',
    socket: 'instance 1: worker pid 10 listens on *:3000: the supervisor bound it and holds it from now on',
    drained: 'instance 1: worker pid 10 drained in 0.013 s: it stopped accepting and answered what it had',
    exit: `instance 1: worker exited: pid 10 after 1.500 s with signal SIGKILL ${C}`,
    restart: `instance 1: restart in 200 ms ${C}`,
    stop: `stopped ${C}`,
    giveup: 'giving up: 4 consecutive failures exceed maxError 3 (a failure is a run shorter than minExitTime, or a start that failed; 3 starts in all)',
    'start-failed': `instance 1: worker start failed: spawn ENOENT ${C}`,
    stopping: 'stopping: sending SIGTERM to worker pid 10, 12 and every process they started',
    restarting: `instance 1: restarting: stopping worker pid 10 and every process it started ${C}`,
    kill: 'instance 1: worker pid 10: 1 process(es) still running after killTimeout 500 ms: sending SIGKILL to 13',
    cleanup: 'instance 1: worker pid 10 left 2 process(es) running: stopping 13, 14',
    'not-ready': 'instance 1: worker pid 10 did not call ready() within 1000 ms: stopping it',
    listening: 'listening on 127.0.0.1:8080 (http, fd 3)',
    reloading: 'reload: 2 instance(s), one by one',
    'reload-start': 'reload: instance 1: new pid 20 started beside old pid 10',
    'reload-ready': 'reload: instance 1: new pid 20 up (reload grace over, no ready()) after 0.500 s: stopping old pid 10',
    reloaded: 'reload: instance 1: new pid 20 ready after 0.750 s; no old worker',
    'reload-failed': 'reload: instance 1: the replacement pid 20 died',
    'auto-restart': 'memory: instance 1 above 10 MB',
    healthy: 'instance 1: health: worker pid 10 passed its first check after 0.125 s (seen accepting: epoll)',
    'health-failed': 'instance 1: health: worker pid 10 failed its check (1/3): HTTP 503',
    unhealthy: 'instance 1: health: worker pid 10 is unhealthy: 3 failed checks in a row, the last: no answer within 2000 ms',
    notice: 'watch: cannot watch /x',
  });
  assert.equal(
    eventLine('not-ready', { instance: 0, pid: 10, waitReady: 60000, how: 'pass its health check', lastCheck: 'ECONNREFUSED' }, 1),
    'worker pid 10 did not pass its health check within 60000 ms (last check: ECONNREFUSED): stopping it',
  );
  assert.equal(eventLine('healthy', { instance: 0, pid: 10, seconds: 3, recovered: true }, 1), 'health: worker pid 10 passes its check again');
  assert.equal(eventLine('start', SAMPLES.start, 1), `worker started: pid 10 ${C}`);
  assert.equal(eventLine('exit', { ...SAMPLES.exit, code: 7, signal: null }, 1), `worker exited: pid 10 after 1.500 s with code 7 ${C}`);
  assert.equal(eventLine('start', { ...SAMPLES.start, fromSpare: true }, 1), `worker started: pid 10 ${C} from the spare`);
  assert.equal(eventLine('ready', { ...SAMPLES.ready, via: 'listening' }, 1), 'worker ready: pid 10 after 0.250 s (it listens)');
  assert.equal(eventLine('ready', { ...SAMPLES.ready, via: 'message' }, 1), "worker ready: pid 10 after 0.250 s (process.send('ready'))");
  assert.equal(eventLine('socket', { ...SAMPLES.socket, bound: false }, 1), "worker pid 10 listens on *:3000: the supervisor's socket");
  assert.equal(eventLine('socket', { ...SAMPLES.socket, error: 'EADDRINUSE' }, 1), 'worker pid 10 cannot listen on *:3000: EADDRINUSE');
  assert.equal(eventLine('drained', { ...SAMPLES.drained, outcome: 'timeout', seconds: 5 }, 1), 'worker pid 10 had not drained after killTimeout (5.000 s): stopping it anyway');
  assert.equal(eventLine('stopping', { signal: 'SIGTERM', pid: undefined, pids: [] }, 1), 'stopping: no worker running');
  assert.equal(eventLine('stopping', { signal: 'SIGINT', pid: 10, pids: [10] }, 1), 'stopping: sending SIGINT to worker pid 10 and every process it started');
  assert.equal(eventLine('stop', { survivors: [13], counters }, 1), `stopped, but SIGKILL did not end pid(s) 13 ${C}`);
});

test('requests, by who asked: a signal or the control channel', () => {
  const signal = (s: NodeJS.Signals) => ({ kind: 'signal' as const, signal: s });
  const control = { kind: 'control' as const };
  assert.equal(requestText('stop', signal('SIGINT')), 'received SIGINT: stopping, no further restarts');
  assert.equal(requestText('stop', control), 'stop requested through the control channel: stopping, no further restarts');
  assert.equal(requestText('restart', signal('SIGUSR2')), 'received SIGUSR2: restarting the worker');
  assert.equal(requestText('restart', control), 'restart requested through the control channel');
  assert.equal(requestText('reload', control), 'reload requested through the control channel');
  assert.equal(restartFailedText('the supervisor is stopping'), 'restart failed: the supervisor is stopping');
  assert.equal(reloadDoneText(counters), `reload done ${C}`);
  assert.equal(reopenText(signal('SIGHUP'), undefined), 'received SIGHUP: log file reopened');
  assert.equal(reopenText(signal('SIGHUP'), 'EACCES'), 'received SIGHUP: cannot reopen the log file (EACCES); keeping the old one');
  assert.equal(reopenText(control, undefined), 'log file reopened (requested through the control channel)');
  assert.equal(reopenText(control, 'EACCES'), 'cannot reopen the log file (EACCES)');
});

test('the first and the last lines', () => {
  assert.equal(startedText('node app.js', { maxCount: 0, maxError: 3, minExitTime: 10 }), 'supervisor started for: node app.js (maxCount unlimited, maxError 3, minExitTime 10 s)');
  assert.equal(startedText('node app.js', { maxCount: 2, maxError: 0, minExitTime: 0.5 }), 'supervisor started for: node app.js (maxCount 2, maxError 0, minExitTime 0.5 s)');
  assert.match(PID1_WARNING, /^warning: running as PID 1 without an init/);
  assert.equal(exitingText(1), 'supervisor exiting with code 1');
  assert.equal(endingText(3, null), 'supervisor ending: exit code 3');
  assert.equal(endingText(undefined, null), 'supervisor ending: exit code 0');
  assert.equal(endingText(null, 'SIGQUIT'), 'supervisor ending: received SIGQUIT, which it does not handle');
});

/**
 * The pure side of health checks: the three forms of `health` and what is refused, the settings'
 * rules (tuning without a check, a timeout above the interval), how long a worker has to be ready,
 * what a check's result means for a worker, how soon a starting worker is checked again, and which
 * held socket a starting worker must be seen accepting on.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSettings } from '../../src/settings/check';
import { parseHealth } from '../../src/supervisor/health/health-spec';
import { checkTimeout, readyHow, readyWithin } from '../../src/supervisor/health/health-settings';
import { STARTING, type WorkerHealth, judge, nextCheckIn } from '../../src/supervisor/health/health-state';
import { gateOf } from '../../src/supervisor/health/health-check';

describe('the health setting', () => {
  test('http, tcp and exec', () => {
    assert.deepEqual(parseHealth('http://127.0.0.1:8080/healthz?deep=1'), { kind: 'http', host: '127.0.0.1', port: 8080, path: '/healthz?deep=1' });
    assert.deepEqual(parseHealth('http://[::1]/'), { kind: 'http', host: '::1', port: 80, path: '/' });
    assert.deepEqual(parseHealth('tcp:localhost:5432'), { kind: 'tcp', host: 'localhost', port: 5432 });
    assert.deepEqual(parseHealth('tcp:[::1]:6379'), { kind: 'tcp', host: '::1', port: 6379 });
    assert.deepEqual(parseHealth('tcp:6379'), { kind: 'tcp', host: '127.0.0.1', port: 6379 });
    assert.deepEqual(parseHealth('exec: curl -fs localhost:8080/ '), { kind: 'exec', command: 'curl -fs localhost:8080/' });
  });

  test('anything else is refused, naming the setting and why', () => {
    for (const [text, why] of [
      ['localhost:8080', /is not a health check: "localhost:8080" is none of http:\/\/HOST:PORT\/PATH, tcp:HOST:PORT, exec:COMMAND/],
      ['https://x/', /https is not supported/],
      ['tcp:host:99999', /the port must be a number from 1 to 65535/],
      ['tcp:::1:80', /write an IPv6 address as tcp:\[ADDR\]:PORT/],
      ['exec:  ', /exec: needs a command/],
      ['http://user:pw@h/', /no user or password/],
    ] as const) {
      assert.throws(() => checkSettings({ health: text }), (err: Error & { option?: string }) => why.test(err.message) && /^xdaemon: health /.test(err.message) && err.option === 'health', text);
    }
  });

  test('tuning without a check, an interval below 100 ms, a timeout above the interval: refused', () => {
    assert.throws(() => checkSettings({ healthInterval: 500 }), /^RangeError: xdaemon: healthInterval cannot apply: it tunes the health check, and health is not set/);
    assert.throws(() => checkSettings({ health: 'tcp:1', healthInterval: 50 }), /healthInterval must be at least 100 ms, got 50/);
    assert.throws(() => checkSettings({ health: 'tcp:1', healthInterval: 1000, healthTimeout: 1500 }), /healthTimeout must be at most healthInterval \(1000 ms\), got 1500 ms/);
    // The default timeout shrinks to a shorter interval.
    const s = checkSettings({ health: 'tcp:1', healthInterval: 1000 });
    assert.equal(checkTimeout(s), 1000);
    assert.equal(checkTimeout(checkSettings({ health: 'tcp:1' })), 2000);
  });

  test('readiness: waitReady, else with a check its start period; 0 without either', () => {
    assert.equal(readyWithin(checkSettings({})), 0);
    assert.equal(readyWithin(checkSettings({ waitReady: 3000 })), 3000);
    assert.equal(readyWithin(checkSettings({ health: 'tcp:1' })), 60_000);
    assert.equal(readyWithin(checkSettings({ health: 'tcp:1', healthStartPeriod: 5000 })), 5000);
    assert.equal(readyWithin(checkSettings({ health: 'tcp:1', waitReady: 3000 })), 3000);
    assert.equal(readyHow(checkSettings({ health: 'tcp:1', waitReady: 3000 })), 'call ready() or pass its health check');
    assert.equal(readyHow(checkSettings({ health: 'tcp:1' })), 'pass its health check');
  });
});

describe("a worker's health as its checks go", () => {
  const j = { now: 10_000, startedAt: 9_000, saidReady: false, healthRetries: 3, healthStartPeriod: 60_000 };
  const pass = { ok: true, answer: 'HTTP 200' };
  const fail = { ok: false, answer: 'HTTP 503' };

  test('a starting worker: failures do not count; the first pass makes it ready', () => {
    let h: WorkerHealth = STARTING;
    for (let i = 0; i < 5; i++) {
      const r = judge(h, fail, j);
      assert.equal(r.effect, undefined);
      h = r.health;
    }
    assert.deepEqual(h, { state: 'starting', failures: 0, lastFailure: { answer: 'HTTP 503', at: 10_000 } });
    const first = judge(h, pass, j);
    assert.equal(first.effect, 'ready');
    assert.equal(first.health.state, 'healthy');
  });

  test('a ready worker: healthRetries failures in a row make it unhealthy; a pass between resets the count', () => {
    let h: WorkerHealth = { state: 'healthy', failures: 0 };
    const effects: unknown[] = [];
    for (const r of [fail, fail, pass, fail, fail, fail]) {
      const out = judge(h, r, j);
      effects.push(out.effect);
      h = out.health;
    }
    assert.deepEqual(effects, ['failed', 'failed', 'recovered', 'failed', 'failed', 'unhealthy']);
    assert.deepEqual(h, { state: 'unhealthy', failures: 3, lastFailure: { answer: 'HTTP 503', at: 10_000 } });
  });

  test('a worker that said ready() but never passed: its failures count once the start period is over', () => {
    const late = { ...j, saidReady: true, now: j.startedAt + 60_000 };
    assert.equal(judge(STARTING, fail, { ...late, now: late.now - 1 }).effect, undefined);
    assert.equal(judge(STARTING, fail, late).effect, 'failed');
  });

  test('a starting worker is checked again after a tenth of its run so far (5 ms at least, the interval at most)', () => {
    assert.deepEqual([0, 30, 400, 5_000, 200_000].map((ran) => nextCheckIn(STARTING, ran, 10_000)), [5, 5, 40, 500, 10_000]);
    assert.equal(nextCheckIn({ state: 'healthy', failures: 0 }, 400, 10_000), 10_000);
  });
});

test('the held socket a starting worker must be seen accepting on', () => {
  const sockets = [{ inode: 11, port: 8080 }, { inode: 12, port: 9090 }];
  if (process.platform !== 'linux') return;
  assert.deepEqual(gateOf(parseHealth('http://127.0.0.1:8080/'), sockets), new Set([11]));
  assert.deepEqual(gateOf(parseHealth('tcp:9090'), sockets), new Set([12]));
  assert.deepEqual(gateOf(parseHealth('exec:true'), sockets), new Set([11, 12]), 'a command may go through any of them');
  assert.equal(gateOf(parseHealth('http://127.0.0.1:7000/'), sockets), 7000, "a port of the worker's own: its own socket listening there");
  assert.equal(gateOf(parseHealth('tcp:8080'), []), 8080, 'no held sockets: the same');
  assert.equal(gateOf(parseHealth('exec:true'), []), undefined, 'a command without held sockets: nothing to match');
});

/** The restart policy (Go's Daemon.Run semantics plus backoff): pure functions, no processes. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Decision,
  type RestartHistory,
  type RestartPolicy,
  FRESH,
  decide,
  exited,
  restartDelay,
  startFailed,
  started,
  succeeded,
} from '../../src/supervisor/policy';
import { namedDaemonDefaults } from '../../src/settings/profiles';

/** Go's NewDaemon defaults, with the backoff extras switched off. */
const GO: RestartPolicy = {
  maxCount: 0,
  maxError: 3,
  minExitTime: 10,
  restartDelay: 0,
  backoff: 'fixed',
  maxRestartDelay: 30_000,
  restart: 'always',
  successExitCodes: [],
};
const policy = (over: Partial<RestartPolicy>): RestartPolicy => ({ ...GO, ...over });

/** What happens to one start: the worker runs this many seconds, or the start itself fails. */
type Outcome = number | 'fail';

interface Simulation {
  /** Start attempts made (failed starts included). */
  starts: number;
  /** The delay the policy asked for before each start. */
  delays: number[];
  /** Consecutive errors after each start's outcome. */
  errors: number[];
  /** The policy's final answer, or undefined when the runs (or the limit) ran out first. */
  end: Extract<Decision, { action: 'exit' }> | undefined;
  history: RestartHistory;
}

/**
 * Drives the policy as the supervisor does: decide, then record the start attempt, then either
 * the start failure or the exit after the run's seconds. `runs` gives the outcome of each start
 * (0-based); an array that runs out ends the simulation, as does `limit` starts.
 */
function simulate(p: RestartPolicy, runs: readonly Outcome[] | ((start: number) => Outcome), limit = 1000): Simulation {
  const outcome = (i: number): Outcome | undefined => (typeof runs === 'function' ? runs(i) : runs[i]);
  let history = FRESH;
  const delays: number[] = [];
  const errors: number[] = [];
  for (let i = 0; i < limit; i++) {
    const decision = decide(p, history);
    if (decision.action === 'exit') return { starts: history.starts, delays, errors, end: decision, history };
    const next = outcome(i);
    if (next === undefined) break;
    delays.push(decision.delay);
    history = started(history);
    history = next === 'fail' ? startFailed(history) : exited(p, history, next);
    errors.push(history.errors);
  }
  return { starts: history.starts, delays, errors, end: undefined, history };
}

const alwaysDies = (): Outcome => 0;
const alwaysHealthy = (): Outcome => 3600;
const neverStarts = (): Outcome => 'fail';

describe('maxError: a worker that always dies at once', () => {
  const cases: [maxError: number, starts: number][] = [
    [0, 1],
    [1, 2],
    [3, 4],
    [10, 11],
  ];
  for (const [maxError, starts] of cases) {
    test(`maxError ${maxError} → exactly ${starts} starts, then exit code 1 (maxError)`, () => {
      const sim = simulate(policy({ maxError }), alwaysDies);
      assert.equal(sim.starts, starts);
      assert.deepEqual(sim.end, { action: 'exit', code: 1, reason: 'maxError' });
      assert.deepEqual(sim.errors, Array.from({ length: starts }, (_, i) => i + 1));
    });
    test(`maxError ${maxError} with starts that always fail → the same ${starts} attempts`, () => {
      const sim = simulate(policy({ maxError }), neverStarts);
      assert.equal(sim.starts, starts);
      assert.deepEqual(sim.end, { action: 'exit', code: 1, reason: 'maxError' });
    });
  }
  test('the exit code of the worker does not matter: only the run time counts', () => {
    // The policy is never told the exit code; a long run is healthy however it ended.
    const sim = simulate(policy({ maxError: 0, maxCount: 5 }), alwaysHealthy);
    assert.equal(sim.starts, 5);
    assert.deepEqual(sim.end, { action: 'exit', code: 0, reason: 'maxCount' });
  });
});

describe('maxCount', () => {
  const cases: [maxCount: number, runs: () => Outcome, label: string][] = [
    [1, alwaysHealthy, 'healthy'],
    [2, alwaysHealthy, 'healthy'],
    [2, alwaysDies, 'dying (maxError 3 not reached yet)'],
    [3, neverStarts, 'never starting (failed starts count as starts)'],
  ];
  for (const [maxCount, runs, label] of cases) {
    test(`maxCount ${maxCount}, ${label} worker → exactly ${maxCount} starts, then exit code 0 (maxCount)`, () => {
      const sim = simulate(policy({ maxCount }), runs);
      assert.equal(sim.starts, maxCount);
      assert.deepEqual(sim.end, { action: 'exit', code: 0, reason: 'maxCount' });
    });
  }
  test('maxCount 0 means no limit', () => {
    const healthy = simulate(policy({ maxCount: 0 }), alwaysHealthy, 5000);
    assert.equal(healthy.starts, 5000);
    assert.equal(healthy.end, undefined);
    const dyingQuickly = simulate(policy({ maxCount: 0, minExitTime: 0 }), alwaysDies, 5000);
    assert.equal(dyingQuickly.starts, 5000);
    assert.equal(dyingQuickly.end, undefined);
  });
  test('the errors check comes before the maxCount check', () => {
    assert.deepEqual(decide(policy({ maxCount: 2, maxError: 1 }), { starts: 2, errors: 2 }), {
      action: 'exit',
      code: 1,
      reason: 'maxError',
    });
    // Both limits are hit after the same (second) start: maxError wins, exit code 1.
    const sim = simulate(policy({ maxCount: 2, maxError: 1 }), alwaysDies);
    assert.equal(sim.starts, 2);
    assert.deepEqual(sim.end, { action: 'exit', code: 1, reason: 'maxError' });
  });
  test('errors equal to maxError still start (only more than maxError gives up)', () => {
    assert.equal(decide(policy({ maxError: 2 }), { starts: 5, errors: 2 }).action, 'start');
    assert.equal(decide(policy({ maxError: 2 }), { starts: 5, errors: 3 }).action, 'exit');
  });
  test('starts equal to maxCount stop; one fewer starts again', () => {
    assert.equal(decide(policy({ maxCount: 3 }), { starts: 2, errors: 0 }).action, 'start');
    assert.deepEqual(decide(policy({ maxCount: 3 }), { starts: 3, errors: 0 }), { action: 'exit', code: 0, reason: 'maxCount' });
  });
});

describe('minExitTime', () => {
  test('a run of at least minExitTime resets the errors to 0; a shorter run counts', () => {
    const p = policy({ minExitTime: 10 });
    assert.deepEqual(exited(p, { starts: 3, errors: 2 }, 10), { starts: 3, errors: 0, lastExit: 'success' });
    assert.deepEqual(exited(p, { starts: 3, errors: 2 }, 10.5), { starts: 3, errors: 0, lastExit: 'success' });
    assert.deepEqual(exited(p, { starts: 3, errors: 2 }, 9.999), { starts: 3, errors: 3, lastExit: 'success' });
    assert.deepEqual(exited(p, { starts: 3, errors: 0 }, 0), { starts: 3, errors: 1, lastExit: 'success' });
  });
  test('fractions of a second are allowed', () => {
    const p = policy({ minExitTime: 0.3 });
    assert.equal(exited(p, FRESH, 0.299).errors, 1);
    assert.equal(exited(p, FRESH, 0.3).errors, 0);
  });
  test('a healthy run in between gives a dying worker maxError + 1 more starts', () => {
    // die, healthy, die, die with maxError 1: 4 starts (3 if the healthy run did not reset).
    const sim = simulate(policy({ maxError: 1, minExitTime: 0.3 }), [0.05, 0.6, 0.05, 0.05, 0.05]);
    assert.equal(sim.starts, 4);
    assert.deepEqual(sim.errors, [1, 0, 1, 2]);
    assert.deepEqual(sim.end, { action: 'exit', code: 1, reason: 'maxError' });
  });
  test('a healthy run does not reset the start count', () => {
    const sim = simulate(policy({ maxCount: 3 }), [0, 100, 0, 0]);
    assert.equal(sim.starts, 3);
    assert.deepEqual(sim.end, { action: 'exit', code: 0, reason: 'maxCount' });
  });
  test('minExitTime 0: no exit is ever a failure', () => {
    const p = policy({ minExitTime: 0, maxError: 0 });
    assert.equal(exited(p, FRESH, 0).errors, 0);
    const sim = simulate(p, alwaysDies, 300);
    assert.equal(sim.starts, 300);
    assert.ok(sim.errors.every((e) => e === 0));
    assert.equal(sim.end, undefined);
  });
  test('minExitTime 0 does not excuse a failed start', () => {
    const sim = simulate(policy({ minExitTime: 0, maxError: 2 }), neverStarts);
    assert.equal(sim.starts, 3);
    assert.deepEqual(sim.end, { action: 'exit', code: 1, reason: 'maxError' });
  });
});

describe('a failed start (Go counts it)', () => {
  test('counts as a start attempt and as an error', () => {
    const h = startFailed(started(FRESH));
    assert.deepEqual(h, { starts: 1, errors: 1, lastExit: 'failure' });
  });
  test('a worker that starts once and then can never start again (maxError 3): 1 run + 3 failed starts', () => {
    const sim = simulate(policy({ maxError: 3 }), (i) => (i === 0 ? 0 : 'fail'));
    assert.equal(sim.starts, 4);
    assert.deepEqual(sim.errors, [1, 2, 3, 4]);
    assert.deepEqual(sim.end, { action: 'exit', code: 1, reason: 'maxError' });
  });
  test('failed starts are consecutive failures together with short runs; a healthy run resets them', () => {
    const sim = simulate(policy({ maxError: 2 }), ['fail', 100, 'fail', 0, 'fail']);
    assert.deepEqual(sim.errors, [1, 0, 1, 2, 3]);
    assert.equal(sim.starts, 5);
    assert.deepEqual(sim.end, { action: 'exit', code: 1, reason: 'maxError' });
  });
});

describe('delays', () => {
  test('the first start has delay 0, whatever the settings', () => {
    for (const p of [
      GO,
      policy({ restartDelay: 500 }),
      policy({ restartDelay: 500, backoff: 'exponential' }),
      policy({ restartDelay: 1000, backoff: 'exponential', maxRestartDelay: 10 }),
    ]) {
      assert.deepEqual(decide(p, FRESH), { action: 'start', delay: 0 });
    }
  });
  test('restartDelay 0 (Go) restarts at once', () => {
    const sim = simulate(policy({ maxError: 5 }), alwaysDies);
    assert.deepEqual(sim.delays, [0, 0, 0, 0, 0, 0]);
  });
  test('fixed restartDelay: the same delay before every restart, failures or not', () => {
    const p = policy({ restartDelay: 500, maxError: 4 });
    assert.deepEqual(simulate(p, alwaysDies).delays, [0, 500, 500, 500, 500]);
    assert.deepEqual(simulate(p, [100, 100, 0, 100]).delays, [0, 500, 500, 500]);
  });
  test('exponential: doubles per consecutive failure, capped by maxRestartDelay', () => {
    const p = policy({ restartDelay: 100, backoff: 'exponential', maxRestartDelay: 1000, maxError: 8 });
    const sim = simulate(p, alwaysDies);
    assert.deepEqual(sim.delays, [0, 100, 200, 400, 800, 1000, 1000, 1000, 1000]);
    assert.deepEqual(sim.end, { action: 'exit', code: 1, reason: 'maxError' });
  });
  test('exponential: failed starts double the delay too', () => {
    const p = policy({ restartDelay: 50, backoff: 'exponential', maxRestartDelay: 10_000, maxError: 3 });
    assert.deepEqual(simulate(p, neverStarts).delays, [0, 50, 100, 200]);
  });
  test('exponential: back to restartDelay after a healthy run', () => {
    const p = policy({ restartDelay: 100, backoff: 'exponential', maxRestartDelay: 1000, maxError: 10 });
    const sim = simulate(p, [0, 0, 0, 3600, 0, 0, 3600, 3600]);
    assert.deepEqual(sim.delays, [0, 100, 200, 400, 100, 100, 200, 100]);
  });
  test('exponential: healthy runs wait restartDelay', () => {
    const p = policy({ restartDelay: 100, backoff: 'exponential', maxRestartDelay: 1000 });
    assert.deepEqual(simulate(p, [3600, 3600, 3600]).delays, [0, 100, 100]);
  });
  test('exponential: a cap below restartDelay never shortens restartDelay', () => {
    const p = policy({ restartDelay: 500, backoff: 'exponential', maxRestartDelay: 100 });
    assert.equal(restartDelay(p, 1), 500);
    assert.equal(restartDelay(p, 5), 500);
  });
  test('exponential: a huge failure count stays a finite number at the cap', () => {
    const p = policy({ restartDelay: 1, backoff: 'exponential', maxRestartDelay: 30_000 });
    for (const errors of [60, 1024, 1e6, Number.MAX_SAFE_INTEGER]) {
      const delay = restartDelay(p, errors);
      assert.ok(Number.isFinite(delay), `errors ${errors}: ${delay}`);
      assert.equal(delay, 30_000);
    }
  });
  test('exponential with restartDelay 0 restarts at once', () => {
    const p = policy({ restartDelay: 0, backoff: 'exponential', maxRestartDelay: 30_000 });
    assert.deepEqual(simulate(p, alwaysDies).delays, [0, 0, 0, 0]);
  });
});

describe('purity', () => {
  test('the functions return new histories and never change their inputs', () => {
    const before = { ...FRESH };
    const p = policy({ restartDelay: 100, backoff: 'exponential', maxError: 3 });
    const frozenPolicy = Object.freeze({ ...p });
    const h: RestartHistory = Object.freeze({ starts: 2, errors: 1 });
    assert.deepEqual(decide(frozenPolicy, h), { action: 'start', delay: 100 });
    assert.notEqual(started(h), h);
    assert.notEqual(startFailed(h), h);
    assert.notEqual(exited(frozenPolicy, h, 0), h);
    simulate(frozenPolicy, alwaysDies);
    assert.deepEqual(FRESH, before);
    assert.deepEqual(FRESH, { starts: 0, errors: 0 });
  });
  test('the same inputs give the same answers', () => {
    const p = policy({ maxError: 2, restartDelay: 10, backoff: 'exponential' });
    const runs: Outcome[] = [0, 'fail', 100, 0, 0, 0];
    assert.deepEqual(simulate(p, runs), simulate(p, runs));
  });
});

describe('restart modes (opt-in)', () => {
  const ok = { code: 0, signal: null };
  const fail = { code: 2, signal: null };
  const killed = { code: null, signal: 'SIGKILL' };
  /** The history after one long run that ended with `exit`. */
  const after = (p: RestartPolicy, exit: { code: number | null; signal: string | null }): RestartHistory => exited(p, started(FRESH), 3600, exit);

  test('always (default, Go): every exit is followed by a start, whatever its code', () => {
    const p = policy({});
    for (const exit of [ok, fail, killed]) assert.deepEqual(decide(p, after(p, exit)), { action: 'start', delay: 0 });
  });

  test('on-failure: a success ends the loop with 0; a failure or a signal restarts', () => {
    const p = policy({ restart: 'on-failure' });
    assert.deepEqual(decide(p, after(p, ok)), { action: 'exit', code: 0, reason: 'success' });
    assert.deepEqual(decide(p, after(p, fail)), { action: 'start', delay: 0 });
    assert.deepEqual(decide(p, after(p, killed)), { action: 'start', delay: 0 });
  });

  test('on-failure with successExitCodes: those codes count as success too', () => {
    const p = policy({ restart: 'on-failure', successExitCodes: [2, 143] });
    assert.deepEqual(decide(p, after(p, fail)), { action: 'exit', code: 0, reason: 'success' });
    assert.equal(succeeded(p, { code: 143, signal: null }), true);
    assert.equal(succeeded(p, { code: 1, signal: null }), false);
    assert.equal(succeeded(p, killed), false, 'a signal is never a success');
  });

  test('never: one run; the loop ends with 0 after a success, 1 after a failure', () => {
    const p = policy({ restart: 'never' });
    assert.deepEqual(decide(p, FRESH), { action: 'start', delay: 0 }, 'the first start happens');
    assert.deepEqual(decide(p, after(p, ok)), { action: 'exit', code: 0, reason: 'never' });
    assert.deepEqual(decide(p, after(p, fail)), { action: 'exit', code: 1, reason: 'never' });
    assert.deepEqual(decide(p, startFailed(started(FRESH))), { action: 'exit', code: 1, reason: 'never' }, 'a failed start is its run');
  });

  test("a failure under on-failure still counts toward maxError, as in Go", () => {
    const p = policy({ restart: 'on-failure', maxError: 1, minExitTime: 10 });
    let h = FRESH;
    for (let i = 0; i < 2; i++) h = exited(p, started(h), 0.1, fail);
    assert.deepEqual(decide(p, h), { action: 'exit', code: 1, reason: 'maxError' });
  });
});

describe("a named daemon's defaults (xdaemon start, fleet files): a service keeps coming back", () => {
  const named = namedDaemonDefaults();
  const p = policy({ maxError: named.maxError, minExitTime: named.minExitTime, restartDelay: named.restartDelay, backoff: named.backoff, maxRestartDelay: named.maxRestartDelay });

  test('an app that crashes 2 s after each start is never given up: 100 ms between runs, hour after hour', () => {
    // 2000 runs of 2 s (and their 100 ms pauses): more than an hour.
    const sim = simulate(p, () => 2, 2000);
    assert.equal(sim.end, undefined, 'no give-up');
    assert.equal(sim.starts, 2000);
    assert.deepEqual([...new Set(sim.delays.slice(1))], [100]);
    assert.ok(sim.starts * 2.1 > 3600, 'an hour of it');
  });

  test('one that dies at once: 16 failures in a row give up, each restart waiting twice the last, up to 15 s (about 2 minutes in all)', () => {
    const sim = simulate(p, alwaysDies);
    assert.deepEqual(sim.end, { action: 'exit', code: 1, reason: 'maxError' });
    assert.equal(sim.starts, 16);
    assert.deepEqual(sim.delays, [0, 100, 200, 400, 800, 1600, 3200, 6400, 12_800, 15_000, 15_000, 15_000, 15_000, 15_000, 15_000, 15_000]);
    assert.equal(sim.delays.reduce((a, b) => a + b, 0), 130_500);
  });

  test('a run that lasted resets the backoff: die, die, die, live, die waits 100, 200, then 100 again', () => {
    const sim = simulate(p, [0, 0, 0, 5, 0], 5);
    assert.deepEqual(sim.delays, [0, 100, 200, 400, 100]);
  });
});

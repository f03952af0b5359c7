/**
 * The health of one worker as its checks go (pure): `starting` until its first pass, then
 * `healthy`, or `unhealthy` after `healthRetries` counted failures in a row. A failure counts once
 * the worker has passed, or once it is ready (its ready()) and its start period is over; before
 * that its readiness deadline decides, not liveness. What a result means for the supervisor (ready,
 * a recovery, a failure, unhealthy) is the effect this returns; the procedure (./health-check)
 * carries it out.
 */
import type { ProbeResult } from './probe.js';

/** A worker's health, as `status()` reports it. */
export interface WorkerHealth {
  state: 'starting' | 'healthy' | 'unhealthy';
  /** Failed checks in a row that counted. */
  failures: number;
  /** The last failed check: what it answered, and when (ms since the epoch). */
  lastFailure?: { answer: string; at: number } | undefined;
}

/** What a check's result means. */
export type HealthEffect = 'ready' | 'recovered' | 'failed' | 'unhealthy' | undefined;

/** What a result is judged against. */
export interface HealthJudge {
  /** Date.now() of the check's end, and of the worker's start. */
  now: number;
  startedAt: number;
  /** Whether the worker is ready by its own word (ready()). */
  saidReady: boolean;
  healthRetries: number;
  healthStartPeriod: number;
}

/** A worker just started. */
export const STARTING: WorkerHealth = { state: 'starting', failures: 0 };

/** The health after `result`, and what it means. */
export function judge(health: WorkerHealth, result: ProbeResult, j: HealthJudge): { health: WorkerHealth; effect: HealthEffect } {
  if (result.ok) {
    if (health.state === 'starting') return { health: { state: 'healthy', failures: 0, lastFailure: health.lastFailure }, effect: 'ready' };
    if (health.failures > 0 || health.state === 'unhealthy') return { health: { state: 'healthy', failures: 0, lastFailure: health.lastFailure }, effect: 'recovered' };
    return { health, effect: undefined };
  }
  const lastFailure = { answer: result.answer, at: j.now };
  const counts = health.state !== 'starting' || (j.saidReady && j.now - j.startedAt >= j.healthStartPeriod);
  if (!counts) return { health: { ...health, lastFailure }, effect: undefined };
  const failures = health.failures + 1;
  if (failures >= j.healthRetries) return { health: { state: 'unhealthy', failures, lastFailure }, effect: 'unhealthy' };
  return { health: { state: health.state, failures, lastFailure }, effect: 'failed' };
}

/**
 * Milliseconds until a worker's next check: `interval` once it has passed; while it starts, a tenth
 * of the time it has run so far (at least 5 ms, at most `interval`), so that its first pass is seen
 * within about a tenth of its start-up, however long that is.
 */
export function nextCheckIn(health: WorkerHealth, ranFor: number, interval: number): number {
  if (health.state !== 'starting') return interval;
  return Math.min(interval, Math.max(5, Math.round(ranFor / 10)));
}

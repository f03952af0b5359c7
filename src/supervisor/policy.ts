/**
 * The restart policy: a pure function of the limits and the history so far. It never touches a
 * process, so it is tested on its own; the supervisor only acts on its answers.
 *
 * Go's `Daemon.Run` semantics: before each start, more failures than `maxError` gives up with
 * exit code 1, and `maxCount` starts reached ends with exit code 0. A start that fails, or a run
 * shorter than `minExitTime` seconds, is a failure; a longer run resets the failures to 0. The exit
 * code of the worker does not matter, unless `restart` (opt-in) says otherwise: `on-failure` ends
 * after a successful exit (code 0, or one of `successExitCodes`), `never` after the first run.
 */
import { cannotApply } from '../settings/refusal.js';
import type { SettingRule } from '../settings/types.js';

/** Limits of the restart loop. */
export interface RestartPolicy {
  /** Total worker starts allowed; 0 means no limit. */
  maxCount: number;
  /** Consecutive failures allowed; one more gives up. */
  maxError: number;
  /** A run shorter than this many seconds is a failure. */
  minExitTime: number;
  /** Milliseconds to wait before a restart (0, as in Go, restarts at once). */
  restartDelay: number;
  /** `fixed` waits `restartDelay`; `exponential` doubles it per consecutive failure. */
  backoff: 'fixed' | 'exponential';
  /** Cap of the exponential delay, in milliseconds. */
  maxRestartDelay: number;
  /** `always` (Go's): restart after every exit; `on-failure`: not after a success; `never`: one run. */
  restart: 'always' | 'on-failure' | 'never';
  /** Exit codes besides 0 that count as success. */
  successExitCodes: readonly number[];
}

/** What has happened so far. */
export interface RestartHistory {
  /** Start attempts made (a failed start counts, as in Go). */
  readonly starts: number;
  /** Consecutive failures. */
  readonly errors: number;
  /** How the last run ended, once one has: a success (exit code 0 or a success code) or not. */
  readonly lastExit?: 'success' | 'failure';
}

/**
 * Why the loop ends: too many failures (exit 1), maxCount starts made (exit 0), a successful exit
 * under `restart: 'on-failure'` (exit 0), the single run of `restart: 'never'` (exit 0 if it
 * succeeded, else 1).
 */
export type GiveUpReason = 'maxError' | 'maxCount' | 'success' | 'never';

/** The policy's answer before each start. */
export type Decision =
  | { readonly action: 'start'; readonly delay: number }
  | { readonly action: 'exit'; readonly code: 0 | 1; readonly reason: GiveUpReason };

/** The history before the first start. */
export const FRESH: RestartHistory = { starts: 0, errors: 0 };

/** Decides what to do next. */
export function decide(policy: RestartPolicy, history: RestartHistory): Decision {
  if (history.lastExit !== undefined && policy.restart === 'never') {
    return { action: 'exit', code: history.lastExit === 'success' ? 0 : 1, reason: 'never' };
  }
  if (history.lastExit === 'success' && policy.restart === 'on-failure') return { action: 'exit', code: 0, reason: 'success' };
  if (history.errors > policy.maxError) return { action: 'exit', code: 1, reason: 'maxError' };
  if (policy.maxCount > 0 && history.starts >= policy.maxCount) {
    return { action: 'exit', code: 0, reason: 'maxCount' };
  }
  return { action: 'start', delay: history.starts === 0 ? 0 : restartDelay(policy, history.errors) };
}

/** The delay before a restart after `errors` consecutive failures. */
export function restartDelay(policy: RestartPolicy, errors: number): number {
  if (policy.backoff === 'fixed' || errors === 0 || policy.restartDelay === 0) return policy.restartDelay;
  const cap = Math.max(policy.maxRestartDelay, policy.restartDelay);
  return Math.min(cap, policy.restartDelay * 2 ** Math.min(errors - 1, 52));
}

/** Records a start attempt (successful or not). */
export function started(history: RestartHistory): RestartHistory {
  return { ...history, starts: history.starts + 1 };
}

/** Records a start that failed, or a run that failed whatever its length (not ready in time). */
export function startFailed(history: RestartHistory): RestartHistory {
  return { ...history, errors: history.errors + 1, lastExit: 'failure' };
}

/** How a worker ended: its exit code, or the signal that killed it. */
export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

/** True when `exit` is a success: exit code 0 or one of `successExitCodes` (a signal never is). */
export function succeeded(policy: Pick<RestartPolicy, 'successExitCodes'>, exit: ExitStatus): boolean {
  return exit.signal === null && (exit.code === 0 || (exit.code !== null && policy.successExitCodes.includes(exit.code)));
}

/**
 * Records a worker's exit after `seconds` of running. Without `exit` (Go's view), only the run
 * time matters.
 */
export function exited(policy: RestartPolicy, history: RestartHistory, seconds: number, exit?: ExitStatus): RestartHistory {
  const failed = seconds < policy.minExitTime;
  return {
    starts: history.starts,
    errors: failed ? history.errors + 1 : 0,
    lastExit: exit === undefined || succeeded(policy, exit) ? 'success' : 'failure',
  };
}

/**
 * The rule the policy adds to the settings (../settings/rules): the first restart setting that
 * would have no effect (none of them is set by default), so that it is refused instead of
 * ignored: success codes under `restart: 'always'` (every exit is restarted alike), a cap of the
 * backoff that is fixed, an exponential backoff of no delay. A cap left at its default is not one
 * that was set.
 */
export const ignoredSetting: SettingRule = ({ settings, defaults }) => {
  if (settings.successExitCodes.length > 0 && settings.restart === 'always') {
    return cannotApply('successExitCodes', "it applies with restart 'on-failure' or 'never', and restart 'always' restarts after every exit alike");
  }
  if (settings.maxRestartDelay !== defaults.maxRestartDelay && settings.backoff === 'fixed') {
    return cannotApply('maxRestartDelay', "it caps the exponential backoff, and backoff is 'fixed'");
  }
  if (settings.backoff === 'exponential' && settings.restartDelay === 0) {
    return cannotApply('backoff', 'the exponential backoff doubles restartDelay, which is 0 (give restartDelay too)');
  }
  return undefined;
};


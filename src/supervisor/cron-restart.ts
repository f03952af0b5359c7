/**
 * Scheduled restarts: the daemon (every instance) is restarted gracefully, or reloaded where it can
 * reload (./procedures), at the times of a 5-field cron expression
 * (`cronRestart`), in the system's local time. The schedule is parsed by croner (a maintained
 * parser without dependencies), loaded only here and by the settings check, so that nothing pays
 * for it unless a schedule is set. One timer waits for the next time; it is armed again after each
 * (a timer longer than Node's limit of ~24.8 days wakes up early and waits again).
 */
import { MAX_TIMER } from '../settings/table.js';
import { type Clock, type Procedure, type RestartTarget, workersText } from './restart-target.js';

const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/** The next time (ms since the epoch) after `now` at which `expression` is due, or undefined. */
export function nextTime(expression: string, now: number): number | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Cron } = require('croner') as typeof import('croner');
  const next = new Cron(expression, { paused: true }).nextRun(new Date(now));
  return next === null ? undefined : next.getTime();
}

/** Restarts `target`'s workers at the times of `expression`. */
export function startCronRestart(target: RestartTarget, expression: string, clock: Clock = SYSTEM_CLOCK): Procedure {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (after: number): void => {
    if (stopped) return;
    const due = nextTime(expression, after);
    if (due === undefined) return;
    const wait = (): void => {
      const left = due - clock.now();
      if (left > 0) {
        timer = setTimeout(wait, Math.min(left, MAX_TIMER));
        timer.unref();
        return;
      }
      const message = `cron: ${JSON.stringify(expression)} is due at ${new Date(due).toString()}: restarting${workersText(target)}`;
      target.replaceAll('cron', message).catch(() => undefined);
      arm(due);
    };
    wait();
  };
  arm(clock.now());
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * Whether a daemon that was just started came up, told from its supervisor's events (`events()`:
 * its status first, then each event as it happens), never from a blind sleep: every instance's
 * first worker is up once it is ready (`ready()`, its `listen()` on a held socket, pm2's
 * `process.send('ready')`), or once it has run {@link SETTLE_MS} without exiting; it is not when a
 * first worker exits before that, or the supervisor gives up. A `start` that returns only then can
 * say what happened (an app that dies at once, a port in use), where one that returned once the
 * supervisor ran would print "started" for a daemon dead a second later.
 */
import { control } from './control-bundle.js';
import type { DaemonEvent } from '../control/daemon-event.js';
import type { LiveStatus } from '../control/daemon-status.js';
import { causeLine, fromLastLine, workerLines } from './cause-line.js';
import { readLogFrom } from './log-tail.js';
import type { NotUp, Started } from './outcome.js';
import { tracer } from '../trace.js';

const trace = tracer('fleet');

/**
 * How long a first worker runs without exiting before it counts as up (when it says nothing): a
 * run as long as the policy's stable one (`minExitTime`), 1 s at most.
 */
export const SETTLE_MS = 1000;

/** The settle of a daemon whose settings are `settings` (given ones; a named daemon's minExitTime is 1 s). */
export function settleOf(settings: { minExitTime?: unknown }): number {
  const minExitTime = typeof settings.minExitTime === 'number' ? settings.minExitTime : 1;
  return Math.min(SETTLE_MS, minExitTime * 1000);
}
/** How long the wait lasts at most. */
const WAIT_MS = 30_000;
/** How long, after a first worker's exit, the supervisor's next step (a restart, its end) is awaited. */
const NEXT_MS = 2000;

/** How the wait ended. */
type Outcome = { up: true } | Omit<NotUp, 'cause'>;

/**
 * Follows the daemon of `pidFile` until each instance's first worker is up, or one is not. A first
 * worker that exits after its settle was up (with `minExitTime` 0, any run is); one that exits
 * sooner is not, unless its supervisor then ends with code 0 (a program that ran once
 * and succeeded under `restart: never` or `on-failure`); what the supervisor does next is awaited
 * to tell which, and whether it gave up.
 */
export async function waitUp(pidFile: string, settle: number = SETTLE_MS, timeout: number = WAIT_MS): Promise<Outcome> {
  const abort = new AbortController();
  const stream = control().events(pidFile, { signal: abort.signal });
  let deadline = Date.now() + timeout;
  /** Per instance: when its worker counts as up (ms), or true once it is. */
  const upAt = new Map<number, number | true>();
  let instances = 0;
  /** The exit of a first worker, while what its supervisor does next is awaited. */
  let exited: NotUp['exit'];
  let next = stream.next();
  try {
    for (;;) {
      const now = Date.now();
      const waits = [...upAt.values()].filter((v): v is number => v !== true);
      if (exited === undefined && instances > 0 && upAt.size === instances && waits.every((at) => at <= now)) return { up: true };
      if (now >= deadline) return exited === undefined ? { gaveUp: false, timedOut: true } : { gaveUp: false, timedOut: false, exit: exited };
      const until = exited === undefined ? Math.min(deadline, ...waits.filter((at) => at > now)) : deadline;
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<'tick'>((resolve) => (timer = setTimeout(() => resolve('tick'), until - now)));
      const got = await Promise.race([next, tick]);
      clearTimeout(timer);
      if (got === 'tick') continue;
      if (got.done === true) return { gaveUp: false, timedOut: false, ...(exited === undefined ? {} : { exit: exited }) };
      next = stream.next();
      const event: DaemonEvent = got.value;
      const sawExit = (exit: NonNullable<NotUp['exit']>): void => {
        exited = exit;
        // What the supervisor does next comes at once: a restart, or its end.
        deadline = Math.min(deadline, Date.now() + NEXT_MS);
      };
      switch (event.kind) {
        case 'subscribed': {
          const s: LiveStatus = event.status;
          instances = s.instances.length;
          for (const i of s.instances) {
            // A first worker that ran its settle was up, whatever came after.
            if (i.lastExit !== undefined && i.starts > 0 && i.lastExit.seconds * 1000 >= settle) upAt.set(i.instance, true);
            else if (i.lastExit !== undefined && i.starts > 0) sawExit({ instance: i.instance, pid: undefined, code: i.lastExit.code, signal: i.lastExit.signal, seconds: i.lastExit.seconds });
            else if (i.ready) upAt.set(i.instance, true);
            else if (i.workerStartedAt !== undefined) upAt.set(i.instance, Date.parse(i.workerStartedAt) + settle);
          }
          if (exited !== undefined && s.state === 'restarting') return { gaveUp: false, timedOut: false, exit: exited };
          break;
        }
        case 'start':
          if (exited !== undefined) return { gaveUp: false, timedOut: false, exit: exited };
          if (upAt.get(event.instance) !== true) upAt.set(event.instance, Date.parse(event.time) + settle);
          break;
        case 'restart':
          if (exited !== undefined) return { gaveUp: false, timedOut: false, exit: exited };
          break;
        case 'ready':
          upAt.set(event.instance, true);
          break;
        case 'exit':
          if (upAt.get(event.instance) !== true && event.seconds * 1000 >= settle) upAt.set(event.instance, true);
          else if (upAt.get(event.instance) !== true && exited === undefined) sawExit({ instance: event.instance, pid: event.pid, code: event.code, signal: event.signal, seconds: event.seconds });
          break;
        case 'giveup':
        case 'exiting':
          // A program that ran once and succeeded: done, which is what was asked.
          if (event.code === 0 && exited !== undefined && exited.code === 0) return { up: true };
          return { gaveUp: event.code !== 0, timedOut: false, ...(exited === undefined ? {} : { exit: exited }) };
        default:
          break;
      }
    }
  } catch {
    // The supervisor is gone before it answered: it ended at once (a give-up, a bind that failed).
    return { gaveUp: true, timedOut: false, ...(exited === undefined ? {} : { exit: exited }) };
  } finally {
    abort.abort();
    // The pending read ends with the aborted connection.
    void next.catch(() => undefined);
  }
}

/**
 * `started` once its daemon is up, or with `down` saying how it is not: the first worker's exit,
 * a give-up, and the line of its log that says why (from the lines its supervisor `started.pid`
 * wrote on). The daemon is left to its restart policy either way.
 */
export async function checkUp(started: Started, pidFile: string, settle: number = SETTLE_MS): Promise<Started> {
  const began = Date.now();
  const outcome = await waitUp(pidFile, settle);
  trace('%s: %o after %d ms', started.name, outcome, Date.now() - began);
  if ('up' in outcome) return started;
  const cause = causeLine(workerLines(fromLastLine(readLogFrom(started.log), `xdaemon[${started.pid}] supervisor started for:`)));
  return { ...started, down: { ...outcome, ...(cause === undefined ? {} : { cause }) } };
}

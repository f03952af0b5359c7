/**
 * The procedures that restart a worker on a condition of their own: its tree's memory above
 * `maxMemory` (./memory-check), a `cronRestart` time (./cron-restart), a change under `watch`
 * (./watch-restart). Each is its own module over one small interface, started with the supervision
 * and stopped at its end; each restarts through the supervisor's graceful restart (counted in
 * `restarts`, never in `errors`). Nothing runs for a setting that is
 * not set (and the cron parser is loaded only for a schedule).
 */
import type { DaemonSettings } from '../options.js';
import type { TreeRef } from '../process/tree-usage.js';
import { startCronRestart } from './cron-restart.js';
import { startMemoryCheck } from './memory-check.js';
import type { Supervisor } from './supervisor.js';
import { startWatchRestart } from './watch-restart.js';

/** Why a procedure restarts the worker. */
export type RestartCause = 'memory' | 'cron' | 'watch';

/** What a procedure sees of the supervisor. */
export interface RestartTarget {
  /** The running worker's tree (identity and tree token), if one runs. */
  workerTree(): (TreeRef & { mark: { entry: string } }) | undefined;
  /** Date.now() of the running worker's start, if one runs. */
  workerStartedAt(): number | undefined;
  /** Whether the running worker has called ready(). */
  workerReady(): boolean;
  /**
   * Restarts the worker gracefully, saying why (`message` is the supervisor's log line); resolves
   * once the new worker runs, rejects if the supervisor stops first.
   */
  restartGracefully(cause: RestartCause, message: string): Promise<unknown>;
  /** A line for the supervisor's log (a path watch cannot follow, say). */
  note(message: string): void;
}

/** A running procedure. */
export interface Procedure {
  stop(): void;
}

/** The clock of the cron restart (tests give one of their own). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** What the procedures need to know besides the settings. */
export interface ProcedureContext {
  /** The worker's working directory (relative watch paths are relative to it). */
  cwd: string;
  /** Files and folders watch never reacts to: the logs, the pid and state files, the state directory. */
  ignoredPaths: readonly string[];
  clock?: Clock | undefined;
}

type ProcedureSettings = Pick<DaemonSettings, 'maxMemory' | 'cronRestart' | 'watch' | 'watchIgnore' | 'watchDebounce' | 'waitReady'>;

/** Starts the procedures that `settings` ask for, restarting `supervisor`'s worker. */
export function startProcedures(supervisor: Supervisor, settings: ProcedureSettings, context: ProcedureContext): Procedure {
  const target: RestartTarget = {
    workerTree: () => supervisor.workerTree,
    workerStartedAt: () => supervisor.status().workerStartedAt,
    workerReady: () => supervisor.status().ready,
    restartGracefully: (cause, message) => {
      const pid = supervisor.workerPid;
      supervisor.emit('auto-restart', { cause, message, ...(pid === undefined ? {} : { pid }) });
      return supervisor.restart();
    },
    note: (message) => void supervisor.emit('notice', { message }),
  };
  const running: Procedure[] = [];
  if (settings.maxMemory > 0) running.push(startMemoryCheck(target, settings.maxMemory));
  if (settings.cronRestart !== '') running.push(startCronRestart(target, settings.cronRestart, context.clock));
  if (settings.watch.length > 0) running.push(startWatchRestart(target, settings, context));
  return { stop: () => running.forEach((p) => p.stop()) };
}

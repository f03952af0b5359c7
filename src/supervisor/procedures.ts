/**
 * The procedures that replace workers on a condition of their own: an instance's tree's memory
 * above `maxMemory` (./memory-check: that instance alone), a `cronRestart` time (./cron-restart)
 * and a change under `watch` (./watch-restart): the whole daemon. Each is its own module over one
 * small interface, started with the supervision and stopped at its end. They decide when; how is
 * the supervisor's: where the daemon can reload (it holds `listen` sockets) a replacement is ready
 * before the worker it replaces is stopped (the reload procedure, ./reload), else the worker is
 * stopped and started again. A memory replacement counts in that instance's `restarts`, never in
 * `errors`; a cron or watch one is the daemon's reload (`reloads`) or restart (`restarts`).
 * Nothing runs for a setting that is not set (and the cron parser is loaded only for a schedule).
 */
import type { DaemonSettings } from '../options.js';
import type { TreeRef } from '../process/worker-tree.js';
import { startCronRestart } from './cron-restart.js';
import { startMemoryCheck } from './memory-check.js';
import type { Supervisor } from './supervisor.js';
import { startWatchRestart } from './watch-restart.js';

/** Why a procedure replaces workers. */
export type RestartCause = 'memory' | 'cron' | 'watch';

/** One instance's serving worker, as a procedure sees it. */
export interface InstanceWorker {
  instance: number;
  /** The worker's tree (identity and tree token). */
  tree: TreeRef & { mark: { entry: string } };
  /** Date.now() of the worker's start. */
  startedAt: number;
  /** Whether the worker has called ready(). */
  ready: boolean;
}

/** What a procedure sees of the supervisor. */
export interface RestartTarget {
  /** Every instance's serving worker (an instance between two workers is absent). */
  workers(): InstanceWorker[];
  /** Whether a restart, reload or replacement is under way (a new one would be refused). */
  busy(): boolean;
  /**
   * Replaces one instance's worker gracefully, the others untouched, saying why (`message` is the
   * supervisor's log line); resolves once the new worker is up, rejects if it fails or the
   * supervisor is busy or stops.
   */
  replaceInstance(instance: number, cause: RestartCause, message: string): Promise<unknown>;
  /** Replaces every instance's worker gracefully (reload, or restart), saying why, as above. */
  replaceAll(cause: RestartCause, message: string): Promise<unknown>;
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

/** ` worker pid 12` or ` workers 12, 15` for a log line, or nothing when none runs. */
export function workersText(target: RestartTarget): string {
  const pids = target.workers().map((w) => w.tree.id.pid);
  return pids.length === 0 ? '' : ` worker${pids.length === 1 ? ' pid' : 's'} ${pids.join(', ')}`;
}

type ProcedureSettings = Pick<DaemonSettings, 'maxMemory' | 'cronRestart' | 'watch' | 'watchIgnore' | 'watchDebounce' | 'waitReady'>;

/** Starts the procedures that `settings` ask for, replacing `supervisor`'s workers. */
export function startProcedures(supervisor: Supervisor, settings: ProcedureSettings, context: ProcedureContext): Procedure {
  const target: RestartTarget = {
    workers: () => supervisor.instanceWorkers,
    busy: () => supervisor.busy,
    replaceInstance: (instance, cause, message) => {
      const pid = supervisor.instanceWorkers.find((w) => w.instance === instance)?.tree.id.pid;
      supervisor.emit('auto-restart', { cause, message, instance, ...(pid === undefined ? {} : { pid }) });
      return supervisor.replaceInstance(instance);
    },
    replaceAll: (cause, message) => {
      const pid = supervisor.workerPid;
      supervisor.emit('auto-restart', { cause, message, ...(pid === undefined ? {} : { pid }) });
      return supervisor.reloadable ? supervisor.reload() : supervisor.restart();
    },
    note: (message) => void supervisor.emit('notice', { message }),
  };
  const running: Procedure[] = [];
  if (settings.maxMemory > 0) running.push(startMemoryCheck(target, settings.maxMemory));
  if (settings.cronRestart !== '') running.push(startCronRestart(target, settings.cronRestart, context.clock));
  if (settings.watch.length > 0) running.push(startWatchRestart(target, settings, context));
  return { stop: () => running.forEach((p) => p.stop()) };
}

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
import type { DaemonSettings } from '../settings/types.js';
import { startCronRestart } from './cron-restart.js';
import { startMemoryCheck } from './memory-check.js';
import type { InstanceWorker, Procedure, ProcedureContext, RestartTarget } from './restart-target.js';
import type { SupervisorEvents } from './supervisor-api.js';
import { startWatchRestart } from './watch-restart.js';

export type { Clock, InstanceWorker, Procedure, ProcedureContext, RestartCause, RestartTarget } from './restart-target.js';

type ProcedureSettings = Pick<DaemonSettings, 'maxMemory' | 'cronRestart' | 'watch' | 'watchIgnore' | 'watchDebounce' | 'waitReady'>;

/** What the procedures ask of the supervisor (its own events among them). */
export interface ProcedureHost {
  readonly instanceWorkers: InstanceWorker[];
  readonly workerPid: number | undefined;
  readonly busy: boolean;
  readonly reloadable: boolean;
  replaceInstance(instance: number): Promise<unknown>;
  reload(): Promise<unknown>;
  restart(): Promise<unknown>;
  emit<E extends 'auto-restart' | 'notice'>(event: E, ...args: SupervisorEvents[E]): boolean;
}

/** Starts the procedures that `settings` ask for, replacing `supervisor`'s workers. */
export function startProcedures(supervisor: ProcedureHost, settings: ProcedureSettings, context: ProcedureContext): Procedure {
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

/**
 * The procedures that replace workers on a condition of their own: an instance's tree's memory
 * above `maxMemory` (./memory-check: that instance alone), a `cronRestart` time (./cron-restart)
 * and a change under `watch` (./watch-restart): the whole daemon; a `health` check
 * (./health/health-check) makes starting workers ready and replaces an unhealthy one. Each is its own module over one
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
import { type CheckedWorker, type HealthEvents, type HealthTarget, type SharedSocket, startHealthCheck } from './health/health-check.js';
import type { WorkerHealth } from './health/health-state.js';

export type { Clock, InstanceWorker, Procedure, ProcedureContext, RestartCause, RestartTarget } from './restart-target.js';

type ProcedureSettings = Pick<
  DaemonSettings,
  'maxMemory' | 'cronRestart' | 'watch' | 'watchIgnore' | 'watchDebounce' | 'waitReady' | 'health' | 'healthInterval' | 'healthTimeout' | 'healthRetries' | 'healthStartPeriod'
>;

/** What the procedures ask of the supervisor (its own events among them). */
export interface ProcedureHost {
  readonly instanceWorkers: InstanceWorker[];
  /** Every worker a health check looks at: the serving ones and a reload's replacement. */
  readonly checkedWorkers: CheckedWorker[];
  /** The sockets held for the workers, by inode (none before they are bound). */
  sharedSockets(): SharedSocket[];
  /** Makes worker `pid` ready (a first passing health check). */
  markReady(pid: number): void;
  readonly workerPid: number | undefined;
  readonly busy: boolean;
  readonly reloadable: boolean;
  replaceInstance(instance: number): Promise<unknown>;
  reload(): Promise<unknown>;
  restart(): Promise<unknown>;
  emit<E extends 'auto-restart' | 'notice' | keyof HealthEvents>(event: E, ...args: SupervisorEvents[E]): boolean;
  on(event: 'start' | 'reload-start', listener: () => void): unknown;
}

/** The running procedures: stopped together; the health check tells each worker's health. */
export interface Procedures extends Procedure {
  healthOf(pid: number): WorkerHealth | undefined;
  /** What the last health check of worker `pid` found wrong, if anything. */
  lastAnswerOf(pid: number): string | undefined;
}

/** Starts the procedures that `settings` ask for, replacing `supervisor`'s workers. */
export function startProcedures(supervisor: ProcedureHost, settings: ProcedureSettings, context: ProcedureContext): Procedures {
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
  const health = settings.health === '' ? undefined : startHealthCheck(healthTarget(supervisor, context), settings);
  if (health !== undefined) running.push(health);
  return { stop: () => running.forEach((p) => p.stop()), healthOf: (pid) => health?.healthOf(pid), lastAnswerOf: (pid) => health?.lastAnswerOf(pid) };
}

/** What the health check sees of the supervisor. */
function healthTarget(supervisor: ProcedureHost, context: ProcedureContext): HealthTarget {
  return {
    workers: () => supervisor.checkedWorkers,
    sockets: () => supervisor.sharedSockets(),
    markReady: (pid) => supervisor.markReady(pid),
    busy: () => supervisor.busy,
    replaceInstance: (instance, message) => {
      const pid = supervisor.instanceWorkers.find((w) => w.instance === instance)?.tree.id.pid;
      supervisor.emit('auto-restart', { cause: 'health', message, instance, ...(pid === undefined ? {} : { pid }) });
      return supervisor.replaceInstance(instance);
    },
    emit: (event, ...args) => void (supervisor.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args),
    onWorkerStart: (listener) => {
      supervisor.on('start', listener);
      supervisor.on('reload-start', listener);
    },
    env: context.env ?? process.env,
    cwd: context.cwd,
  };
}

/**
 * xdaemon: run a Node.js program in the background or as a supervised daemon with one call at
 * the top of its main script. A TypeScript mirror of Go's `xdaemon` (zh-five/xdaemon).
 *
 * @packageDocumentation
 */
export { ENV_NAME } from './generation.js';
export { background } from './background.js';
export { Daemon, newDaemon } from './daemon.js';
export type { DaemonOptions } from './settings/types.js';
export { XDaemonError } from './errors.js';
export { READY_FD_ENV, ready } from './worker/ready.js';
export { listenHandle } from './worker/listen-handle.js';
export type { ListenFallback } from './worker/listen-handle.js';
export { EXIT_ALREADY_RUNNING } from './errors.js';
export { events, reload, restart, status, stop } from './control/api.js';
export type { ReloadOptions, RestartOptions } from './control/api.js';
export type { DaemonState, DaemonStatus, EndRecord, ExitReport, InstanceHealth, InstanceReport, InstanceStatusReport } from './control/daemon-status.js';
export type { DaemonEvent, DaemonEventKind } from './control/daemon-event.js';
export type { EventsOptions } from './control/events.js';
export type { ReloadedInstance, ReloadResult } from './control/operations.js';
export type { StatusOptions } from './control/status.js';
export type { StopOptions } from './control/stop.js';
export { Supervisor } from './supervisor/lazy-class.js';
export type { Counters, InstanceStatus, ReloadReport, SupervisorEnd, SupervisorEvents, SupervisorOptions, SupervisorStatus } from './supervisor/supervisor.js';

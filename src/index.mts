/**
 * Declarations of the ESM entry (`dist/index.d.mts`). The ESM code itself is a native bundle built
 * from ./index.ts (see scripts/build.mjs); both bundles share one generation state through
 * `globalThis`, so this file only re-exports the types and values of ./index.
 */
export {
  ENV_NAME,
  background,
  Daemon,
  newDaemon,
  XDaemonError,
  EXIT_ALREADY_RUNNING,
  READY_FD_ENV,
  ready,
  status,
  stop,
  restart,
  reload,
  events,
  listenHandle,
  Supervisor,
} from './index.js';
export type {
  DaemonOptions,
  DaemonState,
  DaemonStatus,
  DaemonEvent,
  DaemonEventKind,
  EventsOptions,
  InstanceStatusReport,
  StatusOptions,
  StopOptions,
  RestartOptions,
  ReloadOptions,
  ReloadResult,
  InstanceHealth,
  InstanceReport,
  ReloadedInstance,
  ListenFallback,
  ExitReport,
  EndRecord,
  Counters,
  SupervisorEnd,
  SupervisorEvents,
  SupervisorOptions,
  SupervisorStatus,
  InstanceStatus,
  ReloadReport,
} from './index.js';

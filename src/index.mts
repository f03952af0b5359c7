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
  Supervisor,
} from './index.js';
export type {
  DaemonOptions,
  DaemonState,
  DaemonStatus,
  StatusOptions,
  StopOptions,
  RestartOptions,
  ExitReport,
  EndRecord,
  Counters,
  SupervisorEnd,
  SupervisorEvents,
  SupervisorOptions,
  SupervisorStatus,
} from './index.js';

/** ESM types of xdaemon/service: the same exports as the CommonJS entry. */
export { Service, formatPlan, SERVICE_VERBS, DEFAULT_WAIT_READY, SERVICE_DEFAULTS, renderSystemdUnit, renderLaunchdPlist, renderWindowsTask, detectBackend, XDaemonError } from './index.js';
export type {
  HandleOptions,
  ServiceHooks,
  BackendName,
  ExecFn,
  ExecResult,
  RestartMode,
  ServiceOptions,
  Command,
  InstallResult,
  ServicePlan,
  ServiceOutput,
  ServiceState,
  ServiceStatus,
  UninstallOptions,
  UninstallResult,
  DetectFacts,
} from './index.js';

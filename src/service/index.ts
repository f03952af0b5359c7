/**
 * xdaemon/service: install a program as an OS service (systemd, launchd, a Windows scheduled task)
 * and run it as one: install, uninstall, start, stop, restart, status, and the program side
 * (run/debug with start and stop hooks). The renderers are pure and exported on their own.
 *
 * @packageDocumentation
 */
export { Service, formatPlan, SERVICE_VERBS } from './service.js';
export type { HandleOptions } from './service.js';
export type { ServiceHooks } from './runner.js';
export type { BackendName, ExecFn, ExecResult, RestartMode, ServiceOptions } from './options.js';
export { DEFAULT_WAIT_READY, SERVICE_DEFAULTS } from './options.js';
export type { Command, InstallResult, ServicePlan, ServiceOutput, ServiceState, ServiceStatus, UninstallOptions, UninstallResult } from './backends/backend.js';
export { renderSystemdUnit } from './systemd-unit.js';
export { renderLaunchdPlist } from './launchd-plist.js';
export { renderWindowsTask } from './windows-task.js';
export { detectBackend } from './detect.js';
export type { DetectFacts } from './detect.js';
export { XDaemonError } from '../errors.js';

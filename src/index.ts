/**
 * xdaemon: run a Node.js program in the background or as a supervised daemon with one call at
 * the top of its main script. A TypeScript mirror of Go's `xdaemon` (zh-five/xdaemon).
 *
 * @packageDocumentation
 */
export { ENV_NAME } from './generation.js';
export { background } from './background.js';
export { Daemon, newDaemon } from './daemon.js';
export type { DaemonOptions } from './options.js';
export { XDaemonError } from './errors.js';
export { READY_FD_ENV, ready } from './worker/ready.js';

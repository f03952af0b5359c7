/** ESM entry: the CommonJS build re-exported, so ESM and CJS users share one copy of the state. */
export { ENV_NAME, background, Daemon, newDaemon, XDaemonError, READY_FD_ENV, ready } from './index.js';
export type { DaemonOptions } from './index.js';

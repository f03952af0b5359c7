/**
 * Declarations of the ESM entry (`dist/index.d.mts`). The ESM code itself is a native bundle built
 * from ./index.ts (see scripts/build.mjs); both bundles share one generation state through
 * `globalThis`, so this file only re-exports the types and values of ./index.
 */
export { ENV_NAME, background, Daemon, newDaemon, XDaemonError, READY_FD_ENV, ready } from './index.js';
export type { DaemonOptions } from './index.js';

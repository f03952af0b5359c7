/** What the launcher hands the detached supervisor (one JSON argument). */
import type { DaemonSettings } from '../options.js';

/** Configuration of a detached supervisor. */
export interface SupervisorConfig {
  /** Config format version. */
  v: 1;
  /** Worker executable and arguments. */
  file: string;
  args: string[];
  /** Human-readable worker command line, for the title and the log. */
  display: string;
  /** `NODE_OPTIONS` of the worker (`null`: unset); the supervisor itself runs without it. */
  nodeOptions: string | null;
  cwd: string;
  /** Absolute log path, or '' to discard output. */
  logFile: string;
  /** `XW_DAEMON_IDX` of the first worker; later workers count up from it, as in Go. */
  firstMarker: number;
  settings: DaemonSettings;
  /** File to create once stop signals are handled (the launcher waits for it); null in the foreground. */
  readyFile: string | null;
  /** Absolute path of signal-exit's CommonJS entry, resolved by the launcher (null: resolve by name). */
  signalExit: string | null;
}

/** File name of the supervisor entry, beside the compiled library. */
export const SUPERVISOR_ENTRY = 'supervisor-main.js';

/** Parses and checks the supervisor's argument. */
export function parseConfig(text: string | undefined): SupervisorConfig {
  if (text === undefined) throw new Error('xdaemon supervisor: missing configuration argument');
  const config = JSON.parse(text) as SupervisorConfig;
  if (config.v !== 1 || typeof config.file !== 'string' || !Array.isArray(config.args)) {
    throw new Error('xdaemon supervisor: configuration is not one this version understands');
  }
  return config;
}

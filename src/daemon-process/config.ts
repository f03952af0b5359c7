/**
 * What a launcher hands the supervisor it starts: a small JSON configuration as the first
 * argument and the worker's arguments after it, each its own argument. The worker's command line
 * is never packed into one string, so a long one fails no more than the program itself would
 * (Linux caps a single argument at 128 KB: `spawn E2BIG`).
 */
import type { DaemonSettings } from '../settings/types.js';
import type { HandshakeChannel } from './handshake.js';
import { readyWithin } from '../supervisor/health/health-settings.js';

/** Detached: started by a launcher, the log is its only output. Foreground: the lines go to stderr too. */
export type SuperviseMode = 'detached' | 'foreground';

/** Configuration of a supervisor, less the worker's arguments. */
export interface SupervisorConfig {
  /** Format version. */
  v: 2;
  /** Worker executable. */
  file: string;
  /** `NODE_OPTIONS` of the worker (`null`: unset); the supervisor itself runs without it. */
  nodeOptions: string | null;
  cwd: string;
  /** Absolute log path, or '' to discard output. */
  logFile: string;
  /** `XW_DAEMON_IDX` of the first worker, later ones counting up from it as in Go; null: none. */
  firstMarker: number | null;
  settings: DaemonSettings;
  /** Where to answer the launcher; null in the foreground. */
  handshake: HandshakeChannel | null;
  /** Absolute path of signal-exit's CommonJS entry, resolved by the launcher (null: resolve by name). */
  signalExit: string | null;
  /** The CLI's state directory, for a named daemon (watch ignores it). */
  stateDir?: string;
  /** `named`: the settings were resolved against a named daemon's defaults (../settings/profiles), not the library's. */
  defaults?: 'named';
  /**
   * Variables set for the daemon itself (a fleet app's `env`, `--env`): they win over its env files,
   * which win over the rest of the inherited environment. Names only.
   */
  envSet?: string[];
}

/**
 * Whether the launcher hears from the supervisor only once the first workers are up, not as soon
 * as it supervises: with `waitReady` or a health check (they must be ready), and with `listen` (a bind that fails is
 * a failed start the launcher reports).
 */
export function answersAfterStart(settings: Pick<DaemonSettings, 'waitReady' | 'listen' | 'health' | 'healthStartPeriod'>): boolean {
  return readyWithin(settings) > 0 || settings.listen.length > 0;
}

/** File name of the supervisor entry, beside the compiled library. */
export const SUPERVISOR_ENTRY = 'supervisor-main.js';

/** The supervisor's arguments (after the entry's path) for `config` and the worker's `args`. */
export function configArgs(config: SupervisorConfig, args: readonly string[]): string[] {
  return [JSON.stringify(config), ...args];
}

/** Parses the supervisor's arguments (after the entry's path) back into configuration and worker arguments. */
export function parseConfigArgs(argv: readonly string[]): { config: SupervisorConfig; args: string[] } {
  const [text, ...args] = argv;
  if (text === undefined) throw new Error('xdaemon supervisor: missing configuration argument');
  const config = JSON.parse(text) as SupervisorConfig;
  if (config.v !== 2 || typeof config.file !== 'string') {
    throw new Error('xdaemon supervisor: configuration is not one this version understands');
  }
  return { config, args };
}

/**
 * What a launcher hands the host it starts, and where a host lives: one host per state directory,
 * its files dot-files there (never taken for a daemon's: a name cannot start with a dot):
 * `.host.pid` (its lock's name, its pid), `.host.pid.state` (the key of its control channel),
 * `.host.log` (its own lines and anything it prints). Pure.
 */
import { join } from 'node:path';
import type { HandshakeChannel } from './handshake.js';

/** Configuration of a host. */
export interface HostConfig {
  /** Format version. */
  v: 1;
  /** The state directory whose daemons it runs (absolute). */
  stateDir: string;
  /** Where to answer the launcher. */
  handshake: HandshakeChannel | null;
  /** Absolute path of signal-exit's CommonJS entry, resolved by the launcher (null: resolve by name). */
  signalExit: string | null;
}

/** File name of the host entry, beside the compiled library. */
export const HOST_ENTRY = 'host-main.js';

/** The files of the host of state directory `stateDir`. */
export function hostPaths(stateDir: string): { pidFile: string; log: string } {
  return { pidFile: join(stateDir, '.host.pid'), log: join(stateDir, '.host.log') };
}

/** Parses the host's argument (after the entry's path). */
export function parseHostConfig(argv: readonly string[]): HostConfig {
  const [text] = argv;
  if (text === undefined) throw new Error('xdaemon host: missing configuration argument');
  const config = JSON.parse(text) as HostConfig;
  if (config.v !== 1 || typeof config.stateDir !== 'string') throw new Error('xdaemon host: configuration is not one this version understands');
  return config;
}

/** The `code` of a host's refusal to add a daemon as it exits: the client starts a new host. */
export const HOST_EXITING = 'EHOSTEXIT';

/**
 * `xdaemon start [options] [--name NAME] -- <command> [args…]`: the command, supervised in the
 * background under a name. Everything that can be wrong is reported before anything detaches (bad
 * flags, a command not found, an unusable state directory, a name that runs already); then the
 * launcher bundle starts the supervisor, waits for its handshake, and the record is written. A
 * dead daemon of the name (its supervisor killed) is cleaned up first.
 */
import { existsSync } from 'node:fs';
import { loadBundle } from '../bundles.js';
import { daemonPaths } from './record.js';
import { type LaunchRequest, parseLaunch, prepare, readLaunchLine, recordOf, startRecord, startedLine } from './launch.js';
import { currentStateFacts, openStateDirectory, stateDirectoryPath } from './state-dir.js';
import type { Io } from './io.js';
import { EXIT } from './usage-error.js';

/** `start`, read. */
export type StartRequest = { verb: 'start' } & LaunchRequest;

/** Reads `start`'s arguments; `help` for `--help`. Pure. */
export function parseStart(args: readonly string[]): StartRequest | { verb: 'help'; topic: 'start' } {
  const line = readLaunchLine('start', args);
  if (line.help) return { verb: 'help', topic: 'start' };
  return { verb: 'start', ...parseLaunch('start', line) };
}

/** Starts the daemon; exit 0 once its supervisor handles signals. */
export async function start(request: StartRequest, io: Io): Promise<number> {
  const facts = currentStateFacts();
  const prepared = prepare(request, facts);
  const dir = openStateDirectory(stateDirectoryPath(facts), true) as string;
  const record = recordOf(prepared, dir);
  const { pidFile } = daemonPaths(dir, record.name);
  // A pid file: it runs (the launcher refuses it, naming its supervisor), or it is dead, and what
  // its workers left is stopped first. Without one (the usual case) nothing is asked.
  if (existsSync(pidFile)) {
    const lib = loadBundle('control');
    if ((await lib.status(pidFile)).state === 'dead') await lib.stop(pidFile);
  }
  const started = startRecord(dir, record, facts.env);
  io.out(startedLine(record.name, started, record.log));
  return EXIT.ok;
}

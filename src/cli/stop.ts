/**
 * `xdaemon stop NAME… | --all [--timeout MS]`: each supervisor stops its worker's whole tree and
 * exits; the verb returns once they are gone. A stopped name succeeds (exit 0), as LSB asks; a dead
 * one (its supervisor was killed) has its leftover processes stopped and its pid file removed.
 */
import { millis, readLine, textFlag } from './flags.js';
import type { Io } from './io.js';
import { control, existingStateDirectory, forEachName, known, namesOrAll, requestedNames } from './daemons.js';
import { recordNames } from './record.js';

/** `stop`, read. */
export interface StopRequest {
  verb: 'stop';
  names: string[];
  all: boolean;
  /** Milliseconds to wait for each daemon to be gone. */
  timeout: number;
}

/** The library's stop() default. */
export const DEFAULT_STOP_TIMEOUT = 30_000;

/** Reads `stop`'s arguments. Pure. */
export function parseStop(args: readonly string[]): StopRequest | { verb: 'help'; topic: 'stop' } {
  const line = readLine('stop', args, { all: { type: 'boolean' }, timeout: { type: 'string' } });
  if (line.help) return { verb: 'help', topic: 'stop' };
  const { names, all } = namesOrAll('stop', line);
  const text = textFlag(line, 'timeout');
  return { verb: 'stop', names, all, timeout: text === undefined ? DEFAULT_STOP_TIMEOUT : millis('timeout', text) };
}

/** Stops the daemons at once; exit 1 if one of them could not be stopped or has no record. */
export async function stop(request: StopRequest, io: Io): Promise<number> {
  const dir = existingStateDirectory();
  const names = requestedNames(dir, request, recordNames);
  const { status, stop: stopDaemon } = control();
  return forEachName(names, io, async (name) => {
    const daemon = known(dir, name);
    const before = await status(daemon.pidFile);
    if (before.state === 'stopped') {
      io.out(`${name} was not running`);
      return;
    }
    await stopDaemon(daemon.pidFile, { timeout: request.timeout });
    io.out(before.state === 'dead' ? `stopped ${name} (its supervisor was gone: cleaned up what it left)` : `stopped ${name}`);
  });
}

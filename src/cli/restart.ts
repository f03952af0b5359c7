/**
 * `xdaemon restart NAME…`: a running daemon gets a new worker (its supervisor stays, its whole
 * tree is stopped gracefully first); a stopped (or dead) one is started again from its record, with
 * the environment of this shell plus its recorded `--env`, its command looked up again.
 */
import { resolveCommand } from '../process/which.js';
import type { Io } from './io.js';
import { control, existingStateDirectory, forEachName, known, namesOf } from './daemons.js';
import { daemonEnv, startRecord, startedLine } from './launch.js';
import { readLine } from './flags.js';

/** `restart`, read. */
export interface RestartRequest {
  verb: 'restart';
  names: string[];
}

/** Reads `restart`'s arguments. Pure. */
export function parseRestart(args: readonly string[]): RestartRequest | { verb: 'help'; topic: 'restart' } {
  const line = readLine('restart', args, {});
  if (line.help) return { verb: 'help', topic: 'restart' };
  return { verb: 'restart', names: namesOf('restart', line.positionals, true) };
}

/** Restarts (or starts) each daemon; exit 1 if one of them failed. */
export async function restart(request: RestartRequest, io: Io): Promise<number> {
  const dir = existingStateDirectory();
  const lib = control();
  return forEachName(request.names, io, async (name) => {
    const daemon = known(dir, name);
    const now = await lib.status(daemon.pidFile);
    if (now.state === 'running' || now.state === 'restarting') {
      const { workerPid } = await lib.restart(daemon.pidFile);
      io.out(`restarted ${name}: worker ${workerPid}`);
      return;
    }
    // Dead: what its workers left is stopped and the stale pid file removed first.
    if (now.state === 'dead') await lib.stop(daemon.pidFile);
    const record = { ...daemon.record, updatedAt: new Date().toISOString() };
    record.file = resolveCommand(record.command, daemonEnv(process.env, record.env), record.cwd);
    const started = startRecord(daemon.dir, record, process.env);
    io.out(`${startedLine(name, started, record.log)} (it was ${now.state})`);
  });
}

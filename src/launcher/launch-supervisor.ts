/**
 * The launcher's part of `Daemon.run()`: start the supervisor entry for this program, wait until it
 * handles stop signals, then exit.
 */
import { closeSync } from 'node:fs';
import { resolve } from 'node:path';
import { XDaemonError } from '../errors.js';
import { openLogFile } from '../log/log-file.js';
import { READY_TIMEOUT, readyFilePath, waitReady } from './ready-handshake.js';
import type { DaemonSettings } from '../options.js';
import { currentFacts, programCommand } from './program.js';
import { signalGroup } from '../process/process-group.js';
import { SUPERVISOR_ENTRY, type SupervisorConfig } from '../supervisor/config.js';
import { spawnDetached, workingDirectory } from '../process/spawn-child.js';

/** Starts the supervisor for this program and ends this process (the launcher's part of run()). */
export function launchSupervisor(logFile: string, settings: DaemonSettings, firstMarker: number, mode: 'detached' | 'foreground'): never {
  const facts = currentFacts();
  if (facts.isSea) {
    throw new XDaemonError('Daemon.run() is not supported in a single executable application; use background()');
  }
  const command = programCommand(facts);
  const cwd = workingDirectory();
  const config: SupervisorConfig = {
    v: 1,
    file: command.file,
    args: command.args,
    display: command.display,
    nodeOptions: command.nodeOptions ?? null,
    cwd,
    logFile: logFile === '' ? '' : resolve(cwd, logFile),
    firstMarker,
    settings,
    readyFile: mode === 'detached' ? readyFilePath() : null,
    signalExit: resolveSignalExit(),
  };
  // The supervisor is plain Node running our own entry: none of the user's flags or NODE_OPTIONS.
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  // Beside this bundle in dist/ (require.resolve works from the CJS and the ESM build alike).
  const args = [require.resolve(`./${SUPERVISOR_ENTRY}`), JSON.stringify(config)];
  if (mode === 'foreground') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    const result = spawnSync(process.execPath, args, { cwd, env, stdio: 'inherit' });
    if (result.error) throw new XDaemonError(`cannot run the supervisor: ${result.error.message}`, { cause: result.error });
    process.exit(result.status ?? 1);
  }
  const fd = openLogFile(logFile);
  let pid: number;
  try {
    pid = spawnDetached({ file: process.execPath, args, env, cwd, outputFd: fd }).pid;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const outcome = waitReady(config.readyFile as string, pid, READY_TIMEOUT);
  if (outcome !== 'ready') {
    if (outcome === 'timeout') signalGroup(pid, 'SIGKILL');
    const where = logFile === '' ? '' : `; see ${logFile}`;
    throw new XDaemonError(
      outcome === 'exited'
        ? `the supervisor (pid ${pid}) exited while starting${where}`
        : `the supervisor (pid ${pid}) was not ready after ${READY_TIMEOUT / 1000} s and was killed${where}`,
    );
  }
  process.stderr.write(`xdaemon: [${process.pid}] started supervisor ${pid}${logFile === '' ? '' : ` (log: ${logFile})`}\n`);
  process.exit(0);
}

/** Where `require('signal-exit')` leads from here, for the supervisor to load without resolving. */
function resolveSignalExit(): string | null {
  try {
    return require.resolve('signal-exit');
  } catch {
    return null;
  }
}

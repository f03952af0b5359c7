/**
 * The launcher's part of `Daemon.run()`: build the supervisor's configuration for this program,
 * then either start the supervisor detached and wait (the handshake) until it handles stop
 * signals, or, in the foreground, make this very process the supervisor.
 */
import { closeSync } from 'node:fs';
import { resolve } from 'node:path';
import { XDaemonError } from '../errors.js';
import { openLogFile } from '../log/log-file.js';
import type { DaemonSettings } from '../options.js';
import { signalGroup } from '../process/process-group.js';
import { spawnDetached, workingDirectory } from '../process/spawn-child.js';
import { SUPERVISOR_ENTRY, type SupervisorConfig, configArgs } from '../supervisor/config.js';
import { superviseInThisProcess } from './foreground.js';

export { ForegroundSupervision } from './foreground.js';
import { SUPERVISING_TIMEOUT, createReceiver } from './handshake.js';
import { currentFacts, programCommand } from './program.js';

/** Starts the supervisor for this program and ends this process (the launcher's part of run()). */
export function launchSupervisor(logFile: string, settings: DaemonSettings, firstMarker: number, mode: 'detached' | 'foreground'): never {
  const facts = currentFacts();
  if (facts.isSea) {
    throw new XDaemonError('Daemon.run() is not supported in a single executable application; use background()');
  }
  const command = programCommand(facts);
  const cwd = workingDirectory();
  const config: SupervisorConfig = {
    v: 2,
    file: command.file,
    nodeOptions: command.nodeOptions ?? null,
    cwd,
    logFile: logFile === '' ? '' : resolve(cwd, logFile),
    firstMarker,
    settings,
    handshake: null,
    signalExit: resolveSignalExit(),
  };
  if (mode === 'foreground') return superviseInThisProcess(config, command.args, firstMarker - 1);
  // The supervisor is plain Node running our own entry: none of the user's flags or NODE_OPTIONS.
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const receiver = createReceiver();
  config.handshake = receiver.channel;
  // Beside this bundle in dist/ (require.resolve works from the CJS and the ESM build alike).
  const args = [require.resolve(`./${SUPERVISOR_ENTRY}`), ...configArgs(config, command.args)];
  const fd = openLogFile(config.logFile);
  let child: ReturnType<typeof spawnDetached>;
  try {
    child = spawnDetached({ file: process.execPath, args, env, cwd, outputFd: fd, extraStdio: receiver.stdio });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  try {
    const pid = child.pid;
    const outcome = receiver.wait(child, SUPERVISING_TIMEOUT, () => true);
    const where = config.logFile === '' ? '' : `; see ${config.logFile}`;
    switch (outcome.kind) {
      case 'supervising':
        break;
      case 'failed':
        throw new XDaemonError(`the supervisor (pid ${pid}) could not start: ${outcome.message}`);
      case 'timeout':
        signalGroup(pid, 'SIGKILL');
        throw new XDaemonError(`the supervisor (pid ${pid}) was not ready after ${SUPERVISING_TIMEOUT / 1000} s and was killed${where}`);
      default:
        throw new XDaemonError(`the supervisor (pid ${pid}) exited while starting${where}`);
    }
    const log = config.logFile === '' ? '' : ` (log: ${config.logFile})`;
    process.stderr.write(`xdaemon: [${process.pid}] started supervisor ${pid}${log}\n`);
  } finally {
    receiver.dispose();
  }
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

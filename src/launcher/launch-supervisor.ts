/**
 * The launcher's part of `Daemon.run()`: build the supervisor's configuration for this program,
 * then either start the supervisor detached and report it, or, in the foreground, make this very
 * process the supervisor.
 */
import { resolve } from 'node:path';
import { absolutePidFile } from '../control/address.js';
import { EXIT_ALREADY_RUNNING, XDaemonError, messageOf } from '../errors.js';
import type { DaemonSettings } from '../settings/types.js';
import { workingDirectory } from '../process/spawn-child.js';
import { checkEnvFiles } from '../process/env-file.js';
import type { SupervisorConfig } from '../daemon-process/config.js';
import { superviseInThisProcess } from './foreground.js';
import { currentFacts, programCommand } from './program.js';
import { ALREADY_RUNNING, startSupervisor } from './start-supervisor.js';

export { ForegroundSupervision } from './foreground.js';

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
    settings: {
      ...settings,
      pidFile: settings.pidFile === '' ? '' : absolutePidFile(settings.pidFile, cwd),
      errFile: settings.errFile === '' ? '' : resolve(cwd, settings.errFile),
      envFile: settings.envFile.map((file) => resolve(cwd, file)),
    },
    handshake: null,
    signalExit: resolveSignalExit(),
  };
  // An env file is read at every start: one that cannot be read now is refused before anything runs.
  checkEnvFiles(config.settings.envFile);
  if (mode === 'foreground') return superviseInThisProcess(config, command.args, firstMarker - 1);
  let started: ReturnType<typeof startSupervisor>;
  try {
    started = startSupervisor(config, command.args, process.env);
  } catch (err) {
    if ((err as XDaemonError).code !== ALREADY_RUNNING) throw err;
    process.stderr.write(`xdaemon: ${messageOf(err)}\n`);
    process.exit(EXIT_ALREADY_RUNNING);
  }
  const log = config.logFile === '' ? '' : ` (log: ${config.logFile})`;
  const ready = started.workerPid === undefined ? '' : started.readySeconds === undefined ? `; worker ${started.workerPid}` : `; worker ${started.workerPid} ready after ${started.readySeconds.toFixed(3)} s`;
  process.stderr.write(`xdaemon: [${process.pid}] started supervisor ${started.pid}${log}${ready}\n`);
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

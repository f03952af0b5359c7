/**
 * The supervisor process: a {@link Supervisor} loop with what a process around it must do. Its
 * own timestamped lines in the log (and on stderr in the foreground), SIGTERM/SIGINT as a graceful
 * stop, SIGHUP as a log reopen, the handshake with its launcher, a last word in the log whatever
 * ends it, and its exit code. It runs none of the user's code; `Daemon.run()` in the foreground
 * calls it in the user's process, the detached entry (./entry) in a process of its own.
 */
import { spawnSync } from 'node:child_process';
import { messageOf } from '../errors.js';
import { ENV_NAME } from '../generation.js';
import { SupervisorLog } from '../log/supervisor-log.js';
import { signalTree } from '../process/stop-tree.js';
import type { SupervisorConfig } from './config.js';
import { describeCommand } from '../process/command-line.js';
import { HandshakeSender } from './handshake.js';
import { type Counters, Supervisor } from './supervisor.js';

/** Detached: started by a launcher, the log is its only output. Foreground: the lines go to stderr too. */
export type SuperviseMode = 'detached' | 'foreground';

/**
 * Supervises the worker `config.file args` until the policy ends it or a stop signal arrives, then
 * exits the process with the supervisor's code. Returns once the loop runs and the signal
 * handlers are in place.
 */
export function supervise(config: SupervisorConfig, args: readonly string[], mode: SuperviseMode): void {
  const display = describeCommand(config.file, args);
  process.title = `xdaemon supervisor: ${display}`;
  const handshake = new HandshakeSender(config.handshake);
  const log = new SupervisorLog(config.logFile, mode === 'foreground');
  const line = (text: string): void => log.line(text);
  const counters = (c: Counters): string => `(count ${c.starts}/${c.maxCount === 0 ? 'unlimited' : c.maxCount}; errors ${c.errors}/${c.maxError})`;

  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env[ENV_NAME];
  if (config.nodeOptions === null) delete env.NODE_OPTIONS;
  else env.NODE_OPTIONS = config.nodeOptions;

  const { settings } = config;
  const firstMarker = config.firstMarker;
  const supervisor = new Supervisor({
    file: config.file,
    args,
    cwd: config.cwd,
    env,
    ...(firstMarker === null ? {} : { envForStart: (start: number) => ({ [ENV_NAME]: String(firstMarker + start - 1) }) }),
    outputFd: () => log.openForWorker(),
    policy: settings,
    killTimeout: settings.killTimeout,
  });

  supervisor
    .on('start', ({ pid, counters: c }) => line(`worker started: pid ${pid} ${counters(c)}`))
    .on('start-failed', ({ error, counters: c }) => line(`worker start failed: ${error.message} ${counters(c)}`))
    .on('exit', ({ pid, seconds, code, signal, counters: c }) => {
      const how = signal === null ? `code ${code}` : `signal ${signal}`;
      line(`worker exited: pid ${pid} after ${seconds.toFixed(3)} s with ${how} ${counters(c)}`);
    })
    .on('restart', ({ delay, counters: c }) => line(`restart in ${delay} ms ${counters(c)}`))
    .on('giveup', ({ reason, counters: c }) =>
      line(
        reason === 'maxError'
          ? `giving up: ${c.errors} consecutive failures exceed maxError ${c.maxError} ${counters(c)}`
          : `done: maxCount ${c.maxCount} starts reached ${counters(c)}`,
      ),
    )
    .on('stopping', ({ signal, pid }) =>
      line(pid === undefined ? `stopping: no worker running` : `stopping: sending ${signal} to worker pid ${pid} and every process it started`),
    )
    .on('kill', ({ pid, pids, killTimeout }) =>
      line(`worker pid ${pid}: ${pids.length} process(es) still running after killTimeout ${killTimeout} ms: sending SIGKILL to ${pids.join(', ')}`),
    )
    .on('stop', ({ counters: c, survivors }) =>
      line(survivors.length === 0 ? `stopped ${counters(c)}` : `stopped, but SIGKILL did not end pid(s) ${survivors.join(', ')} ${counters(c)}`),
    );

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      line(`received ${signal}: stopping, no further restarts`);
      supervisor.stop('SIGTERM');
    });
  }
  process.on('SIGHUP', () => {
    // logrotate's `postrotate` convention: the supervisor's lines and the next worker go to a new file.
    const error = log.reopen();
    line(error === undefined ? 'received SIGHUP: log file reopened' : `received SIGHUP: cannot reopen the log file (${error}); keeping the old one`);
  });

  // Whatever ends this process, the worker's tree is told to stop and the log says why. (A SIGKILL
  // runs nothing: the worker then notices that its parent is gone and stops by itself.)
  let exiting = false;
  loadSignalExit(config.signalExit)((code, signal) => {
    if (!exiting) line(signal === null ? `supervisor ending: exit code ${code ?? 0}` : `supervisor ending: received ${signal}, which it does not handle`);
    const worker = supervisor.workerId;
    if (worker !== undefined) signalTree(worker, 'SIGTERM', supervisor.treeToken);
    log.flush();
    if (mode === 'detached') toSystemLog(log.unwritten());
    log.close();
  });

  // Stop signals are handled from here on: the launcher may print our pid now.
  handshake.send({ kind: 'supervising', pid: process.pid });
  handshake.close();

  line(
    `supervisor started for: ${display} (maxCount ${settings.maxCount === 0 ? 'unlimited' : settings.maxCount}, maxError ${settings.maxError}, minExitTime ${settings.minExitTime} s)`,
  );
  void supervisor.run().then((code) => {
    exiting = true;
    line(`supervisor exiting with code ${code}`);
    process.exit(code);
  });
}

/**
 * Lines the log could not take (a full disk) go to the system log with `logger`, where it exists,
 * so that a detached supervisor's last words (a give-up, say) can still be found.
 */
function toSystemLog(lines: string[]): void {
  if (lines.length === 0) return;
  try {
    spawnSync('logger', ['-t', `xdaemon[${process.pid}]`], { input: lines.join(''), stdio: ['pipe', 'ignore', 'ignore'], timeout: 2000 });
  } catch (err) {
    process.stderr.write(`xdaemon supervisor: cannot reach the system log: ${messageOf(err)}\n`);
  }
}

/**
 * `signal-exit`, loaded by the absolute path the launcher resolved: a bare-name require would make
 * this process load Node's package-exports resolver (~0.7 MB of RSS and a few ms of start-up).
 */
function loadSignalExit(path: string | null): typeof import('signal-exit').onExit {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path ?? 'signal-exit') as typeof import('signal-exit')).onExit;
}

/**
 * Entry of the detached supervisor that `Daemon.run()` starts. It runs none of the user's code:
 * it reads its configuration from argv[2], supervises the worker, writes its own lines to the log
 * file, and turns SIGTERM/SIGINT into a graceful stop.
 */
import { closeSync, writeSync } from 'node:fs';
import { messageOf } from '../errors.js';
import { ENV_NAME } from '../generation.js';
import { openLogFile } from '../log/log-file.js';
import { markReady } from '../launcher/ready-handshake.js';
import { signalGroup } from '../process/process-group.js';
import { type Counters, Supervisor } from './supervisor.js';
import { parseConfig } from './config.js';

const config = parseConfig(process.argv[2]);
process.title = `xdaemon supervisor: ${config.display}`;

let logFd: number | undefined;
try {
  logFd = openLogFile(config.logFile);
} catch (err) {
  process.stderr.write(`xdaemon supervisor: ${messageOf(err)}\n`);
  process.exit(1);
}

/** Writes one timestamped supervisor line to the log. */
function line(text: string): void {
  if (logFd === undefined) return;
  try {
    writeSync(logFd, `${new Date().toISOString()} xdaemon[${process.pid}] ${text}\n`);
  } catch {
    // A full disk must not take the supervisor down.
  }
}

const counters = (c: Counters): string => `(count ${c.starts}/${c.maxCount}; errors ${c.errors}/${c.maxError})`;

const env: NodeJS.ProcessEnv = { ...process.env };
delete env[ENV_NAME];
if (config.nodeOptions === null) delete env.NODE_OPTIONS;
else env.NODE_OPTIONS = config.nodeOptions;

const { settings } = config;
const supervisor = new Supervisor({
  file: config.file,
  args: config.args,
  cwd: config.cwd,
  env,
  envForStart: (start) => ({ [ENV_NAME]: String(config.firstMarker + start - 1) }),
  outputFd: () => logFd,
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
    line(pid === undefined ? `stopping: no worker running` : `stopping: sending ${signal} to worker pid ${pid} and its process group`),
  )
  .on('kill', ({ pid, killTimeout }) => line(`process group of worker pid ${pid} still running after killTimeout ${killTimeout} ms: sending SIGKILL`))
  .on('stop', ({ counters: c }) => line(`stopped ${counters(c)}`));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    line(`received ${signal}: stopping, no further restarts`);
    supervisor.stop('SIGTERM');
  });
}

process.on('SIGHUP', () => {
  // Reopen the log (logrotate's `postrotate` sends SIGHUP): new workers and lines go to the new file.
  const old = logFd;
  try {
    logFd = openLogFile(config.logFile);
    if (old !== undefined) closeSync(old);
    line('received SIGHUP: log file reopened');
  } catch (err) {
    line(`received SIGHUP: cannot reopen the log file (${messageOf(err)}); keeping the old one`);
  }
});

// Stop signals are handled from here on: tell the launcher, which prints our pid only now.
if (config.readyFile !== null) markReady(config.readyFile);

// Last resort: whatever ends this process, the worker's group is told to stop too. (A SIGKILL of the
// supervisor runs nothing; the worker then notices its parent is gone and exits by itself.)
loadSignalExit(config.signalExit)(() => {
  const pid = supervisor.workerPid;
  if (pid !== undefined) signalGroup(pid, 'SIGTERM');
});

line(
  `supervisor started for: ${config.display} (maxCount ${settings.maxCount}, maxError ${settings.maxError}, minExitTime ${settings.minExitTime} s)`,
);
void supervisor.run().then((code) => {
  line(`supervisor exiting with code ${code}`);
  process.exit(code);
});

/**
 * `signal-exit`, loaded by the absolute path the launcher resolved: a bare-name require would make
 * this process load Node's package-exports resolver (~0.7 MB of RSS and a few ms of start-up).
 */
function loadSignalExit(path: string | null): typeof import('signal-exit').onExit {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path ?? 'signal-exit') as typeof import('signal-exit')).onExit;
}

/** `Daemon`: Go's `xdaemon.Daemon`, a detached supervisor that restarts the worker. */
import { loadBundle } from './bundles.js';
import { exitWithError } from './errors.js';
import { checkMayStart, currentMarker, markDaemonRun, nextCall } from './generation.js';
import { checkLogFile } from './log/log-file.js';
import { type DaemonOptions, type DaemonSettings, DEFAULTS, checkOptionKeys, checkSettings } from './options.js';
import { unusedLogSetting } from './log/log-mode.js';
import { followLog } from './worker/log-follow.js';
import { exitWhenOrphaned } from './worker/orphan-watch.js';
import { quietStdio } from './worker/quiet-stdio.js';
import { tracer } from './trace.js';

const trace = tracer('daemon');

/**
 * A supervised daemon, as Go's `xdaemon.Daemon`. Call {@link Daemon.run} at the top of the
 * program: the launching process starts a detached supervisor and exits; the supervisor starts
 * the program again as the worker and restarts it when it exits, within the limits below; in the
 * worker, `run()` returns and the code after it runs.
 *
 * @example
 * ```ts
 * const d = new Daemon('daemon.log');
 * d.maxCount = 2;
 * d.run();
 * // only the worker gets here
 * ```
 */
export class Daemon {
  /** File for the worker's output and the supervisor's lines ('' or undefined discards them). */
  logFile: string;
  /** Total number of worker starts; 0 (default) means no limit. */
  maxCount: number = DEFAULTS.maxCount;
  /** Consecutive failures allowed (default 3); the supervisor gives up with exit code 1 beyond it. */
  maxError: number = DEFAULTS.maxError;
  /** Seconds (fractions allowed) a worker must run for its exit not to be a failure (default 10). */
  minExitTime: number = DEFAULTS.minExitTime;
  /** Milliseconds between SIGTERM and SIGKILL when the supervisor stops the worker (default 5000). */
  killTimeout: number = DEFAULTS.killTimeout;
  /** Milliseconds to wait before each restart (default 0: at once, as in Go). */
  restartDelay: number = DEFAULTS.restartDelay;
  /** `fixed` (default) or `exponential` (double `restartDelay` per consecutive failure, up to `maxRestartDelay`). */
  backoff: 'fixed' | 'exponential' = DEFAULTS.backoff;
  /** Cap of the exponential backoff in milliseconds (default 30000). */
  maxRestartDelay: number = DEFAULTS.maxRestartDelay;
  /** `always` (default, Go's), `on-failure` (not after exit code 0 or a `successExitCodes` code) or `never` (one run). */
  restart: 'always' | 'on-failure' | 'never' = DEFAULTS.restart;
  /** Exit codes besides 0 that count as success for `restart: 'on-failure'` (default none). */
  successExitCodes: readonly number[] = DEFAULTS.successExitCodes;
  /** `group` (default): stop what an exited worker left running before the next start; `process`: leave it (Go's). */
  killMode: 'group' | 'process' = DEFAULTS.killMode;
  /**
   * Milliseconds the worker has to call `ready()` (default 0: do not wait). The launcher then exits
   * 0 only once the first worker is ready, and fails, stopping everything, if it dies first or the
   * time runs out.
   */
  waitReady: number = DEFAULTS.waitReady;
  /**
   * Pid file (default '': none): single instance (a second launch is refused, printing the
   * running supervisor's pid, with exit code 150, `EXIT_ALREADY_RUNNING`), and `status()`,
   * `stop()`, `restart()` from any process.
   */
  pidFile: string = DEFAULTS.pidFile;
  /** Prefix each line of the worker's output with an ISO 8601 UTC time (piped mode; default false). */
  timestamps: boolean = DEFAULTS.timestamps;
  /** File for the worker's stderr (default '': the log file). */
  errFile: string = DEFAULTS.errFile;
  /** Rotate the log by rename beyond this many bytes (piped mode; default 0: never). */
  maxSize: number = DEFAULTS.maxSize;
  /** Rotated files kept, `log.1` … `log.N` (default 5). */
  maxFiles: number = DEFAULTS.maxFiles;
  /** Bytes (default 0: no limit): the worker's whole tree above it (summed RSS, checked every second) is restarted gracefully. */
  maxMemory: number = DEFAULTS.maxMemory;
  /** A 5-field cron schedule in local time (default '': none): a graceful restart at those times. */
  cronRestart: string = DEFAULTS.cronRestart;
  /** Paths whose changes restart the worker (default none; relative: to the working directory). */
  watch: readonly string[] = DEFAULTS.watch;
  /** Globs `watch` ignores besides node_modules, .git, dotfiles, the logs, the pid and state files. */
  watchIgnore: readonly string[] = DEFAULTS.watchIgnore;
  /** Milliseconds without a further change before `watch` restarts the worker (default 200). */
  watchDebounce: number = DEFAULTS.watchDebounce;
  /**
   * Addresses the supervisor binds once and hands to every worker as descriptors 3, 4, … (default
   * none): `8080`, `127.0.0.1:8080`, `[::1]:8080`, `unix:/path`, optionally named (`http=8080`).
   * The worker takes one with `listenHandle()`, or its own `listen(port)` for a held port does.
   */
  listen: readonly string[] = DEFAULTS.listen;
  /** Workers run side by side (default 1), each with `XDAEMON_INSTANCE`, each restarted on its own. */
  instances: number = DEFAULTS.instances;
  /** Milliseconds a reload overlaps old and new worker when `waitReady` is 0 (default 2000). */
  reloadGrace: number = DEFAULTS.reloadGrace;
  /** Keep one idle node booted that becomes the next worker: a restart without a Node start-up (default false). */
  prewarm: boolean = DEFAULTS.prewarm;

  /**
   * @param logFile - Log file for the worker's output and the supervisor's lines ('' discards).
   * @param options - Any of the settings, instead of setting the fields afterwards.
   * @throws TypeError for a non-string `logFile`, a non-object `options` or an unknown option key.
   */
  constructor(logFile: string = '', options?: DaemonOptions) {
    checkLogFile(logFile);
    checkOptionKeys(options);
    this.logFile = logFile;
    Object.assign(this, options);
  }

  /**
   * Runs the daemon. Synchronous: in the launcher it starts the supervisor and exits the process
   * with code 0; in the worker it returns, so the code after it runs there only. The supervisor
   * is a separate entry of this library and never runs the code after `run()`.
   *
   * A bad setting or log path fails here, in the launcher's terminal: invalid settings throw a
   * TypeError or RangeError; a log file that cannot be opened or a supervisor that cannot be
   * started prints `xdaemon: …` on stderr and exits with code 1. Nothing is left running.
   */
  run(): void {
    const logFile = this.logFile === undefined ? '' : this.logFile;
    checkLogFile(logFile);
    const settings = checkSettings(this);
    const unused = unusedLogSetting(logFile, settings, this.maxFiles !== DEFAULTS.maxFiles);
    if (unused !== undefined) throw new RangeError(`xdaemon: ${unused}`);
    checkMayStart('Daemon.run()');
    const call = nextCall();
    if (call.mine) {
      trace('call %d: launcher, starting the supervisor', call.index);
      superviseFromHere(logFile, settings, call.index + 1, 'detached');
    }
    // Go's loop makes one more call in every generation below the launcher.
    nextCall();
    if (currentMarker() === call.index) {
      // Started with the supervisor's own marker (as Go's supervisor is): supervise in the foreground.
      trace('call %d: marker equals the call, supervising in the foreground', call.index);
      superviseFromHere(logFile, settings, call.index + 1, 'foreground');
    }
    trace('call %d: worker (marker %d), running the program', call.index, currentMarker());
    markDaemonRun();
    quietStdio();
    followLog();
    exitWhenOrphaned();
  }
}

/** Go's `NewDaemon`: a {@link Daemon} with the default settings. */
export function newDaemon(logFile: string = ''): Daemon {
  return new Daemon(logFile);
}

/** Hands this process over to a supervisor; the launch code is loaded only here, never in a worker. */
function superviseFromHere(logFile: string, settings: DaemonSettings, firstMarker: number, mode: 'detached' | 'foreground'): never {
  const launcher = loadBundle('launcher');
  try {
    return launcher.launchSupervisor(logFile, settings, firstMarker, mode);
  } catch (err) {
    // In the foreground, run() ends the main script with this error on purpose (see launcher/foreground).
    if (err instanceof launcher.ForegroundSupervision) throw err;
    return exitWithError(err);
  }
}

/** `Daemon`: Go's `xdaemon.Daemon`, a detached supervisor that restarts the worker. */
import { loadBundle } from './bundles.js';
import { exitWithError } from './errors.js';
import { checkMayStart, currentMarker, markDaemonRun, nextCall } from './generation.js';
import { checkLogFile } from './log/log-file.js';
import { checkOptionKeys, checkSettings } from './settings/check.js';
import { DEFAULTS } from './settings/derived.js';
import type { DaemonOptions, DaemonSettings } from './settings/types.js';
import { followLog } from './worker/log-follow.js';
import { exitWhenOrphaned } from './worker/orphan-watch.js';
import { quietStdio } from './worker/quiet-stdio.js';
import { tracer } from './trace.js';

const trace = tracer('daemon');

/**
 * The settings, as fields of a {@link Daemon} (their docs are the settings table's rows). Declared
 * as an interface of the class, so that the table stays the one place a setting is written.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Daemon extends DaemonSettings {}

/**
 * A supervised daemon, as Go's `xdaemon.Daemon`. Call {@link Daemon.run} at the top of the
 * program: the launching process starts a detached supervisor and exits; the supervisor starts
 * the program again as the worker and restarts it when it exits, within the limits its settings
 * fields give (the settings table's rows, all optional in {@link DaemonOptions}); in the
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
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Daemon {
  /** File for the worker's output and the supervisor's lines ('' or undefined discards them). */
  logFile: string;
  /**
   * @param logFile - Log file for the worker's output and the supervisor's lines ('' discards).
   * @param options - Any of the settings, instead of setting the fields afterwards.
   * @throws TypeError for a non-string `logFile`, a non-object `options` or an unknown option key.
   */
  constructor(logFile: string = '', options?: DaemonOptions) {
    checkLogFile(logFile);
    checkOptionKeys(options);
    this.logFile = logFile;
    Object.assign(this, DEFAULTS, options);
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
    // A field is "given" when it differs from its default: a Daemon's fields always hold a value.
    const settings = checkSettings(this, { logged: logFile !== '', given: (name) => this[name] !== DEFAULTS[name] });
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

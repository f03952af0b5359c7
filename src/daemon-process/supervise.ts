/**
 * The supervisor process of one daemon: its {@link Supervision} (the loop, its log, events, control
 * handlers, pid and state files: ./supervision) with what the process around it must do: its
 * title, signals as operations (./signal-actions), with a pid file single instance
 * (./single-instance), the handshake with its launcher (./handshake), a last word (in the log and
 * the state file) whatever ends it, and its exit code. It runs none of the user's code:
 * `Daemon.run()` in the foreground and `xdaemon run` call it in their own process, the detached
 * entry (./entry) in one of its own. (A host runs many supervisions in one process: ./host.)
 */
import { shortMessageOf } from '../errors.js';
import type { SuperviseMode, SupervisorConfig } from './config.js';
import { HandshakeSender, failToBegin } from './handshake.js';
import { setSupervisorTitle } from './process-title.js';
import { installSignalActions } from './signal-actions.js';
import { type HeldPidFile, holdOrExit, ownRecord } from './single-instance.js';
import { Supervision } from './supervision.js';

export type { SuperviseMode } from './config.js';

/** What a caller of {@link supervise} may add. */
export interface SuperviseOptions {
  /**
   * No log file: the worker's output goes to this process's own stdout and stderr (`xdaemon run`
   * without `--log`; time-prefixed with `timestamps`), the supervisor's lines to stderr.
   */
  toStdio?: boolean;
  /** What the detached entry did before loading this module (see ./entry). */
  early?: EarlyStart;
}

/** The detached entry's head start: it took the pid file (and answered its launcher) itself. */
export interface EarlyStart {
  held: HeldPidFile;
  treePrefix: string;
  startedAt: Date;
  /** A stop signal that came while the entry waited for the lock, if one did. */
  pendingSignal: NodeJS.Signals | undefined;
}

/**
 * Supervises the worker `config.file args` until the policy ends it or a stop arrives, then exits
 * the process with the supervisor's code. Returns once the signal actions are in place.
 */
export function supervise(config: SupervisorConfig, args: readonly string[], mode: SuperviseMode, options: SuperviseOptions = {}): void {
  const { early } = options;
  const handshake = new HandshakeSender(config.handshake);
  setSupervisorTitle(config.file, args);
  const startedAt = early?.startedAt ?? new Date();
  let supervision: Supervision;
  try {
    // The worker's environment is this process's own (the launcher gave it the daemon's).
    supervision = new Supervision({
      config,
      args,
      env: process.env,
      mode,
      toStdio: options.toStdio === true,
      reply: handshake,
      startedAt,
      treePrefix: early?.treePrefix,
    });
  } catch (err) {
    failToBegin(handshake, mode, shortMessageOf(err));
  }
  installSignalActions(supervision.handlers);
  void holdPidFile(supervision, config, args, { early, startedAt, handshake, mode }).then((held) => {
    if (held !== undefined) supervision.hold(held);
    sayLastWordsAtAnyEnd(supervision, config.signalExit, mode);
    supervision.begin();
    void supervision.finished.then((code) => process.exit(code));
    if (early?.pendingSignal !== undefined) process.emit(early.pendingSignal);
  });
}

/** The pid file: held already (by the detached entry), taken now, or none (resolves undefined). */
function holdPidFile(
  supervision: Supervision,
  config: SupervisorConfig,
  args: readonly string[],
  how: { early: EarlyStart | undefined; startedAt: Date; handshake: HandshakeSender; mode: SuperviseMode },
): Promise<HeldPidFile | undefined> {
  const { pidFile } = config.settings;
  if (how.early !== undefined) return Promise.resolve(how.early.held);
  if (pidFile === '') return Promise.resolve(undefined);
  return holdOrExit(pidFile, ownRecord(config, args, supervision.supervisor.treePrefix, how.startedAt), how.handshake, how.mode);
}

/**
 * Whatever ends this process, the worker's tree is told to stop and the log says why. (A SIGKILL
 * runs nothing: the group guard, or the parent-death signal, then stops the workers.)
 */
function sayLastWordsAtAnyEnd(supervision: Supervision, signalExit: string | null, mode: SuperviseMode): void {
  loadSignalExit(signalExit)((code, signal) => {
    const unwritten = supervision.lastWords(code, signal);
    if (mode === 'detached') toSystemLog(unwritten);
  });
}

/**
 * Lines the log could not take (a full disk) go to the system log with `logger`, where it exists,
 * so that a detached supervisor's last words (a give-up, say) can still be found.
 */
function toSystemLog(lines: string[]): void {
  if (lines.length === 0) return;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    spawnSync('logger', ['-t', `xdaemon[${process.pid}]`], { input: lines.join(''), stdio: ['pipe', 'ignore', 'ignore'], timeout: 2000 });
  } catch {
    // No system log either: the state file and the log are all there is.
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

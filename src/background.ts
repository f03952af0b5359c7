/** `background()`: Go's `xdaemon.Background`, starting this program again detached. */
import type { ChildProcess } from 'node:child_process';
import { loadBundle } from './bundles.js';
import { describe, exitWithError } from './errors.js';
import { checkMayStart, nextCall } from './generation.js';
import { checkLogFile } from './log/log-file.js';
import { tracer } from './trace.js';

const trace = tracer('background');

/**
 * Turns the program into a background process: starts the same program again (same Node
 * executable, Node flags, script, arguments, working directory and environment) detached, with
 * `XW_DAEMON_IDX` set to this call's index, and then exits (or returns the child).
 *
 * Calls are counted per process. A call whose index is not above this process's
 * `XW_DAEMON_IDX` belongs to an earlier generation: it returns `null` and does nothing, so the code
 * after it runs in the child only. Three calls in a row leave one process, three generations on.
 *
 * @param logFile - File that receives the child's stdout and stderr (opened for appending,
 *   created with mode 0o640). The empty string (default) discards them.
 * @param isExit - When true (default), the calling process exits with code 0 once the child is
 *   started. When false, the call returns the child (unref'ed: call `child.ref()` to keep this
 *   process alive until it exits).
 * @returns `null` in the generation that runs the code after the call; the started child when
 *   `isExit` is false.
 * @throws TypeError for a `logFile` that is not a string or an `isExit` that is not a boolean.
 * @throws {@link XDaemonError} when the log file cannot be opened or the child cannot be started
 *   (with `isExit` true, the message goes to stderr and the process exits with code 1 instead).
 */
export function background(logFile: string = '', isExit: boolean = true): ChildProcess | null {
  checkLogFile(logFile);
  if (typeof isExit !== 'boolean') {
    throw new TypeError(`xdaemon: isExit must be a boolean, got ${describe(isExit)}`);
  }
  checkMayStart('background()');
  const call = nextCall();
  if (!call.mine) {
    trace('call %d: not mine (child generation), returning null', call.index);
    return null;
  }
  let child: ChildProcess & { pid: number };
  try {
    // The spawning code is loaded only by the generation that spawns.
    child = loadBundle('launcher').startGeneration(call.index, logFile);
  } catch (err) {
    if (isExit) exitWithError(err);
    throw err;
  }
  process.stderr.write(`xdaemon: [${process.pid}] started background process ${child.pid} (generation ${call.index})\n`);
  if (isExit) process.exit(0);
  child.unref();
  return child;
}

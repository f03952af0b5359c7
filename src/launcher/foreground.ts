/**
 * `Daemon.run()` in a process started with the supervisor's own marker (as Go's supervisor is):
 * this process becomes the supervisor, so that the pid the user (or supervisord, runit, `docker
 * stop`, systemd) started is the one that stops everything on SIGTERM and exits with the
 * supervisor's code, and a SIGKILL of it leaves nothing behind (the worker watches its parent).
 *
 * `run()` is synchronous and the code after it must not run here. Node has no way to block a
 * synchronous call while its event loop runs (which the supervisor needs), and a blocked parent
 * waiting for a child supervisor could never pass a signal on. So the supervisor starts on this
 * event loop and `run()` ends the main script by throwing {@link ForegroundSupervision}, which a
 * capture callback swallows: the program's top-level code stops there, its event loop goes on.
 */
import { loadBundle } from '../bundles.js';
import type { SupervisorConfig } from '../daemon-process/config.js';
import { XDaemonError } from '../errors.js';

/** Thrown by `run()` in a process that has become the supervisor: it ends the main script. */
export class ForegroundSupervision extends XDaemonError {
  constructor(marker: number) {
    super(
      `this process supervises in the foreground (started with XW_DAEMON_IDX=${marker}): ` +
        'the code after Daemon.run() runs in its worker only; do not catch this error',
    );
  }
}

/** Makes this process the supervisor of `config.file args` and ends the main script (see above). */
export function superviseInThisProcess(config: SupervisorConfig, args: readonly string[], marker: number): never {
  // The supervisor bundle beside this one; it runs nothing when required.
  loadBundle('supervisor-core').supervise(config, args, 'foreground');
  const sentinel = new ForegroundSupervision(marker);
  let captured = false;
  try {
    process.setUncaughtExceptionCaptureCallback((err) => {
      if (err !== sentinel) throw err;
      captured = true;
      process.setUncaughtExceptionCaptureCallback(null);
    });
  } catch {
    // Another capture callback is set (the domain module): fall back to a one-off listener.
    const swallow = (err: Error): void => {
      if (err === sentinel) {
        captured = true;
        process.removeListener('uncaughtException', swallow);
      }
    };
    process.prependListener('uncaughtException', swallow);
  }
  setImmediate(() => {
    if (captured) return;
    // The program caught the sentinel and went on: say so. The supervisor still runs; its worker is
    // the program, this process is not.
    process.stderr.write(`xdaemon: ${sentinel.message}\n`);
  });
  throw sentinel;
}

/**
 * The default command runner of a Service: runs `systemctl`, `launchctl` or `schtasks` without a
 * shell and collects its exit code and output. The one place a Service starts a process; tests pass
 * their own runner instead.
 */
import { XDaemonError, errorCode } from '../errors.js';
import type { ExecFn, ExecResult } from './options.js';

/**
 * Runs `file args`; resolves with its code and output, rejects only when it cannot be started.
 * `node:child_process` is loaded on first use: `xdaemon status NAME` loads this bundle to look for
 * a service and must not pay for it when there is none.
 */
export const execCommand: ExecFn = (file, args) =>
  new Promise<ExecResult>((resolve, reject) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { execFile } = require('node:child_process') as typeof import('node:child_process');
    execFile(file, [...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (err === null) return resolve({ code: 0, stdout, stderr });
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'number') return resolve({ code, stdout, stderr });
      if (err.signal !== undefined && err.signal !== null) return resolve({ code: 128, stdout, stderr: `${stderr}(killed by ${err.signal})` });
      reject(new XDaemonError(`cannot run ${file}: ${err.message}`, { cause: err, code: errorCode(err) }));
    });
  });

/**
 * Where a daemon can be found: everything the control plane derives from a pid file's path, the
 * same way in the supervisor (which listens there) and in any client (which connects there).
 *
 * - Linux: an abstract unix socket (`\0xdaemon/<hash of the pid file's absolute path>`). The
 *   kernel frees it when the supervisor dies, also of SIGKILL: the lock of single instance that
 *   can never go stale.
 * - Windows: a named pipe (`\\.\pipe\xdaemon-<hash>`), likewise freed with its process.
 * - Elsewhere: a socket file beside the pid file (in the temporary directory when that path is too
 *   long for a socket), taken over when nothing answers on it.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** The absolute path of a pid file, its directory resolved through symbolic links where it exists. */
export function absolutePidFile(pidFile: string, cwd: string = process.cwd()): string {
  const path = resolve(cwd, pidFile);
  try {
    return join(realpathSync(dirname(path)), basename(path));
  } catch {
    return path;
  }
}

/** The sidecar record of the daemon behind `pidFile` (see ./state-file). */
export function stateFileOf(pidFile: string): string {
  return `${pidFile}.state`;
}

/** Longest socket path every POSIX system takes (macOS: 104 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 100;

/** The control address of the daemon whose absolute pid file is `pidFile`. */
export function controlAddress(pidFile: string): string {
  const hash = fnv1a64(pidFile);
  if (process.platform === 'linux') return `\0xdaemon/${hash}`;
  if (process.platform === 'win32') return `\\\\.\\pipe\\xdaemon-${hash}`;
  const beside = `${pidFile}.sock`;
  if (Buffer.byteLength(beside) <= MAX_SOCKET_PATH) return beside;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { tmpdir } = require('node:os') as typeof import('node:os');
  return join(tmpdir(), `xdaemon-${hash}.sock`);
}

/** True when the address is a file that may outlive its process (and must be removed). */
export function isSocketFile(address: string): boolean {
  return !address.startsWith('\0') && !address.startsWith('\\\\.\\pipe\\');
}

/** 64-bit FNV-1a of the UTF-8 bytes of `text`, as 16 hex digits (a name, not a secret). */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

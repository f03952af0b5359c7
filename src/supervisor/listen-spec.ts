/**
 * How a worker gets the held sockets, by systemd's protocol: descriptors 3, 4, …, `LISTEN_FDS`,
 * `LISTEN_FDNAMES` and `LISTEN_PID` equal to the worker's own pid. Node's spawn cannot set a
 * variable after the fork, so the pid is set by the worker's first code: a Node worker gets the
 * preload (`--require`, which also makes its `listen(port)` for a held port take the socket); any
 * other command is started through `sh -c 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"'`,
 * whose exec keeps the pid. Pure.
 */
import { join } from 'node:path';
import { isNodeExecutable } from '../process/node-command.js';
import type { HeldSocket } from '../socket/socket-holder.js';
import type { WorkerRunSpec } from './worker-run.js';

/** The preload's file name, beside the supervisor's bundle in dist/. */
export const LISTEN_PRELOAD = 'listen-preload.js';

/** The variable naming each held socket's TCP port (`8080,,9090`: empty for a unix socket), for the preload. */
export const LISTEN_PORTS_ENV = 'XDAEMON_LISTEN_PORTS';

/** The script that sets LISTEN_PID to the shell's pid and becomes the command. */
export const LISTEN_PID_WRAPPER = 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"';

/** `base` with the sockets passed on. */
export function listenSpec(base: WorkerRunSpec, sockets: readonly HeldSocket[], preloadDir: string = __dirname): WorkerRunSpec {
  const env: NodeJS.ProcessEnv = {
    ...base.env,
    LISTEN_FDS: String(sockets.length),
    LISTEN_FDNAMES: sockets.map((s) => s.name).join(':'),
    [LISTEN_PORTS_ENV]: sockets.map((s) => (s.port === 0 ? '' : String(s.port))).join(','),
  };
  const inherit = sockets.map((s) => s.fd);
  if (isNodeExecutable(base.file)) {
    return { ...base, args: ['--require', join(preloadDir, LISTEN_PRELOAD), ...base.args], env, inherit };
  }
  return { ...base, file: '/bin/sh', args: ['-c', LISTEN_PID_WRAPPER, base.file, ...base.args], env, inherit };
}

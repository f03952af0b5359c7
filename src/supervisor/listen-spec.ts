/**
 * How a worker gets the supervisor's sockets. The held ones (`listen`, systemd's) by systemd's
 * protocol: descriptors 3, 4, …, `LISTEN_FDS`, `LISTEN_FDNAMES` and `LISTEN_PID` equal to the
 * worker's own pid. Node's spawn cannot set a variable after the fork, so the pid is set by the
 * worker's first code: a Node worker gets the listen preload (`--require`, which also makes its
 * `listen(port)` for a held port take the socket); any other command is started through
 * `sh -c 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"'`, whose exec keeps the pid. In cluster
 * mode a Node worker also gets an IPC channel and the preload, through which its `listen()` asks
 * for the sockets it wants (../worker/cluster-listen). Pure.
 */
import { join } from 'node:path';
import { isNodeExecutable } from '../process/node-command.js';
import { CLUSTER_ENV } from '../socket/cluster-protocol.js';
import type { HeldSocket } from '../socket/socket-holder.js';
import type { WorkerRunSpec } from './worker-run.js';

/** The preload's file name, beside the supervisor's bundle in dist/. */
export const LISTEN_PRELOAD = 'listen-preload.js';

/** The variable naming each held socket's TCP port (`8080,,9090`: empty for a unix socket), for the preload. */
export const LISTEN_PORTS_ENV = 'XDAEMON_LISTEN_PORTS';

/** The script that sets LISTEN_PID to the shell's pid and becomes the command. */
export const LISTEN_PID_WRAPPER = 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"';

/**
 * `base` with the sockets passed on (`sockets`: the held ones), and, with `cluster`, for a Node
 * worker, the IPC channel through which it asks for the others.
 */
export function listenSpec(base: WorkerRunSpec, sockets: readonly HeldSocket[], cluster = false, preloadDir: string = __dirname): WorkerRunSpec {
  const node = isNodeExecutable(base.file);
  const clustered = cluster && node;
  if (sockets.length === 0 && !clustered) return base;
  const env: NodeJS.ProcessEnv = { ...base.env };
  if (sockets.length > 0) {
    env.LISTEN_FDS = String(sockets.length);
    env.LISTEN_FDNAMES = sockets.map((s) => s.name).join(':');
    env[LISTEN_PORTS_ENV] = sockets.map((s) => (s.port === 0 ? '' : String(s.port))).join(',');
  }
  if (clustered) env[CLUSTER_ENV] = '1';
  const inherit = sockets.map((s) => s.fd);
  if (node) return { ...base, args: ['--require', join(preloadDir, LISTEN_PRELOAD), ...base.args], env, inherit, ipc: clustered };
  return { ...base, file: '/bin/sh', args: ['-c', LISTEN_PID_WRAPPER, base.file, ...base.args], env, inherit };
}

/**
 * Entry of a spare (`dist/spare.js`, booted by src/supervisor/spare.ts with the worker's node, Node
 * flags, cwd, environment and stdio): it loads nothing of the user's code and only this file of
 * ours, and waits, without CPU, for one line on its channel (the readiness socketpair). The line is
 * the order of a start: the entry script and its arguments, and the environment of that start
 * (the generation marker, the instance, …). The spare then becomes the worker: its environment and
 * `process.argv` become those of a fresh worker, its log is opened afresh if it was moved while it
 * waited, and the entry runs as Node runs a main script (`Module.runMain()`: `require.main` and
 * `module`, `__filename`, ES modules, the loaders of `--import`).
 *
 * If the supervisor goes before the order (its end of the channel closes), the spare exits.
 */
import { resolve } from 'node:path';
import { checkLogPaths, followLog } from './log-follow.js';
import { claimChannel, listenChannel, releaseChannel } from './supervisor-channel.js';

/** The order (src/supervisor/spare.ts `SpareOrder`). */
interface Order {
  argv: string[];
  env: Record<string, string | null>;
}

const onLine = (line: string | null): void => {
  if (line === null) process.exit(0);
  releaseChannel(onLine);
  become(JSON.parse(line) as Order);
};

if (!claimChannel() || !listenChannel(onLine, true)) {
  process.stderr.write('xdaemon: the spare entry runs under an xdaemon supervisor only\n');
  process.exit(2);
}

function become(order: Order): void {
  for (const [name, value] of Object.entries(order.env)) {
    if (value === null) delete process.env[name];
    else process.env[name] = value;
  }
  const [script, ...args] = order.argv;
  // As Node does for a main script: argv[1] is its absolute path.
  process.argv = [process.argv[0] as string, resolve(script as string), ...args];
  // The log of this start, not of the spare's boot (a rotation while it waited).
  followLog();
  checkLogPaths();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('node:module') as { runMain(main?: string): void }).runMain();
}

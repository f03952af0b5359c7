/**
 * Entry of a detached supervisor (`dist/supervisor-main.js`), kept small so that the launcher hears
 * from it as early as possible: it reads its configuration and the worker's arguments from argv,
 * makes SIGTERM and SIGINT catchable, takes the pid file when there is one (the lock, the state
 * and pid files: a second start must be refused before anything is said), tells the launcher it
 * supervises (unless the answer must wait for the first worker's ready()), and only then loads the
 * supervise loop (./core), whose own handlers do the stopping. A stop signal that comes before
 * that is remembered and handed over.
 */
import { loadBundle } from '../bundles.js';
import { EXIT_ALREADY_RUNNING, messageOf } from '../errors.js';
import { identify } from '../process/stop-tree.js';
import { answersAfterStart, parseConfigArgs } from './config.js';
import { HandshakeSender } from './handshake.js';
import type { EarlyStart } from './supervise.js';
import { holdPidFile } from './single-instance.js';
import { newTreePrefix } from '../supervisor/tree-token.js';

let parsed: ReturnType<typeof parseConfigArgs>;
try {
  parsed = parseConfigArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${messageOf(err)}\n`);
  process.exit(2);
}
const { config, args } = parsed;
let pendingSignal: NodeJS.Signals | undefined;
const keep = (signal: NodeJS.Signals): void => {
  pendingSignal ??= signal;
};
process.on('SIGTERM', keep);
process.on('SIGINT', keep);
const handshake = new HandshakeSender(config.handshake);
const { pidFile } = config.settings;
const answerNow = !answersAfterStart(config.settings);

/**
 * Loads the loop; `early` when the pid file is held already. The placeholder handlers go only
 * once the loop's own are in place: without any, a signal during the load would kill the process.
 */
function load(early?: EarlyStart): void {
  const answered = answerNow;
  loadBundle('supervisor-core').supervise(answered ? { ...config, handshake: null } : config, args, 'detached', early === undefined ? {} : { early });
  process.removeListener('SIGTERM', keep);
  process.removeListener('SIGINT', keep);
}

if (pidFile === '') {
  if (answerNow) {
    handshake.send({ kind: 'supervising', pid: process.pid });
    handshake.close();
  }
  load();
} else {
  const startedAt = new Date();
  const treePrefix = newTreePrefix();
  const own = { pid: process.pid, starttime: identify(process.pid)?.starttime ?? 0, treePrefix, startedAt: startedAt.toISOString(), command: [config.file, ...args], logFile: config.logFile };
  holdPidFile(pidFile, own).then(
    (held) => {
      if ('runningPid' in held) {
        handshake.send({ kind: 'refused', runningPid: held.runningPid ?? 0 });
        process.exit(EXIT_ALREADY_RUNNING);
      }
      if (answerNow) {
        handshake.send({ kind: 'supervising', pid: process.pid });
        handshake.close();
      }
      load({ held, treePrefix, startedAt, pendingSignal });
    },
    (err: unknown) => {
      handshake.send({ kind: 'failed', message: `cannot take the pid file ${pidFile}: ${messageOf(err)}` });
      process.stderr.write(`xdaemon supervisor: cannot take the pid file ${pidFile}: ${messageOf(err)}\n`);
      process.exit(1);
    },
  );
}

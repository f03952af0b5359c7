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
import { messageOf } from '../errors.js';
import { answersAfterStart, parseConfigArgs } from './config.js';
import { HandshakeSender } from './handshake.js';
import type { EarlyStart } from './supervise.js';
import { holdOrExit, ownRecord } from './single-instance.js';
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

/** Tells the launcher that this process supervises, unless it must wait for the first workers. */
function answer(): void {
  if (!answerNow) return;
  handshake.send({ kind: 'supervising', pid: process.pid });
  handshake.close();
}

if (pidFile === '') {
  answer();
  load();
} else {
  const startedAt = new Date();
  const treePrefix = newTreePrefix();
  void holdOrExit(pidFile, ownRecord(config, args, treePrefix, startedAt), handshake, 'detached').then((held) => {
    answer();
    load({ held, treePrefix, startedAt, pendingSignal });
  });
}

/**
 * Entry of a detached supervisor (`dist/supervisor-main.js`), kept tiny so that the launcher hears
 * from it as early as possible: it reads its configuration and the worker's arguments from argv,
 * makes SIGTERM and SIGINT catchable, tells the launcher it supervises (unless the answer must
 * wait for the pid file's lock or the first worker's ready()), and only then loads the supervise
 * loop (./core), whose own handlers do the stopping. A signal that arrives in between is queued
 * by Node until this synchronous start-up is over, and then reaches those handlers.
 */
import { loadBundle } from '../bundles.js';
import { messageOf } from '../errors.js';
import { parseConfigArgs } from './config.js';
import { HandshakeSender } from './handshake.js';

let parsed: ReturnType<typeof parseConfigArgs>;
try {
  parsed = parseConfigArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${messageOf(err)}\n`);
  process.exit(2);
}
const { config, args } = parsed;
const keep = (): void => undefined;
process.on('SIGTERM', keep);
process.on('SIGINT', keep);
const early = config.settings.pidFile === '' && config.settings.waitReady === 0;
if (early) {
  const handshake = new HandshakeSender(config.handshake);
  handshake.send({ kind: 'supervising', pid: process.pid });
  handshake.close();
}
loadBundle('supervisor-core').supervise(early ? { ...config, handshake: null } : config, args, 'detached');
process.removeListener('SIGTERM', keep);
process.removeListener('SIGINT', keep);

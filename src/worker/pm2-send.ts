/**
 * A preload (`node --require`) for the Node apps of a pm2 ecosystem file with `wait_ready`: a pm2
 * app says it is ready with `process.send('ready')` over pm2's IPC channel, and often calls it
 * without checking that `process.send` exists. xdaemon gives its workers no IPC channel, so, only
 * where Node defined no `process.send`, this one takes `'ready'` as {@link ready} and lets any other
 * message go (nothing would read it), calling a callback as Node does. Only those apps load it.
 */
import { ready } from './ready.js';

if (typeof process.send !== 'function') {
  const send = (message: unknown, ...rest: unknown[]): boolean => {
    if (message === 'ready') ready();
    const callback = rest.find((r): r is (err: Error | null) => void => typeof r === 'function');
    if (callback !== undefined) process.nextTick(callback, null);
    return true;
  };
  process.send = send as unknown as NonNullable<typeof process.send>;
}

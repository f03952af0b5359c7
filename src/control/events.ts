/**
 * `events(pidFile)`: follow a daemon's supervisor from any process, each of its events as a typed
 * record (./daemon-event), as an async iterator over one connection of the `events` operation. The
 * iterator pulls a chunk only when its consumer asks for the next record, so a consumer that falls
 * behind leaves the records in the socket, and the supervisor (which never waits for a subscriber)
 * drops it with a last record once too many wait (../daemon-process/event-stream).
 */
import { XDaemonError, errorCode } from '../errors.js';
import { RELEASED } from './client.js';
import type { DaemonEvent } from './daemon-event.js';
import { type FoundDaemon, findDaemon } from './find-daemon.js';
import { OPERATIONS } from './operations.js';
import { MAX_LINE, type Refusal, encodeMessage } from './protocol.js';
import { tracer } from '../trace.js';

const trace = tracer('control');

/** Options of {@link events}. */
export interface EventsOptions {
  /** Ends the iteration when aborted: the connection is closed and the loop ends without an error. */
  signal?: AbortSignal;
  /** Milliseconds to wait for the supervisor to accept the subscription (default 5000). */
  timeout?: number;
}

/**
 * The events of the daemon behind `pidFile`, in order, from the moment the supervisor accepts the
 * subscription (the first record, `subscribed`, holds its status then) until it exits (its last record is `exiting`), the loop breaks, or `options.signal`
 * aborts. Nothing is connected until the first record is asked for.
 *
 * @throws XDaemonError (from the iteration) with `code: 'ESRCH'` when no daemon runs there; when
 *   the supervisor refuses or does not answer in time.
 */
export function events(pidFile: string, options: EventsOptions = {}): AsyncIterableIterator<DaemonEvent> {
  return follow(findDaemon(pidFile), options);
}

async function* follow(daemon: FoundDaemon, options: EventsOptions): AsyncGenerator<DaemonEvent, void, undefined> {
  const { signal } = options;
  const aborted = (): boolean => signal?.aborted === true;
  if (aborted()) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require('node:net') as typeof import('node:net');
  const socket = net.connect(daemon.address);
  trace('events of %s → %s', daemon.pidFile, daemon.address);
  const abort = (): void => void socket.destroy();
  signal?.addEventListener('abort', abort, { once: true });
  const late = new XDaemonError(`the supervisor of ${daemon.pidFile} did not answer the events request in time`);
  const timer = setTimeout(() => socket.destroy(late), options.timeout ?? OPERATIONS.events.timeout);
  socket.setEncoding('utf8');
  socket.write(encodeMessage({ op: 'events', key: daemon.record?.key ?? '' }));
  let answered = false;
  let buffered = '';
  try {
    for await (const chunk of socket as AsyncIterable<string>) {
      buffered += chunk;
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const message = JSON.parse(buffered.slice(0, end)) as DaemonEvent | Refusal | { ok: true };
        buffered = buffered.slice(end + 1);
        if (answered) {
          trace('event of %s: %s', daemon.pidFile, (message as DaemonEvent).kind);
          yield message as DaemonEvent;
          continue;
        }
        answered = true;
        clearTimeout(timer);
        if ('ok' in message && !message.ok) {
          throw new XDaemonError(`the supervisor of ${daemon.pidFile} refused the events request: ${message.error}`, { code: message.code, reason: message.error });
        }
      }
      if (buffered.length > MAX_LINE) throw new XDaemonError(`the supervisor of ${daemon.pidFile} sent a record longer than ${MAX_LINE} bytes`);
    }
  } catch (err) {
    if (aborted()) return;
    if (!answered && RELEASED.includes(errorCode(err) ?? '')) throw new XDaemonError(`cannot follow the events: no daemon runs for ${daemon.pidFile}`, { code: 'ESRCH' });
    throw err;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
    socket.destroy();
  }
}

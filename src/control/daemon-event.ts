/**
 * What `events()` yields: each event of a daemon's supervisor as a typed record, one JSON line on
 * the wire. The loop's 25 kinds are {@link SupervisorEvents}' own, their fields as the in-process
 * events pass them (an `Error` as its message); the supervisor process adds its own kinds (the
 * first record, `subscribed`, holds the status the subscription began with), and a client that
 * reads too slowly gets one last record, `dropped`, before it is disconnected.
 */
import type { SupervisorEvents } from '../supervisor/supervisor-api.js';
import type { LiveStatus } from './daemon-status.js';

/** The fields of an in-process event as they travel: an `Error` becomes its message. */
export type EventFields<T> = { [K in keyof T]: T[K] extends Error ? string : T[K] };

/** What every record has. */
export interface EventHead<K extends string> {
  kind: K;
  /** ISO 8601 time the supervisor made the record. */
  time: string;
}

/** An event of the supervise loop: the kind and the fields of {@link SupervisorEvents}. */
export type LoopEvent = { [K in keyof SupervisorEvents]: EventHead<K> & EventFields<SupervisorEvents[K][0]> }[keyof SupervisorEvents];

/** Events of the supervisor process around the loop. */
export type ProcessEvent =
  /** The first record of every subscription: the daemon's status as it began (every later record is a change). */
  | (EventHead<'subscribed'> & { status: LiveStatus })
  /** The log files were reopened at their paths (SIGHUP, a `reopen` request); `error` when that failed and the old ones stay. */
  | (EventHead<'log-reopened'> & { error?: string })
  /** The supervisor exits with `code` now: the stream ends after this record. */
  | (EventHead<'exiting'> & { code: number });

/** The last record to a subscriber that read too slowly: it is disconnected after it. */
export type DroppedEvent = EventHead<'dropped'> & { reason: string };

/** A record of `events()`: discriminate on `kind`. */
export type DaemonEvent = LoopEvent | ProcessEvent | DroppedEvent;

/** The kind of a {@link DaemonEvent}. */
export type DaemonEventKind = DaemonEvent['kind'];

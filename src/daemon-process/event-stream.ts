/**
 * The supervisor's events, leaving the process: each event of the loop (and of the process around
 * it) as a record (../control/daemon-event), one JSON line to every subscriber of the `events`
 * operation, as it happens. The supervisor never waits for a subscriber and never keeps more for
 * one than a bound: a subscriber that reads too slowly is sent one last record, `dropped`, and
 * disconnected. Without subscribers an event costs a check of an empty set.
 */
import type { DaemonEvent, EventFields, LoopEvent, ProcessEvent } from '../control/daemon-event.js';
import type { LiveStatus } from '../control/daemon-status.js';
import { encodeMessage } from '../control/protocol.js';
import { type SupervisorEvents, onEveryEvent } from '../supervisor/supervisor-api.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Stream } from './control-server.js';

/**
 * Most records that may wait in this process for one subscriber, beyond what the kernel's socket
 * buffer holds (a few hundred more on Linux): about 60 KB at ~230 bytes a record. A subscriber
 * past it is dropped, so none can make the supervisor grow by more, nor slow it down.
 */
export const MAX_WAITING = 256;

/** How long a dropped subscriber has to take its last records before its connection is cut, ms. */
export const DROP_GRACE_MS = 60_000;

/** A record's fields, without its head. */
type Fields<E extends DaemonEvent> = Omit<E, 'kind' | 'time'>;

/** The subscribers, and what is sent to them. */
export class EventStream {
  private readonly subscribers = new Set<Stream>();

  /** Sends `stream` a first record, `subscribed` with the status now, then every record until it closes or is dropped. */
  add(stream: Stream, status: LiveStatus): void {
    stream.send(encodeMessage({ kind: 'subscribed', time: new Date().toISOString(), status } satisfies DaemonEvent));
    this.subscribers.add(stream);
    void stream.closed.then(() => this.subscribers.delete(stream));
  }

  /** Sends a record of the process around the loop. */
  publish<K extends ProcessEvent['kind']>(kind: K, fields: Fields<Extract<ProcessEvent, { kind: K }>>): void {
    if (this.subscribers.size > 0) this.send({ kind, time: new Date().toISOString(), ...fields } as DaemonEvent);
  }

  /** Sends the record of a loop's event. */
  publishLoop<K extends keyof SupervisorEvents>(kind: K, info: SupervisorEvents[K][0]): void {
    if (this.subscribers.size > 0) this.send(loopRecord(kind, info, new Date()));
  }

  /**
   * Ends every subscription after what was sent (the supervisor exits); resolves once each
   * connection has closed, or after `limit` ms.
   */
  end(limit: number): Promise<void> {
    const all = [...this.subscribers];
    this.subscribers.clear();
    for (const stream of all) stream.end(limit);
    if (all.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, limit);
      void Promise.all(all.map((s) => s.closed)).then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private send(record: DaemonEvent): void {
    const line = encodeMessage(record);
    for (const stream of this.subscribers) {
      if (stream.waiting < MAX_WAITING) {
        stream.send(line);
        continue;
      }
      this.subscribers.delete(stream);
      stream.send(encodeMessage(droppedRecord(new Date())));
      stream.end(DROP_GRACE_MS);
    }
  }
}

/** Publishes every event of `supervisor` to `stream`. */
export function publishLoopEvents(supervisor: Pick<Supervisor, 'on'>, stream: EventStream): void {
  onEveryEvent(supervisor, (kind, info) => stream.publishLoop(kind, info));
}

/** The record of a loop's event: its fields as the event passes them, an `Error` as its message. Pure. */
export function loopRecord<K extends keyof SupervisorEvents>(kind: K, info: SupervisorEvents[K][0], time: Date): LoopEvent {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(info)) fields[name] = value instanceof Error ? value.message : value;
  return { kind, time: time.toISOString(), ...(fields as EventFields<SupervisorEvents[K][0]>) } as LoopEvent;
}

/** The last record to a subscriber that reads too slowly. Pure. */
export function droppedRecord(time: Date): DaemonEvent {
  return { kind: 'dropped', time: time.toISOString(), reason: `more than ${MAX_WAITING} records waited for this subscriber: it reads too slowly, and the supervisor does not wait` };
}

/**
 * Following named daemons' events: every daemon's event stream (the control channel's `events`
 * operation) at once, joining each daemon as its supervisor appears (a daemon started later, or
 * started again after a stop) and letting go of it when its supervisor exits. What `xdaemon
 * events` prints and what keeps `xdaemon monit` current between its looks at the state files.
 *
 * Which daemons run is read from the state directory once a second (a listing and a look for each
 * pid file: no supervisor is asked); a watch on the directory would fire at every line a worker
 * writes to a log kept there. A supervisor is only ever connected to once per run of it: the
 * subscription waits for its events, it never polls it.
 */
import { existsSync } from 'node:fs';
import { errorCode } from '../errors.js';
import { control } from './control-bundle.js';
import type { DaemonEvent } from '../control/daemon-event.js';
import { existingStateDirectory } from './daemons.js';
import { daemonPaths, recordNames } from './record.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';

/** A record of a named daemon's event stream. */
export interface FleetEvent {
  name: string;
  event: DaemonEvent;
}

/** Options of {@link followEvents}. */
export interface FollowOptions {
  /** The daemons to follow; undefined: every daemon with a record, those made later too. */
  names?: readonly string[] | undefined;
  /** Ends the following: every subscription is closed, and the promise resolves. */
  signal: AbortSignal;
  /** Milliseconds between two looks at the state directory (default 1000). */
  rescanMs?: number;
  facts?: StateFacts;
}

/** Least time between two tries to follow a daemon whose pid file is there but whose supervisor did not answer. */
const RETRY_MS = 1000;

/**
 * Calls `onEvent` with each record of each followed daemon, in order per daemon, until
 * `options.signal` aborts. A daemon's stream that fails otherwise than by its supervisor being
 * gone is told to `onError` (and followed again at the next look).
 */
export function followEvents(options: FollowOptions, onEvent: (e: FleetEvent) => void, onError: (name: string, err: unknown) => void = () => undefined): Promise<void> {
  const { signal } = options;
  const facts = options.facts ?? currentStateFacts();
  const followed = new Set<string>();
  const failedAt = new Map<string, number>();
  if (signal.aborted) return Promise.resolve();

  const follow = async (name: string, pidFile: string): Promise<void> => {
    try {
      for await (const event of control().events(pidFile, { signal })) onEvent({ name, event });
    } catch (err) {
      failedAt.set(name, Date.now());
      if (errorCode(err) !== 'ESRCH') onError(name, err);
    }
  };

  const look = (): void => {
    let dir: string | undefined;
    try {
      dir = existingStateDirectory(facts);
    } catch (err) {
      onError('', err);
      return;
    }
    if (dir === undefined) return;
    for (const name of options.names ?? recordNames(dir)) {
      if (followed.has(name) || Date.now() - (failedAt.get(name) ?? 0) < RETRY_MS) continue;
      const { pidFile } = daemonPaths(dir, name);
      if (!existsSync(pidFile)) continue;
      followed.add(name);
      void follow(name, pidFile).finally(() => followed.delete(name));
    }
  };

  return new Promise((resolve) => {
    const timer = setInterval(look, options.rescanMs ?? 1000);
    signal.addEventListener(
      'abort',
      () => {
        clearInterval(timer);
        resolve();
      },
      { once: true },
    );
    look();
  });
}

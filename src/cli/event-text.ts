/**
 * A supervisor's event record (../control/daemon-event) as one line of text, as `xdaemon events`
 * prints it and `xdaemon monit` shows the last one: the loop's events in the very words of the
 * daemon's log (../daemon-process/log-lines, so a user greps one text), the process's own kinds
 * (the subscription's first record, a log reopened, the exit, a dropped subscriber) here. Pure.
 */
import type { DaemonEvent, LoopEvent } from '../control/daemon-event.js';
import { eventLine, exitingText } from '../daemon-process/log-lines.js';
import type { SupervisorEvents } from '../supervisor/supervisor-api.js';

/** The text of `event` of a daemon of `instances` instances (each line about one instance says which, when there are several). */
export function eventText(event: DaemonEvent, instances: number): string {
  switch (event.kind) {
    case 'subscribed': {
      const s = event.status;
      const workers = s.instances.flatMap((i) => (i.workerPid === undefined ? [] : [i.workerPid]));
      const who = workers.length === 0 ? 'no worker' : `worker${workers.length > 1 ? 's' : ''} ${workers.join(', ')}`;
      return `following: ${s.state}, supervisor ${s.pid}, ${who}`;
    }
    case 'log-reopened':
      return event.error === undefined ? 'log file reopened' : `cannot reopen the log file (${event.error}); keeping the old one`;
    case 'exiting':
      return exitingText(event.code);
    case 'dropped':
      return `no longer followed: ${event.reason}`;
    default:
      return loopText(event, instances);
  }
}

/** A loop event's line, as the supervisor logs it; a kind this client does not know as its fields. */
function loopText(event: LoopEvent, instances: number): string {
  const { kind, time: _time, ...fields } = event;
  // The records carry an Error's message where the loop passed the Error (a start that failed).
  const info = 'error' in fields && typeof fields.error === 'string' ? { ...fields, error: new Error(fields.error) } : fields;
  try {
    return eventLine(kind, info as unknown as SupervisorEvents[typeof kind][0], instances);
  } catch {
    return `${String(kind)} ${JSON.stringify(fields)}`;
  }
}

/**
 * `xdaemon events [NAME…] [--json]`: every daemon's supervisor events as they happen (a worker
 * started, exited with its code or signal, a restart delay, ready, a reload's steps, a stop, a
 * give-up, …), one line each in the words of the daemon's log, or one JSON object each (the typed
 * record of `events()` with the daemon's name); daemons started later are joined as they appear
 * (src/fleet/follow.ts). Ends on Ctrl-C (SIGINT) or SIGTERM with exit 0, or when the reader of
 * stdout goes away. A reader that falls behind never slows a supervisor: the supervisor drops the
 * subscription with a last record (printed), and it is taken up again at the next look.
 */
import type { DaemonEvent } from '../control/daemon-event.js';
import { existingStateDirectory } from '../fleet/daemons.js';
import { type FleetEvent, followEvents } from '../fleet/follow.js';
import { shortMessageOf } from '../errors.js';
import { readRecord } from '../fleet/record.js';
import { eventText } from './event-text.js';
import { boolFlag, readLine } from './flags.js';
import { type Io, writeAll } from './io.js';
import { namesOf } from './name-args.js';
import { EXIT } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `events`, read. */
export interface EventsRequest {
  verb: 'events';
  /** The daemons; none: every one, and those started later. */
  names: string[];
  json: boolean;
}

/** Reads `events`'s arguments. Pure. */
export function parseEvents(args: readonly string[]): EventsRequest | HelpRequest<'events'> {
  const line = readLine('events', args, { json: { type: 'boolean' } });
  if (line.help) return { verb: 'help', topic: 'events' };
  return { verb: 'events', names: [...new Set(namesOf('events', line.positionals, false))], json: boolFlag(line, 'json') };
}

/**
 * The lines of a record of daemon `name` (of `instances` instances): `TIME NAME: text`, or the
 * record as JSON with the name first. Pure.
 */
export function eventOutput(name: string, event: DaemonEvent, instances: number, json: boolean): string {
  if (json) return JSON.stringify({ name, ...event });
  return `${event.time} ${name}: ${eventText(event, instances)}`;
}

/** Prints the events until Ctrl-C; exit 0. */
export async function events(request: EventsRequest, io: Io, write: (text: string) => boolean = (text) => writeAll(1, text)): Promise<number> {
  const names = request.names.length > 0 ? request.names : undefined;
  const dir = existingStateDirectory();
  for (const name of names ?? []) {
    if (dir === undefined || readRecord(dir, name) === undefined) io.err(`no daemon named ${JSON.stringify(name)} (yet): its events follow once it starts`);
  }
  const controller = new AbortController();
  const end = (): void => controller.abort();
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
  // Instances per daemon, from the first record of each subscription: a line about one instance names it when there are several.
  const instances = new Map<string, number>();
  const print = ({ name, event }: FleetEvent): void => {
    if (event.kind === 'subscribed') instances.set(name, event.status.instances.length);
    if (!write(`${eventOutput(name, event, instances.get(name) ?? 1, request.json)}\n`)) end();
  };
  await followEvents({ names, signal: controller.signal }, print, (name, err) => io.err(name === '' ? shortMessageOf(err) : `${name}: ${shortMessageOf(err)}`));
  process.off('SIGINT', end);
  process.off('SIGTERM', end);
  return EXIT.ok;
}

/** The row of `events`. */
export const EVENTS = defineVerb<EventsRequest>({
  name: 'events',
  parse: parseEvents,
  run: (request, io) => events(request, io),
  help: () => `usage: xdaemon events [NAME…] [--json]

Every daemon's supervisor events as they happen, one line each: a worker started, ready, exited
(with its code or signal), a restart delay, a restart or reload and its steps, the memory limit, a
stop, a give-up. Without NAME every daemon, and daemons started later are joined as they appear.
The first line of each daemon says what it was doing when it was joined. Ends on Ctrl-C.

  --json   one JSON object per line: the typed record of events() ({ kind, time, instance?,
           pid?, …fields }) with the daemon's "name"
`,
  synopsis: [['events [NAME…] [--json]', 'a live stream of the supervisors\' events (Ctrl-C ends it)']],
});

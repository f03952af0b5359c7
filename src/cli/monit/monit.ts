/**
 * `xdaemon monit`'s loop: it looks at every daemon (or those named) once a second through
 * src/fleet/ (the supervisors' state files and /proc: no supervisor is asked), follows their
 * events (src/fleet/follow.ts: an event makes it look again at once, and shows on the status
 * line), tails the selected daemon's log, and carries out what a key asks (restart, reload, stop
 * through src/fleet/). On a terminal it draws full screen (./screen on ./terminal); when stdout is
 * not one, it prints a plain table every 2 seconds, as `watch xdaemon list` would.
 */
import { isatty } from 'node:tty';
import { messageOf, shortMessageOf } from '../../errors.js';
import { existingStateDirectory, statusesOf } from '../../fleet/daemons.js';
import { followEvents } from '../../fleet/follow.js';
import { type InstanceView, instanceViews } from '../../fleet/instance-view.js';
import type { DaemonResult } from '../../fleet/outcome.js';
import { readRecord, recordNames } from '../../fleet/record.js';
import { reloadDaemons } from '../../fleet/reload.js';
import { restartDaemons } from '../../fleet/restart.js';
import { stopDaemons } from '../../fleet/stop.js';
import { eventText } from '../event-text.js';
import { type Io, writeAll } from '../io.js';
import { wantsColour } from '../log-prefix.js';
import { commonSaid } from '../results.js';
import { EXIT } from '../usage-error.js';
import { History, type MonitRow } from './history.js';
import type { Key } from './keys.js';
import { LogTail } from './log-tail.js';
import { type Action, type ViewState, initialState, onKey, selectedRow, visibleRows } from './model.js';
import { plainTable, renderScreen } from './screen.js';
import { Terminal } from './terminal.js';

/** `monit`, read. */
export interface MonitRequest {
  verb: 'monit';
  /** The daemons shown; none: every one (and those started later). */
  names: string[];
}

/** How often the daemons are looked at on a terminal, ms ("at least once a second"). */
export const LOOK_MS = 1000;
/** How often the plain table is printed, ms (`watch`'s default). */
export const PLAIN_MS = 2000;
/** How often the log pane's files are read, ms. */
const LOG_MS = 500;
/** How long after an event the daemons are looked at (the events of one change come together), ms. */
const EVENT_LOOK_MS = 30;

/** One look at the daemons: their instances as the faces show them, and the daemons that could not be told. */
async function look(names: readonly string[]): Promise<{ views: InstanceView[]; problems: string[] }> {
  const dir = existingStateDirectory();
  if (dir === undefined) return { views: [], problems: [] };
  const known = recordNames(dir);
  const shown = names.length === 0 ? known : known.filter((n) => names.includes(n));
  // No PSS: it costs the kernel a walk of every page table, a few ms a node process, every second.
  const { rows, failed } = await statusesOf(dir, shown, { pss: false });
  return { views: rows.flatMap((s) => instanceViews(s)), problems: failed.map((f) => f.error.message) };
}

/** Whether the terminal takes UTF-8, from the locale (LC_ALL, LC_CTYPE, LANG: the first set). */
export function speaksUtf8(env: NodeJS.ProcessEnv): boolean {
  const locale = [env.LC_ALL, env.LC_CTYPE, env.LANG].find((v) => v !== undefined && v !== '') ?? '';
  return /utf-?8/i.test(locale);
}

/** Shows the daemons until `q` (or Ctrl-C, SIGTERM, SIGHUP); exit 0. */
export function runMonit(request: MonitRequest, io: Io): Promise<number> {
  return isatty(0) && isatty(1) ? live(request) : plain(request, io);
}

/** The words of an action's result on the status line. */
function resultText(r: DaemonResult): { text: string; error: boolean } {
  switch (r.outcome) {
    case 'restarted':
      return { text: `restarted ${r.name}: worker ${r.workerPid}`, error: false };
    case 'stopped':
      return { text: `stopped ${r.name}`, error: false };
    case 'not-running':
      return { text: `${r.name} is not running`, error: false };
    default: {
      const said = commonSaid(r);
      if (said === undefined) return { text: `${r.name}: ${r.outcome}`, error: false };
      return 'out' in said ? { text: said.out, error: false } : { text: said.err, error: true };
    }
  }
}

/** Carries out a key's action on daemon `name`; its result's words. */
async function carryOut(action: Exclude<Action, { kind: 'quit' }>): Promise<{ text: string; error: boolean }> {
  try {
    const [result] =
      action.kind === 'restart' ? await restartDaemons([action.name]) : action.kind === 'reload' ? await reloadDaemons([action.name]) : await stopDaemons({ names: [action.name] });
    return result === undefined ? { text: `${action.name}: nothing done`, error: true } : resultText(result);
  } catch (err) {
    return { text: `${action.name}: ${shortMessageOf(err)}`, error: true };
  }
}

/** The full-screen view. */
function live(request: MonitRequest): Promise<number> {
  const terminal = new Terminal();
  const history = new History();
  const colour = wantsColour(true, process.env);
  const unicode = speaksUtf8(process.env);
  const controller = new AbortController();
  let state: ViewState = initialState();
  let rows: MonitRow[] = [];
  let tail: { name: string; tail: LogTail } | undefined;
  let looks = Promise.resolve();
  let eventLook: NodeJS.Timeout | undefined;

  const shownRows = (): MonitRow[] => visibleRows(rows, state.mode.kind === 'filter' ? state.mode.text : state.filter);
  const say = (text: string, error = false): void => {
    state = { ...state, message: { text, at: Date.now(), error } };
  };

  /** The log of the selected daemon, opened when the selection moves to another daemon. */
  const followLog = (): void => {
    const name = state.logPane ? selectedRow(state, shownRows())?.name : undefined;
    if (tail?.name === name) return;
    tail?.tail.close();
    tail = undefined;
    if (name === undefined) return;
    try {
      const dir = existingStateDirectory();
      const record = dir === undefined ? undefined : readRecord(dir, name);
      if (record === undefined) return;
      const errFile = typeof record.settings.errFile === 'string' ? record.settings.errFile : undefined;
      tail = { name, tail: new LogTail(record.log, errFile) };
      tail.tail.poll();
    } catch (err) {
      say(messageOf(err), true);
    }
  };

  const draw = (): void => {
    followLog();
    const { width, height } = terminal.size();
    const log = tail === undefined ? undefined : { title: `${tail.name} log`, lines: tail.tail.current() };
    terminal.draw(renderScreen({ rows, state, width, height, colour, unicode, now: Date.now(), log }));
  };

  /** Looks at the daemons (one look at a time, in order); `sample`: the once-a-second look that the sparklines keep. */
  const lookAgain = (sample: boolean): void => {
    looks = looks.then(async () => {
      try {
        const { views, problems } = await look(request.names);
        rows = history.update(views, Date.now(), sample);
        if (problems.length > 0) say(problems[0] as string, true);
      } catch (err) {
        say(messageOf(err), true);
      }
      if (!controller.signal.aborted) draw();
    });
  };

  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const quit = (): void => {
      if (controller.signal.aborted) return;
      controller.abort();
      for (const timer of timers) clearInterval(timer);
      clearTimeout(eventLook);
      tail?.tail.close();
      terminal.restore();
      resolve(EXIT.ok);
    };
    const onKeys = (keys: Key[]): void => {
      for (const key of keys) {
        const { state: next, action } = onKey(state, key, shownRows(), Date.now());
        state = next;
        if (action?.kind === 'quit') return quit();
        if (action !== undefined) {
          void carryOut(action).then(({ text, error }) => {
            say(text, error);
            lookAgain(false);
          });
        }
      }
      draw();
    };
    terminal.enter(onKeys, draw);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, quit);
    // A fault of the view: the terminal back first, so that its message is not lost on the alternate screen.
    process.once('uncaughtException', (err) => {
      terminal.restore();
      process.stderr.write(`xdaemon: monit failed: ${err.stack ?? String(err)}\n`);
      process.exit(EXIT.failure);
    });
    timers.push(setInterval(() => lookAgain(true), LOOK_MS));
    timers.push(
      setInterval(() => {
        if (tail?.tail.poll() === true) draw();
      }, LOG_MS),
    );
    const follow = (): void =>
      void followEvents(
        { names: request.names.length === 0 ? undefined : request.names, signal: controller.signal },
        ({ name, event }) => {
          if (event.kind !== 'subscribed') say(`${new Date(event.time).toTimeString().slice(0, 8)} ${name}: ${eventText(event, rows.filter((r) => r.name === name).length || 1)}`, event.kind === 'giveup');
          eventLook ??= setTimeout(() => {
            eventLook = undefined;
            lookAgain(false);
          }, EVENT_LOOK_MS);
        },
        (name, err) => say(`${name === '' ? '' : `${name}: `}${shortMessageOf(err)}`, true),
      );
    lookAgain(true);
    // The events are followed once the first frame is drawn: connecting to every supervisor waits until then.
    void looks.then(follow);
  });
}

/** The plain table every 2 seconds, until SIGINT or SIGTERM (or the reader goes away). */
function plain(request: MonitRequest, io: Io): Promise<number> {
  const history = new History();
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const end = (): void => {
      clearInterval(timer);
      resolve(EXIT.ok);
    };
    const print = async (): Promise<void> => {
      try {
        const { views, problems } = await look(request.names);
        const now = Date.now();
        for (const problem of problems) io.err(problem);
        if (!writeAll(1, `${new Date(now).toISOString()}\n${plainTable(history.update(views, now, true), now)}\n\n`)) end();
      } catch (err) {
        io.err(messageOf(err));
      }
    };
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, end);
    timer = setInterval(() => void print(), PLAIN_MS);
    void print();
  });
}

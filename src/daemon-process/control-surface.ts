/**
 * What the supervisor process does for each operation of the table (../control/operations), for
 * a request on the control channel and for a signal alike (./signal-actions feeds the same
 * handlers): a stop, a restart or a reopen says the same thing and takes the same path whoever
 * asked, with only the log line naming who. The compiler holds this record to the table: an
 * operation without its handler does not build.
 */
import type { LiveStatus } from '../control/daemon-status.js';
import { constants } from 'node:os';
import { EUSAGE, XDaemonError, shortMessageOf } from '../errors.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Handlers } from './control-server.js';
import type { EventStream } from './event-stream.js';
import { reloadDoneText, reopenText, requestText, restartFailedText } from './log-lines.js';

/** What the handlers act on. */
export interface Surface {
  supervisor: Pick<Supervisor, 'stop' | 'restart' | 'reload' | 'reopenLog' | 'counters' | 'settings'>;
  /** Writes one of the supervisor's own lines. */
  line(text: string): void;
  /** The status now (./live-status). */
  status(): LiveStatus;
  events: EventStream;
}

/** The handlers of every operation. */
export function controlSurface({ supervisor, line, status, events }: Surface): Handlers {
  return {
    status: () => ({ status: status() }),
    stop: (_params, from) => {
      line(requestText('stop', from));
      void supervisor.stop('SIGTERM');
      return { killTimeout: supervisor.settings.killTimeout };
    },
    restart: async (_params, from) => {
      line(requestText('restart', from));
      try {
        return { workerPid: (await supervisor.restart()).workerPid };
      } catch (err) {
        // A signal has no one to answer: its failure is told in the log.
        if (from.kind === 'signal') line(restartFailedText(shortMessageOf(err)));
        throw err;
      }
    },
    reload: async (_params, from) => {
      line(requestText('reload', from));
      const report = await supervisor.reload();
      line(reloadDoneText(supervisor.counters()));
      return { instances: report.instances.map((i) => ({ instance: i.instance, workerPid: i.workerPid, oldPid: i.oldPid ?? null, seconds: i.seconds })) };
    },
    reopen: (_params, from) => {
      // logrotate's `postrotate` convention: the supervisor's lines and the next worker go to a new file.
      const error = supervisor.reopenLog();
      line(reopenText(from, error));
      events.publish('log-reopened', error === undefined ? {} : { error });
      if (error !== undefined) throw new XDaemonError(error);
      return {};
    },
    signal: ({ signal }) => {
      // A name of this platform's signals only (never a number: the table names what is sent).
      if (typeof signal !== 'string' || !Object.prototype.hasOwnProperty.call(constants.signals, signal)) throw new XDaemonError(`no signal named ${JSON.stringify(signal)}`, { code: EUSAGE });
      const pids = status().instances.flatMap((i) => {
        if (i.workerPid === undefined) return [];
        try {
          process.kill(i.workerPid, signal);
          return [i.workerPid];
        } catch {
          // It exited a moment ago: its exit is the loop's to handle.
          return [];
        }
      });
      line(`${signal} sent to ${pids.length === 1 ? 'the worker' : 'the workers'} (pid ${pids.join(', ')}) on request through the control channel`);
      return { pids };
    },
    events: (_params, stream) => {
      events.add(stream, status());
      return {};
    },
  };
}

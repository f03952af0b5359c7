/**
 * Every line the supervisor process writes in its log (and on stderr in the foreground), as pure
 * functions of what happened: the loop's events, the requests it acts on (a signal or the control
 * channel), its start and its end. Users grep these lines and the tests match them, so they change
 * only here, and test/daemon-process/log-lines.test.ts shows each one without a process.
 */
import type { Counters, SupervisorEnd, SupervisorEvents } from '../supervisor/supervisor-api.js';
import type { DaemonSettings } from '../settings/types.js';
import type { Origin } from './control-server.js';

/** `count a/b; errors c/d`, as Go writes it (`unlimited` for maxCount 0). */
export function countersText(c: Counters): string {
  const restarts = c.restarts > 0 ? `; restarts ${c.restarts}` : '';
  const reloads = c.reloads > 0 ? `; reloads ${c.reloads}` : '';
  return `(count ${c.starts}/${c.maxCount === 0 ? 'unlimited' : c.maxCount}; errors ${c.errors}/${c.maxError}${restarts}${reloads})`;
}

/** The last line of a supervision that ended on its own or by a stop. */
export function endText(end: SupervisorEnd, c: Counters): string {
  switch (end.reason) {
    case 'maxError':
      // Not Go's `(count a/b; errors c/d)`: "errors 4/3" reads as a fault of the count.
      return `giving up: ${c.errors} consecutive failures exceed maxError ${c.maxError} (a failure is a run shorter than minExitTime, or a start that failed; ${c.starts} start${c.starts === 1 ? '' : 's'} in all)`;
    case 'maxCount':
      return `done: maxCount ${c.maxCount} starts reached ${countersText(c)}`;
    case 'success':
      return `done: the worker exited successfully and restart is on-failure ${countersText(c)}`;
    case 'never':
      return `done: the worker ran once (restart never) and ${end.code === 0 ? 'succeeded' : 'failed'} ${countersText(c)}`;
    case 'not-ready':
      return `giving up: the first worker never said it was ready ${countersText(c)}`;
    case 'stop':
      return `stopped ${countersText(c)}`;
    case 'listen':
      return `giving up: a listen address could not be bound ${countersText(c)}`;
  }
}

/** What a ready line adds after its time, by how the worker said it. */
const READY_VIA: Record<SupervisorEvents['ready'][0]['via'], string> = { ready: '', listening: ' (it listens)', message: " (process.send('ready'))", check: ' (its health check passed)' };

/** The info an event of kind `K` passes. */
type InfoOf<K extends keyof SupervisorEvents> = SupervisorEvents[K][0];

/** `instance 2: ` before a line about one instance, when the daemon has several; else nothing. */
type InstancePrefix = (instance: number) => string;

const c = countersText;

/** The line of each event of the loop (one per kind: a kind without a line is a type error). */
const EVENT_LINES: { [K in keyof SupervisorEvents]: (info: InfoOf<K>, of: InstancePrefix) => string } = {
  listening: ({ sockets }) => `listening on ${sockets.map((s) => `${s.address} (${s.name}, fd ${s.fd})`).join(', ')}`,
  start: ({ instance, pid, fromSpare, counters }, of) => `${of(instance)}worker started: pid ${pid} ${c(counters)}${fromSpare ? ' from the spare' : ''}`,
  'spare-exit': ({ instance, pid, code, signal }, of) => `${of(instance)}the spare pid ${pid} ended while waiting (${signal ?? `code ${code}`}): booting another`,
  ready: ({ instance, pid, seconds, via }, of) => `${of(instance)}worker ready: pid ${pid} after ${seconds.toFixed(3)} s${READY_VIA[via]}`,
  socket: ({ instance, pid, address, bound, error }, of) =>
    error === undefined
      ? `${of(instance)}worker pid ${pid} listens on ${address}: ${bound ? 'the supervisor bound it and holds it from now on' : "the supervisor's socket"}`
      : `${of(instance)}worker pid ${pid} cannot listen on ${address}: ${error}`,
  drained: ({ instance, pid, seconds, outcome }, of) =>
    outcome === 'drained'
      ? `${of(instance)}worker pid ${pid} drained in ${seconds.toFixed(3)} s: it stopped accepting and answered what it had`
      : outcome === 'exited'
        ? `${of(instance)}worker pid ${pid} exited while it drained`
        : `${of(instance)}worker pid ${pid} had not drained after killTimeout (${seconds.toFixed(3)} s): stopping it anyway`,
  'start-failed': ({ instance, error, counters }, of) => `${of(instance)}worker start failed: ${error.message} ${c(counters)}`,
  exit: ({ instance, pid, seconds, code, signal, counters }, of) =>
    `${of(instance)}worker exited: pid ${pid} after ${seconds.toFixed(3)} s with ${signal === null ? `code ${code}` : `signal ${signal}`} ${c(counters)}`,
  restart: ({ instance, delay, counters }, of) => `${of(instance)}restart in ${delay} ms ${c(counters)}`,
  restarting: ({ instance, pid, counters }, of) => `${of(instance)}restarting: stopping worker pid ${pid} and every process it started ${c(counters)}`,
  'not-ready': ({ instance, pid, waitReady, how, lastCheck }, of) =>
    `${of(instance)}worker pid ${pid} did not ${how} within ${waitReady} ms${lastCheck === undefined ? '' : ` (last check: ${lastCheck})`}: stopping it`,
  healthy: ({ instance, pid, seconds, recovered, accepting }, of) =>
    recovered
      ? `${of(instance)}health: worker pid ${pid} passes its check again`
      : `${of(instance)}health: worker pid ${pid} passed its first check after ${seconds.toFixed(3)} s${accepting === undefined ? '' : ` (seen accepting: ${accepting})`}`,
  'health-failed': ({ instance, pid, failures, retries, answer }, of) => `${of(instance)}health: worker pid ${pid} failed its check (${failures}/${retries}): ${answer}`,
  unhealthy: ({ instance, pid, failures, answer }, of) => `${of(instance)}health: worker pid ${pid} is unhealthy: ${failures} failed checks in a row, the last: ${answer}`,
  cleanup: ({ instance, pid, pids }, of) => `${of(instance)}worker pid ${pid} left ${pids.length} process(es) running: stopping ${pids.join(', ')}`,
  'auto-restart': ({ message }) => message,
  notice: ({ message }) => message,
  giveup: ({ code, reason, counters }) => endText({ code, reason }, counters),
  stopping: ({ signal, pids }) =>
    pids.length === 0 ? `stopping: no worker running` : `stopping: sending ${signal} to worker pid ${pids.join(', ')} and every process ${pids.length > 1 ? 'they' : 'it'} started`,
  kill: ({ instance, pid, pids, killTimeout }, of) =>
    `${of(instance)}worker pid ${pid}: ${pids.length} process(es) still running after killTimeout ${killTimeout} ms: sending SIGKILL to ${pids.join(', ')}`,
  stop: ({ counters, survivors }) =>
    survivors.length === 0 ? endText({ code: 0, reason: 'stop' }, counters) : `stopped, but SIGKILL did not end pid(s) ${survivors.join(', ')} ${c(counters)}`,
  reloading: ({ instances }) => `reload: ${instances} instance(s), one by one`,
  'reload-start': ({ instance, pid, oldPid }) => `reload: instance ${instance}: new pid ${pid} started beside old pid ${oldPid ?? 'none'}`,
  'reload-ready': ({ instance, pid, oldPid, seconds, ready }) =>
    `reload: instance ${instance}: new pid ${pid} ${ready ? 'ready' : 'up (reload grace over, no ready())'} after ${seconds.toFixed(3)} s${oldPid === undefined ? '' : `: stopping old pid ${oldPid}`}`,
  reloaded: ({ instance, pid, oldPid, seconds }) =>
    `reload: instance ${instance}: new pid ${pid} ready after ${seconds.toFixed(3)} s; ${oldPid === undefined ? 'no old worker' : `old pid ${oldPid} stopped`}`,
  'reload-failed': ({ message }) => message,
};

/** The line of event `kind` (each prefixed with its instance when the daemon has `instances` > 1). */
export function eventLine<K extends keyof SupervisorEvents>(kind: K, info: InfoOf<K>, instances: number): string {
  const of: InstancePrefix = (instance) => (instances > 1 ? `instance ${instance}: ` : '');
  return EVENT_LINES[kind](info, of);
}

/** The first line: what is supervised, under which limits. */
export function startedText(command: string, settings: Pick<DaemonSettings, 'maxCount' | 'maxError' | 'minExitTime'>): string {
  const limits = `maxCount ${settings.maxCount === 0 ? 'unlimited' : settings.maxCount}, maxError ${settings.maxError}, minExitTime ${settings.minExitTime} s`;
  return `supervisor started for: ${command} (${limits})`;
}

/**
 * A container's entrypoint is PID 1: every orphan of the worker's tree is reparented to it, and
 * Node reaps only the children it spawned itself, so the orphans would stay zombies. An init in
 * front (`docker run --init`, tini) reaps them; with one, this process is not PID 1.
 */
export const PID1_WARNING =
  "warning: running as PID 1 without an init: orphans of the worker's tree will not be reaped and stay zombies; put an init in front (docker run --init, or tini as the entrypoint)";

/** The line of a stop, restart or reload request as it is acted on. */
export function requestText(operation: 'stop' | 'restart' | 'reload', from: Origin): string {
  if (from.kind === 'signal') {
    if (operation === 'stop') return `received ${from.signal}: stopping, no further restarts`;
    return `received ${from.signal}: ${operation === 'restart' ? 'restarting the worker' : 'reloading'}`;
  }
  return operation === 'stop' ? 'stop requested through the control channel: stopping, no further restarts' : `${operation} requested through the control channel`;
}

/** A restart that a signal asked for failed (a control request's failure goes to its client instead). */
export function restartFailedText(message: string): string {
  return `restart failed: ${message}`;
}

/** A reload requested through the control channel is done. */
export function reloadDoneText(counters: Counters): string {
  return `reload done ${c(counters)}`;
}

/** The log files were reopened (`error` undefined), or could not be. */
export function reopenText(from: Origin, error: string | undefined): string {
  if (from.kind === 'signal') {
    return error === undefined ? `received ${from.signal}: log file reopened` : `received ${from.signal}: cannot reopen the log file (${error}); keeping the old one`;
  }
  return error === undefined ? 'log file reopened (requested through the control channel)' : `cannot reopen the log file (${error})`;
}

/** The supervision ended: the process exits with `code` now. */
export function exitingText(code: number): string {
  return `supervisor exiting with code ${code}`;
}

/** The process ends otherwise (an exit code, or a signal it does not handle): why, for the log and the state file. */
export function endingText(code: number | null | undefined, signal: NodeJS.Signals | null): string {
  return `supervisor ending: ${signal === null ? `exit code ${code ?? 0}` : `received ${signal}, which it does not handle`}`;
}

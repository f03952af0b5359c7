/**
 * Reloading named daemons: each running daemon's instances are replaced one by one, every old
 * worker stopped only once its replacement is ready. A daemon without a socket its workers share
 * (`listen`, or a Node program's own `listen()` in cluster mode) is restarted instead, as pm2 does
 * in fork mode: a replacement of a program that binds its port itself could not bind it beside the
 * old worker. A failed reload says why in the words of the log (`Error: listen EADDRINUSE …`). A
 * daemon that does not run is a failure (a reload never starts one: that is a restart's job).
 */
import { XDaemonError } from '../errors.js';
import { causeLine, fromLastLine, workerLines } from './cause-line.js';
import { type DaemonStatus, control } from './control-bundle.js';
import { existingStateDirectory, findKnown, resolveNames } from './daemons.js';
import { readLogFrom } from './log-tail.js';
import { type DaemonResult, type Failed, type Reloaded, type Restarted, eachName, failed } from './outcome.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';

/** Reloads each daemon of `names`, all at once. */
export async function reloadDaemons(names: readonly string[], facts: StateFacts = currentStateFacts()): Promise<DaemonResult[]> {
  const dir = existingStateDirectory(facts);
  const lib = control();
  return eachName(resolveNames(dir, names), async (name): Promise<DaemonResult> => {
    const daemon = findKnown(dir, name);
    if (daemon === undefined) return { name, outcome: 'not-known' };
    return reloadDaemon(name, daemon.pidFile, daemon.record.log, await lib.status(daemon.pidFile));
  });
}

/**
 * Reloads the daemon `name` of `pidFile`, whose status is `now`: a reload, or a restart when its
 * workers share no socket; a failed reload with the line of the log `log` that says why.
 */
export async function reloadDaemon(name: string, pidFile: string, log: string, now: DaemonStatus): Promise<Reloaded | Restarted | Failed> {
  const lib = control();
  if ((now.state === 'running' || now.state === 'restarting') && (now.listen ?? []).length === 0) {
    const { workerPid } = await lib.restart(pidFile);
    return { name, outcome: 'restarted', workerPid, note: 'no-socket' };
  }
  try {
    return { name, outcome: 'reloaded', instances: (await lib.reload(pidFile)).instances };
  } catch (err) {
    if (!(err instanceof XDaemonError) || err.code !== 'ERELOAD' || now.pid === undefined) return failed(name, err, 'always');
    return failed(name, reloadFailure(name, err, log, now.pid), 'always');
  }
}

/** A failed reload's error, with the line of the log that says why and what to do. */
export function reloadFailure(name: string, err: XDaemonError, log: string, supervisorPid: number): XDaemonError {
  const text = readLogFrom(log);
  const mark = `xdaemon[${supervisorPid}] reload requested`;
  const cause = text.includes(mark) ? causeLine(workerLines(fromLastLine(text, mark))) : undefined;
  const why = (err.reason ?? err.message).replace(/^reload: /, '');
  const said = cause === undefined ? '' : `; its log says: ${cause}`;
  const hint = /EADDRINUSE/.test(cause ?? '')
    ? `; the program binds its port itself, which a replacement cannot do beside the old worker: give it --listen PORT (the supervisor holds the port for both), or xdaemon restart ${name}`
    : `; xdaemon logs ${name} shows more`;
  return new XDaemonError(`reload failed: ${why}${said}${hint}`, { code: err.code, reason: err.reason, cause: err });
}

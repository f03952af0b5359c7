/**
 * Starting named daemons: one from its spec (`xdaemon start`), and many from their records (a
 * fleet file, `resurrect`), whose supervisors are all spawned first and then waited for, so that
 * their start-ups overlap. Everything that can be wrong with a spec is found before anything
 * detaches; a dead daemon of the name (its supervisor killed) is cleaned up first.
 */
import { existsSync } from 'node:fs';
import { type DaemonState, control } from './control-bundle.js';
import { createdStateDirectory } from './daemons.js';
import { type DaemonSpec, instancesRefusal, prepareSpec, recordOf } from './daemon-spec.js';
import { type PendingDaemon, type StartedDaemon, beginRecord, startRecord } from './daemon-start.js';
import { type AlreadyRunning, type Failed, type Started, failed } from './outcome.js';
import { type DaemonRecord, daemonPaths } from './record.js';
import { dependantsOf, startWaves } from './start-order.js';
import { isValidName } from './names.js';
import { EUSAGE, XDaemonError } from '../errors.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';
import { checkUp, settleOf } from './wait-up.js';

/**
 * Starts the daemon of `spec` in the background (its paths relative to `facts.cwd`, its
 * environment `facts.env` plus its own), and resolves once it is up (each instance's first worker
 * ready, or running for a second: ./wait-up), or with `down` saying how it is not. Its record is
 * written in the state directory.
 *
 * With `replace` (pm2's `start -f`), a daemon of the name that runs is stopped first.
 *
 * @throws XDaemonError when the spec cannot be acted on (`code: EUSAGE`: also a dependency that
 *   does not run), its command is not found, the name runs already (without `replace`), or it
 *   cannot start.
 */
export async function startDaemon(spec: DaemonSpec, facts: StateFacts = currentStateFacts(), options: { replace?: boolean } = {}): Promise<Started> {
  const prepared = prepareSpec(spec, facts);
  const refusal = instancesRefusal(prepared);
  if (refusal !== undefined) throw refusal;
  const dir = createdStateDirectory(facts);
  const record = recordOf(prepared, dir);
  // --depends-on: each one a daemon that runs (it is up: a start waits for its readiness).
  const runs = await runningDependencies(dir, [record]);
  const missing = (record.dependsOn ?? []).filter((name) => !runs.has(name));
  if (missing.length > 0) {
    const reason = `${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not run (start ${missing.length === 1 ? 'it' : 'them'} first)`;
    throw new XDaemonError(`--depends-on: ${reason}; nothing was started`, { code: EUSAGE, option: 'dependsOn', reason });
  }
  const { pidFile } = daemonPaths(dir, record.name);
  // A pid file: it runs (the launcher refuses it, naming its supervisor), or it is dead, and what
  // its workers left is stopped first. Without one (the usual case) nothing is asked.
  let was: DaemonState = 'stopped';
  if (existsSync(pidFile)) {
    const lib = control();
    const state = (await lib.status(pidFile)).state;
    // pm2's -f: the daemon of the name is replaced by this one.
    if (state === 'dead' || (options.replace === true && state !== 'stopped')) {
      was = state;
      await lib.stop(pidFile);
    }
  }
  return checkUp(startedResult(record, await startRecord(dir, record, facts.env), was), pidFile, settleOf(record.settings));
}

/** A record to start, with its daemon's state before and why it starts anew. */
export interface ToStart {
  record: DaemonRecord;
  was: DaemonState;
  note?: 'changed' | undefined;
}

/**
 * Starts every record of `entries` (none of them running) with the environment `base` plus its
 * own: every start begun first (handed to the host side by side, or each supervisor spawned),
 * then each waited for. A result per record, in their order.
 */
export function startRecords(dir: string, entries: readonly ToStart[], base: NodeJS.ProcessEnv): Promise<(Started | Failed)[]> {
  const pending = entries.map((entry): { entry: ToStart; daemon: PendingDaemon } | { entry: ToStart; error: unknown } => {
    try {
      return { entry, daemon: beginRecord(dir, entry.record, base) };
    } catch (err) {
      return { entry, error: err };
    }
  });
  return Promise.all(
    pending.map(async (p) => {
      try {
        if ('error' in p) throw p.error;
        return startedResult(p.entry.record, await p.daemon.finish(), p.entry.was, p.entry.note);
      } catch (err) {
        return failed(p.entry.record.name, err);
      }
    }),
  );
}

/**
 * {@link startRecords}, each started daemon waited for until it is up, or with `down` saying how it
 * is not (./wait-up): all at once.
 */
export async function startRecordsUp(dir: string, entries: readonly ToStart[], base: NodeJS.ProcessEnv): Promise<(Started | Failed)[]> {
  const settings = new Map(entries.map((e) => [e.record.name, e.record.settings]));
  return Promise.all((await startRecords(dir, entries, base)).map((r) => (r.outcome === 'started' ? checkUp(r, daemonPaths(dir, r.name).pidFile, settleOf(settings.get(r.name) ?? {})) : r)));
}

/**
 * The records of `records` whose daemons do not run, to start (a dead one cleaned up first), and
 * those that run, left alone.
 */
export async function notRunning(dir: string, records: readonly DaemonRecord[]): Promise<{ toStart: ToStart[]; running: AlreadyRunning[] }> {
  const lib = control();
  const states = await Promise.all(
    records.map(async (record) => {
      const { pidFile } = daemonPaths(dir, record.name);
      const s = await lib.status(pidFile);
      // Dead: what its workers left is stopped and the stale pid file removed first.
      if (s.state === 'dead') await lib.stop(pidFile);
      return s;
    }),
  );
  const toStart: ToStart[] = [];
  const running: AlreadyRunning[] = [];
  records.forEach((record, i) => {
    const s = states[i] as (typeof states)[number];
    if (s.state === 'running' || s.state === 'restarting') running.push({ name: record.name, outcome: 'already-running', pid: s.pid });
    else toStart.push({ record, was: s.state });
  });
  return { toStart, running };
}

/**
 * Starts `entries` in the order of their `dependsOn` (../fleet/start-order): wave by wave, each
 * wave's daemons begun side by side (handed to the host, or their supervisors spawned) and waited
 * for until each daemon is up (./wait-up: ready, or running for its settle), so that an app starts
 * once each of its dependencies is up. An app whose dependency did not start or come up is not
 * started: it is `failed`, saying which. A dependency outside `entries` must be a daemon that runs
 * (`runs`). A result per entry, in their order.
 *
 * @throws StartOrderError (`code: EUSAGE`) for a cycle or a dependency that neither starts here nor runs.
 */
export async function startInOrder(dir: string, entries: readonly ToStart[], base: NodeJS.ProcessEnv, runs: (name: string) => boolean): Promise<(Started | Failed)[]> {
  const apps = entries.map((entry) => ({ name: entry.record.name, dependsOn: entry.record.dependsOn ?? [], entry }));
  const waves = startWaves(apps, runs);
  const results = new Map<string, Started | Failed>();
  for (const wave of waves) {
    const go = wave.filter((app) => !results.has(app.name));
    for (const result of await startRecordsUp(dir, go.map((app) => app.entry), base)) {
      results.set(result.name, result);
      if (result.outcome !== 'failed' && result.down === undefined) continue;
      for (const dependant of dependantsOf(apps, result.name)) {
        if (results.has(dependant.name)) continue;
        const reason = `not started: it depends on ${result.name}, which did not ${result.outcome === 'failed' ? 'start' : 'come up'}`;
        results.set(dependant.name, failed(dependant.name, new XDaemonError(reason, { reason })));
      }
    }
  }
  return entries.map((entry) => results.get(entry.record.name) as Started | Failed);
}

/** Which of the dependencies of `records` outside them run now (a dependency must be up before its dependants start). */
export async function runningDependencies(dir: string, records: readonly DaemonRecord[]): Promise<Set<string>> {
  const inside = new Set(records.map((r) => r.name));
  const outside = [...new Set(records.flatMap((r) => r.dependsOn ?? []))].filter((name) => !inside.has(name) && isValidName(name));
  const lib = control();
  const states = await Promise.all(outside.map(async (name) => [name, (await lib.status(daemonPaths(dir, name).pidFile)).state] as const));
  return new Set(states.filter(([, state]) => state === 'running' || state === 'restarting').map(([name]) => name));
}

function startedResult(record: DaemonRecord, started: StartedDaemon, was: DaemonState, note?: 'changed'): Started {
  return {
    name: record.name,
    outcome: 'started',
    pid: started.pid,
    ...(started.workerPid === undefined ? {} : { workerPid: started.workerPid }),
    ...(started.readySeconds === undefined ? {} : { readySeconds: started.readySeconds }),
    log: record.log,
    was,
    ...(note === undefined ? {} : { note }),
  };
}

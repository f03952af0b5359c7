/**
 * Supervising a daemon in this very process (`xdaemon run`: containers, systemd `Type=exec`, a
 * Windows scheduled task). With a name it is a named daemon (record, pid file, default log in the
 * state directory: status, stop and logs reach it); without, nothing is written, and without a
 * log the worker writes to this process's stdout and stderr.
 */
import { loadBundle } from '../bundles.js';
import { XDaemonError } from '../errors.js';
import type { SupervisorConfig } from '../daemon-process/config.js';
import { control } from './control-bundle.js';
import { createdStateDirectory } from './daemons.js';
import { type DaemonSpec, daemonEnv, prepareSpec, recordOf, resolveSpec } from './daemon-spec.js';
import { daemonPaths, writeRecord } from './record.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';
import { supervisorConfig } from './supervisor-config.js';

/**
 * The supervisor's configuration for `spec` run in the foreground, and whether the worker writes to
 * this process's own stdio. With a name, its record is written (after refusing a name that runs,
 * and cleaning up after a dead one).
 *
 * @throws XDaemonError when the spec cannot be acted on, or the name runs already.
 */
export async function foregroundConfig(spec: DaemonSpec, facts: StateFacts = currentStateFacts()): Promise<{ config: SupervisorConfig; toStdio: boolean }> {
  const env = daemonEnv(facts.env, spec.env);
  if (spec.name === undefined) {
    const resolved = resolveSpec(spec, facts);
    return { config: supervisorConfig({ ...resolved, log: resolved.log ?? '', pidFile: '', env, additions: spec.env }), toStdio: resolved.log === undefined };
  }
  const prepared = prepareSpec(spec, facts);
  const dir = createdStateDirectory(facts);
  const record = recordOf(prepared, dir);
  const { pidFile } = daemonPaths(dir, record.name);
  // The record must not be overwritten under a daemon that runs; the supervisor's lock still
  // decides a race (it then exits 150, EXIT_ALREADY_RUNNING).
  const lib = control();
  const now = await lib.status(pidFile);
  if (now.state === 'running' || now.state === 'restarting') {
    throw new XDaemonError(`${record.name} is already running: supervisor pid ${now.pid ?? '?'} holds ${pidFile}; nothing was started`, { code: 'EALREADY', pid: now.pid });
  }
  if (now.state === 'dead') await lib.stop(pidFile);
  writeRecord(dir, record);
  return { config: supervisorConfig({ ...record, pidFile, env, additions: record.env }), toStdio: false };
}

/**
 * Supervises `spec` in this process, which from then on belongs to the supervisor: it exits when
 * the supervisor ends (0 after a stop, 1 after giving up). The worker's environment is this
 * process's own plus the spec's additions.
 *
 * @throws XDaemonError as {@link foregroundConfig} does, before anything is started.
 */
export async function runInForeground(spec: DaemonSpec, facts: StateFacts = currentStateFacts()): Promise<void> {
  const { config, toStdio } = await foregroundConfig(spec, facts);
  // The worker's environment is the supervisor's own (less NODE_OPTIONS, which the config carries).
  for (const [key, value] of Object.entries(spec.env)) process.env[key] = value;
  loadBundle('supervisor-core').supervise(config, spec.args, 'foreground', { toStdio });
}

/**
 * Starting a named daemon from its record: handed to its state directory's host (started if there
 * is none), or, for a record that asks for a process of its own (`ownProcess`), its supervisor
 * spawned in the background; either through the launcher bundle (loaded here, on first use:
 * `status` and `list` never load it), waited for until it handles signals (or its worker is
 * ready), and the record written once it has answered.
 */
import { loadBundle } from '../bundles.js';
import { XDaemonError, messageOf } from '../errors.js';
import { daemonEnv } from './daemon-spec.js';
import { type DaemonRecord, daemonPaths, writeRecord } from './record.js';
import { supervisorConfig } from './supervisor-config.js';

/** A started daemon: its supervising process (its host's, or its own), and its first worker when the start waited for one. */
export interface StartedDaemon {
  pid: number;
  workerPid?: number;
  readySeconds?: number;
}

/**
 * Starts the daemon of `record` (in state directory `dir`) in the background with the environment
 * `base` plus its own additions, and writes its record once its supervisor has answered. A name
 * that runs is refused with its supervisor's pid, and nothing is started or written; a start that
 * fails keeps its record (status then says how it ended, logs shows its log, restart tries again).
 *
 * @throws XDaemonError when it is running already (`code` the launcher's ALREADY_RUNNING) or cannot start.
 */
export function startRecord(dir: string, record: DaemonRecord, base: NodeJS.ProcessEnv): Promise<StartedDaemon> {
  return beginRecord(dir, record, base).finish();
}

/** A daemon whose start is under way; {@link PendingDaemon.finish} waits for it and writes the record. */
export interface PendingDaemon {
  finish(): Promise<StartedDaemon>;
}

/**
 * {@link startRecord} in two halves, so that several daemons start in parallel: begin each (a
 * supervisor spawned, or a host asked), then finish each. Throws (from either half) as
 * {@link startRecord} does.
 */
export function beginRecord(dir: string, record: DaemonRecord, base: NodeJS.ProcessEnv): PendingDaemon {
  const env = daemonEnv(base, record.env);
  const { pidFile } = daemonPaths(dir, record.name);
  const config = supervisorConfig({ ...record, pidFile, env, additions: record.env });
  const launcher = loadBundle('launcher');
  const failed = (err: unknown): XDaemonError => {
    if ((err as XDaemonError).code === launcher.ALREADY_RUNNING) {
      return new XDaemonError(`${record.name} is ${messageOf(err)}`, { code: launcher.ALREADY_RUNNING });
    }
    writeRecord(dir, record);
    return new XDaemonError(`${record.name}: ${messageOf(err)}`, { cause: err });
  };
  let pending: Promise<StartedDaemon>;
  if (record.ownProcess === true) {
    let spawned: ReturnType<typeof launcher.spawnSupervisor>;
    try {
      spawned = launcher.spawnSupervisor(config, record.args, env);
    } catch (err) {
      throw failed(err);
    }
    // Its handshake is read synchronously once asked for: the spawns of a fleet overlap meanwhile.
    pending = Promise.resolve().then(() => spawned.finish());
  } else {
    pending = launcher.startInHost(dir, config, record.args, env, base);
  }
  return {
    async finish() {
      let started: StartedDaemon;
      try {
        started = await pending;
      } catch (err) {
        throw failed(err);
      }
      try {
        writeRecord(dir, record);
      } catch (err) {
        throw new XDaemonError(`${record.name} started (supervisor pid ${started.pid}), but ${messageOf(err)}; stop it with xdaemon stop ${record.name}`);
      }
      return started;
    },
  };
}

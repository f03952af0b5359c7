/**
 * What a procedure of the supervisor (the memory check, the cron and watch restarts: ./procedures)
 * sees of it: its serving workers, whether it is busy, and the replacements it may ask for. The
 * procedures depend on this interface alone, never on the Supervisor class, so that the loop and
 * its procedures can be loaded and tested apart.
 */
import type { TreeRef } from '../process/worker-tree.js';

/** Why a procedure replaces workers. */
export type RestartCause = 'memory' | 'cron' | 'watch' | 'health';

/** One instance's serving worker, as a procedure sees it. */
export interface InstanceWorker {
  instance: number;
  /** The worker's tree (identity and tree token). */
  tree: TreeRef & { mark: { entry: string } };
  /** Date.now() of the worker's start. */
  startedAt: number;
  /** Whether the worker has called ready(). */
  ready: boolean;
}

/** What a procedure sees of the supervisor. */
export interface RestartTarget {
  /** Every instance's serving worker (an instance between two workers is absent). */
  workers(): InstanceWorker[];
  /** Whether a restart, reload or replacement is under way (a new one would be refused). */
  busy(): boolean;
  /**
   * Replaces one instance's worker gracefully, the others untouched, saying why (`message` is the
   * supervisor's log line); resolves once the new worker is up, rejects if it fails or the
   * supervisor is busy or stops.
   */
  replaceInstance(instance: number, cause: RestartCause, message: string): Promise<unknown>;
  /** Replaces every instance's worker gracefully (reload, or restart), saying why, as above. */
  replaceAll(cause: RestartCause, message: string): Promise<unknown>;
  /** A line for the supervisor's log (a path watch cannot follow, say). */
  note(message: string): void;
}

/** A running procedure. */
export interface Procedure {
  stop(): void;
}

/** The clock of the cron restart (tests give one of their own). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** What the procedures need to know besides the settings. */
export interface ProcedureContext {
  /** The worker's working directory (relative watch paths are relative to it). */
  cwd: string;
  /** Files and folders watch never reacts to: the logs, the pid and state files, the state directory. */
  ignoredPaths: readonly string[];
  clock?: Clock | undefined;
  /** The workers' environment, for a command health check (default: this process's). */
  env?: NodeJS.ProcessEnv | undefined;
}

/** ` worker pid 12` or ` workers 12, 15` for a log line, or nothing when none runs. */
export function workersText(target: RestartTarget): string {
  const pids = target.workers().map((w) => w.tree.id.pid);
  return pids.length === 0 ? '' : ` worker${pids.length === 1 ? ' pid' : 's'} ${pids.join(', ')}`;
}

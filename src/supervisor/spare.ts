/**
 * The spare (`prewarm`): a restart without a Node start-up. Every supervisor restarts a crashed
 * worker by starting a new node, so the outage is at least one Node start-up. The supervisor keeps
 * one spare node booted ahead of need with exactly the worker's node binary, Node flags (loaders
 * such as `--import tsx` in place), working directory, environment and stdio, waiting without CPU
 * on its channel (the readiness socketpair). When a worker is to start, the spare is handed the
 * order (the entry, its arguments, the environment of that start) and becomes the worker
 * (src/worker/spare-entry.ts); the next spare boots once that worker is under way (./slot).
 *
 * A spare that dies while waiting is replaced (counted nowhere; after quick deaths, with a growing
 * pause); one is never used twice; stop and give-up end it; it never outlives the supervisor (the
 * channel's end of file ends a waiting spare; once it is a worker, the group guard or the
 * parent-death signal holds, as for any worker: ./worker-run).
 *
 * Go opens the log afresh for every start, so a log moved away while the spare waited must get
 * nothing of the next worker; Node cannot hand a running process new descriptors 1 and 2. So a
 * spare whose stdout or stderr is no longer the file a start opens now is not used: it is killed
 * and the start is a fresh one (the next spare boots with the new file); after a SIGHUP (logrotate's
 * postrotate) such a spare is replaced at once, so the next start has one again.
 */
import type { ChildProcess } from 'node:child_process';
import { fstatSync } from 'node:fs';
import { join } from 'node:path';
import type { LogSink } from '../log/log-sink.js';
import { splitNodeArgs } from '../process/node-command.js';
import { tracer } from '../trace.js';
import { type SpareHandover, type WorkerProcessSpec, type WorkerRunSpec, spawnWorkerProcess, workerProcessSpec } from './worker-run.js';

const trace = tracer('supervisor');

/** The spare's entry, beside the supervisor's bundle (scripts/build.mjs). */
export const SPARE_ENTRY = 'spare.js';

/** What the spare is handed: one JSON line on its channel. */
export interface SpareOrder {
  /** The entry script and its arguments (process.argv from [1] on). */
  argv: string[];
  /** The environment of this start, as changes to the spare's own: a value, or null to delete. */
  env: Record<string, string | null>;
}

/** A spare that lived shorter than this counts as a quick death (the next one waits longer). */
const QUICK_DEATH_MS = 1000;
/** The pause before replacing the n-th consecutive quick death: 100 ms doubling, up to 30 s. */
const pauseAfter = (quickDeaths: number): number => (quickDeaths === 0 ? 0 : Math.min(100 * 2 ** (quickDeaths - 1), 30_000));

/** What the spare is booted from. */
export interface SpareSource {
  /**
   * The spec of the slot's next worker, with a new tree token (the worker the spare becomes keeps
   * it); the start's own part (its generation marker) comes with the order.
   */
  spec(): WorkerRunSpec;
  output: LogSink;
  /** A spare ended while waiting (it will be replaced). */
  onDeath(pid: number, code: number | null, signal: NodeJS.Signals | null): void;
}

/** The one spare of a slot. */
export class Spare {
  private waiting: BootedSpare | undefined;
  private ended = false;
  private quickDeaths = 0;
  private pause: NodeJS.Timeout | undefined;

  constructor(private readonly source: SpareSource) {}

  /** The waiting spare's pid, if one waits. */
  get pid(): number | undefined {
    return this.waiting?.child.pid;
  }

  /** Boots a spare unless one waits (or the last one's replacement is pausing, or it ended). */
  boot(): void {
    if (this.ended || this.waiting !== undefined || this.pause !== undefined) return;
    const base = this.source.spec();
    const split = splitNodeArgs(base.args);
    if ('why' in split) return;
    const token = base.token;
    const stdio = this.source.output.stdioForWorker();
    let spec: WorkerProcessSpec;
    let child: ChildProcess & { pid: number };
    let files: string;
    try {
      // The entry and its arguments stay on the command line, where `ps` and `pgrep -f` look.
      spec = workerProcessSpec({ ...base, args: [...split.flags, join(__dirname, SPARE_ENTRY), split.script, ...split.args] }, stdio);
      child = spawnWorkerProcess(spec);
      files = filesOf(stdio);
    } catch {
      // The next start is a fresh one; it reports what is wrong.
      return;
    } finally {
      stdio.release();
    }
    const booted = new BootedSpare(child, token, spec, files);
    this.waiting = booted;
    const bootedAt = Date.now();
    child.once('exit', (code, signal) => {
      if (this.waiting !== booted) return;
      this.waiting = undefined;
      if (this.ended) return;
      this.quickDeaths = Date.now() - bootedAt < QUICK_DEATH_MS ? this.quickDeaths + 1 : 0;
      this.source.onDeath(child.pid, code, signal);
      this.pause = setTimeout(() => {
        this.pause = undefined;
        this.boot();
      }, pauseAfter(this.quickDeaths));
      this.pause.unref();
    });
  }

  /** The waiting spare, taken: it is nobody else's from now on. */
  take(): SpareHandover | undefined {
    const booted = this.waiting;
    this.waiting = undefined;
    // A spare that lived to be used: booting works, the next death is no "quick" one in a row.
    if (booted !== undefined) this.quickDeaths = 0;
    return booted;
  }

  /**
   * The log was reopened (SIGHUP): a waiting spare whose stdout or stderr is no longer the file at
   * the log's path is replaced by one booted with the new file(s).
   */
  refresh(): void {
    const booted = this.waiting;
    if (booted === undefined || this.ended) return;
    let now: string;
    try {
      const stdio = this.source.output.stdioForWorker();
      now = filesOf(stdio);
      stdio.release();
    } catch {
      return; // The log cannot be opened: the next start reports it.
    }
    if (now === booted.files) return;
    this.waiting = undefined;
    booted.discard();
    this.boot();
  }

  /** No more spares; the waiting one is killed (it runs nothing of the user's). */
  end(): void {
    this.ended = true;
    clearTimeout(this.pause);
    const booted = this.waiting;
    this.waiting = undefined;
    booted?.discard();
  }
}

/** What a worker's stdout and stderr are: each file's device and inode, or 'pipe', 'ignore'. */
function filesOf(stdio: Pick<WorkerProcessSpec, 'stdout' | 'stderr'>): string {
  const one = (fd: number | 'pipe' | 'ignore'): string => {
    if (typeof fd !== 'number') return fd;
    try {
      const stat = fstatSync(fd);
      return `${stat.dev}:${stat.ino}`;
    } catch {
      return 'closed';
    }
  };
  return `${one(stdio.stdout)} ${one(stdio.stderr)}`;
}

/** A booted spare and how to hand it its order. */
class BootedSpare implements SpareHandover {
  became: ChildProcess | undefined;

  constructor(
    readonly child: ChildProcess & { pid: number },
    readonly token: string,
    private readonly boot: WorkerProcessSpec,
    /** Its stdout and stderr as booted ({@link filesOf}). */
    readonly files: string,
  ) {
    const channel = this.channel();
    channel?.on('error', () => undefined);
  }

  /**
   * Becomes the worker of `spec`; undefined if it is gone already, or if its stdout or stderr is not
   * the file `spec` opened for this start (the log was moved while it waited): it is killed then.
   */
  become(spec: WorkerProcessSpec): (ChildProcess & { pid: number }) | undefined {
    const child = this.child;
    const channel = this.channel();
    if (this.became !== undefined || channel === undefined || child.exitCode !== null || child.signalCode !== null) return undefined;
    if (filesOf(spec) !== this.files) {
      trace('spare %d not used: the log was moved while it waited', child.pid);
      this.discard();
      return undefined;
    }
    const split = splitNodeArgs(spec.args);
    if ('why' in split) return undefined;
    const order: SpareOrder = { argv: [split.script, ...split.args], env: envChanges(this.boot.env, spec.env) };
    channel.write(`${JSON.stringify(order)}\n`);
    this.became = child;
    return child;
  }

  /** Kills it, unused (it runs nothing of the user's). */
  discard(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** The supervisor's end of the spare's channel (the readiness socketpair: the last extra descriptor). */
  private channel(): NodeJS.WritableStream | undefined {
    return this.child.stdio[2 + this.boot.extraFds.length] as unknown as NodeJS.WritableStream | undefined;
  }
}

/** `env` with the tree token first (it stays within the first bytes of every descendant's environment). */
export function withToken(env: NodeJS.ProcessEnv, token: string): NodeJS.ProcessEnv {
  const at = token.indexOf('=');
  const name = token.slice(0, at);
  const copy: NodeJS.ProcessEnv = { [name]: token.slice(at + 1) };
  for (const [key, value] of Object.entries(env)) if (key !== name) copy[key] = value;
  return copy;
}

/** What turns environment `from` into `to`: the values that differ, and null for the names `to` lacks. */
export function envChanges(from: NodeJS.ProcessEnv, to: NodeJS.ProcessEnv): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(to)) if (value !== undefined && from[key] !== value) changes[key] = value;
  for (const key of Object.keys(from)) if (to[key] === undefined) changes[key] = null;
  return changes;
}

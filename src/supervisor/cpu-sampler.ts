/**
 * The supervisor's CPU samples of each instance's worker tree: the tree's cumulative CPU time at
 * the worker's start and then every few seconds, kept (the last two) for the state file, from which `status()`
 * and `xdaemon list` tell the CPU use over a recent window with one reading of /proc of their own,
 * without waking this process. The tree strategy measures (../process/worker-tree: the token scan
 * costs one scan of the processes started after the workers, the environment of each new one read once).
 */
import type { CpuSample } from '../control/protocol.js';
import { type TreeRef, type TreeUsage, treeStrategy } from '../process/worker-tree.js';

/** How often the tree's CPU time is sampled, ms: a client's window is 1 to 2 intervals long. */
export const CPU_SAMPLE_MS = 5000;

/** How long an idle tree's sample may stand before it is taken again anyway, ms. */
export const IDLE_REWRITE_MS = 60_000;

/** The workers whose trees are sampled, as the supervisor tells them. */
export interface SampledWorkers {
  /** Each instance's serving worker: its tree (identity and tree token). */
  readonly instanceWorkers: readonly { instance: number; tree: TreeRef & { mark: { entry: string } } }[];
}

/** Samples of each instance's running worker's tree. */
export class CpuSampler {
  /** By instance. */
  private readonly current = new Map<number, CpuSample>();
  /** Its own strategy: it remembers what it learned of each tree between samples. */
  private readonly trees = treeStrategy();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: SampledWorkers,
    /** Called after each sample (to write the state file). */
    private readonly onSample: () => void,
    private readonly interval = CPU_SAMPLE_MS,
  ) {}

  /** The samples of instance `instance`'s running worker (default the first), if any. */
  sampleOf(instance = 0): CpuSample | undefined {
    const tree = this.source.instanceWorkers.find((w) => w.instance === instance)?.tree;
    const current = this.current.get(instance);
    return tree !== undefined && current?.workerPid === tree.id.pid ? current : undefined;
  }

  /** Samples now (at a worker's start: its first sample), and every interval from now. */
  restart(): void {
    if (!this.trees.available) return;
    this.stop();
    this.takeAll();
    this.timer = setInterval(() => {
      if (this.takeAll()) this.onSample();
    }, this.interval);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Samples every instance's tree; true when one has something new to record. */
  private takeAll(): boolean {
    const workers = this.source.instanceWorkers;
    const running = new Set(workers.map((w) => w.instance));
    for (const instance of this.current.keys()) if (!running.has(instance)) this.current.delete(instance);
    const usages = this.trees.usage(workers.map((w) => w.tree), 'none');
    let changed = false;
    for (const [i, { instance, tree }] of workers.entries()) if (this.take(instance, tree, usages[i] as TreeUsage)) changed = true;
    return changed;
  }

  /**
   * Takes a sample of one instance's tree; false when there is nothing new to record: an idle tree
   * (the same ticks as the last sample, taken less than {@link IDLE_REWRITE_MS} ago), whose state
   * file is then not rewritten every few seconds for nothing (its figure, 0 %, stays right over the longer window).
   */
  private take(instance: number, tree: SampledWorkers['instanceWorkers'][number]['tree'], usage: TreeUsage): boolean {
    const { ticks, members } = usage;
    const at = Date.now();
    const current = this.current.get(instance);
    const same = current?.workerPid === tree.id.pid && current.starttime === tree.id.starttime;
    const last = same ? current.samples.at(-1) : undefined;
    if (last !== undefined && last.ticks === ticks && at - last.at < IDLE_REWRITE_MS) return false;
    const samples = same ? [...current.samples.slice(-1), { at, ticks }] : [{ at, ticks }];
    this.current.set(instance, { workerPid: tree.id.pid, starttime: tree.id.starttime, token: tree.mark.entry, samples, members: members.map((m) => [m.pid, m.starttime]) });
    return true;
  }
}

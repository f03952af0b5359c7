/**
 * The supervisor's CPU samples of each instance's worker tree: the tree's cumulative CPU time at
 * the worker's start and then every few seconds, kept (the last two) for the state file, from which `status()`
 * and `xdaemon list` tell the CPU use over a recent window with one reading of /proc of their own,
 * without waking this process. Every sampler of a process (a host has one per daemon) is sampled in
 * one pass, by one timer (./shared-timers), through the process's watch of the trees
 * (../process/worker-tree: what it reads grows with the trees, not with the machine).
 */
import type { CpuSample } from '../control/protocol.js';
import { type TreeRef, type TreeUsage, watchedTrees } from '../process/worker-tree.js';
import { everyInterval, ownedCall } from './shared-timers.js';

/** How often the tree's CPU time is sampled, ms: a client's window is 1 to 2 intervals long. */
export const CPU_SAMPLE_MS = 5000;

/** How long an idle tree's sample may stand before it is taken again anyway, ms. */
export const IDLE_REWRITE_MS = 60_000;

/** The workers whose trees are sampled, as the supervisor tells them. */
export interface SampledWorkers {
  /** Each instance's serving worker: its tree (identity and tree token). */
  readonly instanceWorkers: readonly { instance: number; tree: TreeRef & { mark: { entry: string } } }[];
}

type SampledWorker = SampledWorkers['instanceWorkers'][number];

/** The samplers that sample now, by period: each period's are sampled together. */
const passes = new Map<number, { samplers: Set<CpuSampler>; cancel: () => void }>();

/** One pass: every sampler's trees, one look at the system for all of them. */
function samplePass(samplers: ReadonlySet<CpuSampler>): void {
  const all = [...samplers];
  const workers = all.map((s) => s.workers());
  const usages = watchedTrees().usage(workers.flat().map((w) => w.tree), 'none');
  let at = 0;
  for (const [i, sampler] of all.entries()) {
    const mine = workers[i] as SampledWorker[];
    sampler.takeFrom(mine, usages.slice(at, at + mine.length));
    at += mine.length;
  }
}

/** Samples of each instance's running worker's tree. */
export class CpuSampler {
  /** By instance. */
  private readonly current = new Map<number, CpuSample>();
  private sampling = false;
  /** `onSample` in the context it was given in (a host's daemon), its exception its own. */
  private readonly record: () => void;

  constructor(
    private readonly source: SampledWorkers,
    /** Called after a pass that took something new (to write the state file). */
    onSample: () => void,
    private readonly interval = CPU_SAMPLE_MS,
  ) {
    this.record = ownedCall(onSample);
  }

  /** The samples of instance `instance`'s running worker (default the first), if any. */
  sampleOf(instance = 0): CpuSample | undefined {
    const tree = this.source.instanceWorkers.find((w) => w.instance === instance)?.tree;
    const current = this.current.get(instance);
    return tree !== undefined && current?.workerPid === tree.id.pid ? current : undefined;
  }

  /** Samples now (at a worker's start: its first sample), and in every pass from now on. */
  restart(): void {
    if (!watchedTrees().available) return;
    const workers = this.workers();
    this.takeFrom(workers, watchedTrees().usage(workers.map((w) => w.tree), 'none'), false);
    if (this.sampling) return;
    this.sampling = true;
    let pass = passes.get(this.interval);
    if (pass === undefined) {
      const samplers = new Set<CpuSampler>();
      pass = { samplers, cancel: everyInterval(this.interval, () => samplePass(samplers)) };
      passes.set(this.interval, pass);
    }
    pass.samplers.add(this);
  }

  stop(): void {
    if (!this.sampling) return;
    this.sampling = false;
    const pass = passes.get(this.interval);
    if (pass === undefined || !pass.samplers.delete(this) || pass.samplers.size > 0) return;
    pass.cancel();
    passes.delete(this.interval);
  }

  /** The workers to sample now. */
  workers(): SampledWorker[] {
    return [...this.source.instanceWorkers];
  }

  /** Takes the samples of `workers` from their `usages` (a pass's); records them when one is new and `record` says so. */
  takeFrom(workers: readonly SampledWorker[], usages: readonly TreeUsage[], record = true): void {
    const running = new Set(workers.map((w) => w.instance));
    for (const instance of this.current.keys()) if (!running.has(instance)) this.current.delete(instance);
    let changed = false;
    for (const [i, { instance, tree }] of workers.entries()) if (this.take(instance, tree, usages[i] as TreeUsage)) changed = true;
    if (changed && record) this.record();
  }

  /**
   * Takes a sample of one instance's tree; false when there is nothing new to record: an idle tree
   * (the same ticks as the last sample, taken less than {@link IDLE_REWRITE_MS} ago), whose state
   * file is then not rewritten every few seconds for nothing (its figure, 0 %, stays right over the longer window).
   */
  private take(instance: number, tree: SampledWorker['tree'], usage: TreeUsage): boolean {
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

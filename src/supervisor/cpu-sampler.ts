/**
 * The supervisor's CPU samples of its worker's tree: the tree's cumulative CPU time at the worker's
 * start and then every few seconds, kept (the last two) for the state file, from which `status()`
 * and `xdaemon list` tell the CPU use over a recent window with one reading of /proc of their own,
 * without waking this process. A sample costs one scan of the processes started after the worker
 * (the environment of each new one read once: ../process/tree-usage).
 */
import type { CpuSample } from '../control/protocol.js';
import { HAS_PROC } from '../process/proc.js';
import { type TreeRef, TreeScanner } from '../process/tree-usage.js';

/** How often the tree's CPU time is sampled, ms: a client's window is 1 to 2 intervals long. */
export const CPU_SAMPLE_MS = 5000;

/** How long an idle tree's sample may stand before it is taken again anyway, ms. */
export const IDLE_REWRITE_MS = 60_000;

/** The worker whose tree is sampled, as the supervisor tells it. */
export interface SampledWorker {
  /** The running worker's tree (its identity and tree token), if one runs. */
  readonly workerTree: (TreeRef & { mark: { entry: string } }) | undefined;
}

/** Samples of the running worker's tree. */
export class CpuSampler {
  private current: CpuSample | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly scanner = new TreeScanner();

  constructor(
    private readonly source: SampledWorker,
    /** Called after each sample (to write the state file). */
    private readonly onSample: () => void,
    private readonly interval = CPU_SAMPLE_MS,
  ) {}

  /** The samples of the running worker, if any. */
  get sample(): CpuSample | undefined {
    const tree = this.source.workerTree;
    return tree !== undefined && this.current?.workerPid === tree.id.pid ? this.current : undefined;
  }

  /** Samples now (at a worker's start: its first sample), and every interval from now. */
  restart(): void {
    if (!HAS_PROC) return;
    this.stop();
    this.take();
    this.timer = setInterval(() => {
      if (this.take()) this.onSample();
    }, this.interval);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Takes a sample; false when there is nothing new to record: no worker, or an idle tree (the same
   * ticks as the last sample, taken less than {@link IDLE_REWRITE_MS} ago), whose state file is
   * then not rewritten every few seconds for nothing (its figure, 0 %, stays right over the longer window).
   */
  private take(): boolean {
    const tree = this.source.workerTree;
    if (tree === undefined) {
      this.current = undefined;
      return false;
    }
    let ticks = 0;
    const members = this.scanner.members(tree);
    for (const m of members) ticks += m.ticks;
    const at = Date.now();
    const same = this.current?.workerPid === tree.id.pid && this.current.starttime === tree.id.starttime;
    const last = same ? (this.current as CpuSample).samples.at(-1) : undefined;
    if (last !== undefined && last.ticks === ticks && at - last.at < IDLE_REWRITE_MS) return false;
    const samples = same ? [...(this.current as CpuSample).samples.slice(-1), { at, ticks }] : [{ at, ticks }];
    this.current = { workerPid: tree.id.pid, starttime: tree.id.starttime, token: tree.mark.entry, samples, members: members.map((m) => [m.pid, m.starttime]) };
    return true;
  }
}

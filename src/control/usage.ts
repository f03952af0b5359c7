/**
 * CPU and memory of a running daemon, as `status()` reports them: the worker's whole tree read
 * from /proc now (the members a stop finds: its group, its descendants, and the members that the
 * supervisor found by their tree token at its last sample; their RSS and PSS), the CPU use over a recent window
 * from the supervisor's last CPU sample (kept in its state file) and the tree's CPU time now, and
 * the supervisor's own RSS. Nothing is asked of the supervisor. Where there is no /proc, nothing is
 * reported: the fields are absent ("unknown"), never a wrong number.
 */
import { HAS_PROC } from '../process/proc.js';
import { CLOCK_TICKS, membersOf, rssOf, sharedSnapshot, usageOf } from '../process/tree-usage.js';
import type { CpuSample } from './protocol.js';

/** What a daemon's worker tree (and its supervisor) use. Absent fields are unknown. */
export interface DaemonUsage {
  /** CPU use of the worker's tree in % of one core (100 = one core busy) over the last `cpuWindow` seconds. */
  cpu?: number;
  /** The window of `cpu`, in seconds. */
  cpuWindow?: number;
  /** Summed resident set sizes of the tree's processes, bytes (a page shared by two members counts twice). */
  rss?: number;
  /** Summed proportional set sizes (Linux smaps_rollup): each shared page divided among its users, bytes. */
  pss?: number;
  /** How many processes the tree has (the worker and what it started). */
  processes?: number;
  /** The supervisor's own resident set size, bytes. */
  supervisorRss?: number;
}

/** Shortest window a CPU figure is given for: below it, ticks of 10 ms make the figure noise. */
export const MIN_CPU_WINDOW_MS = 500;

/**
 * CPU use in % of one core between the newest sample at least {@link MIN_CPU_WINDOW_MS} old and
 * now, or undefined when no sample is old enough, or the tree used fewer ticks in all than then
 * (a member ended without a member waiting for it: its time is gone, the figure would be low). Pure.
 */
export function cpuPercent(samples: readonly { at: number; ticks: number }[], ticksNow: number, now: number): { cpu: number; window: number } | undefined {
  for (let i = samples.length - 1; i >= 0; i--) {
    const sample = samples[i] as { at: number; ticks: number };
    const window = now - sample.at;
    if (window < MIN_CPU_WINDOW_MS) continue;
    if (ticksNow < sample.ticks) return undefined;
    const cpu = ((ticksNow - sample.ticks) / CLOCK_TICKS / (window / 1000)) * 100;
    return { cpu: Math.round(cpu * 10) / 10, window: Math.round(window / 100) / 10 };
  }
  return undefined;
}

/** What the daemon with supervisor `supervisorPid` and the CPU sample `sample` uses now (Linux), or undefined. */
export function measureUsage(supervisorPid: number, workerPid: number | undefined, sample: CpuSample | undefined, now = Date.now()): DaemonUsage | undefined {
  const supervisorRss = rssOf(supervisorPid);
  if (supervisorRss === undefined) return undefined;
  if (workerPid === undefined || sample === undefined || sample.workerPid !== workerPid) return { supervisorRss };
  if (!HAS_PROC) return { supervisorRss };
  const tree = usageOf(membersOf(sharedSnapshot(sample.workerPid), { pid: sample.workerPid, starttime: sample.starttime }, sample.members ?? []), { pss: true });
  if (tree.pids.length === 0) return { supervisorRss };
  const cpu = cpuPercent(sample.samples, tree.ticks, now);
  return {
    ...(cpu === undefined ? {} : { cpu: cpu.cpu, cpuWindow: cpu.window }),
    rss: tree.rss,
    ...(tree.pss === undefined ? {} : { pss: tree.pss }),
    processes: tree.pids.length,
    supervisorRss,
  };
}

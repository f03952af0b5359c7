/**
 * CPU and memory of a running daemon, as `status()` reports them: the worker's whole tree read
 * from /proc now (the members a stop finds: its group, its descendants, and the members that the
 * supervisor found by their tree token at its last sample; their RSS and PSS), the CPU use over a recent window
 * from the supervisor's last CPU sample (kept in its state file) and the tree's CPU time now, and
 * the supervisor's own RSS. Nothing is asked of the supervisor. Where there is no /proc (macOS,
 * the BSDs), what `ps` says of the worker's process group (the tree a stop reaches there) and of
 * the supervisor; where neither can be had, nothing: the fields are absent ("unknown"), never a
 * wrong number.
 */
import { CLOCK_TICKS, HAS_PROC } from '../process/proc.js';
import { rssOf } from '../process/proc-memory.js';
import { treeStrategy } from '../process/worker-tree.js';
import type { CpuSample } from './protocol.js';

/** What a daemon's worker tree (and its supervisor) use. Absent fields are unknown. */
export interface DaemonUsage {
  /** CPU use of the worker's tree in % of one core (100 = one core busy) over the last `cpuWindow` seconds. */
  cpu?: number;
  /** The window of `cpu`, in seconds (absent where `ps` gave the figure: its own recent average). */
  cpuWindow?: number;
  /**
   * CPU time the worker's tree has used so far, seconds (its live members' user and system time,
   * and their waited-for children's): a counter from the worker's start, for a client that takes
   * its own rate (a live view, an exporter). It may go down when a member ends that no member waited for.
   */
  cpuTime?: number;
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

/** The memory figures a usage reads: RSS, or RSS and PSS (costlier: see `StatusOptions.pss`). */
export type UsageMemory = 'rss' | 'pss';

/** What the daemon with supervisor `supervisorPid` and the CPU sample `sample` uses now (Linux), or undefined. */
export function measureUsage(supervisorPid: number, workerPid: number | undefined, sample: CpuSample | undefined, now = Date.now(), memory: UsageMemory = 'pss'): DaemonUsage | undefined {
  if (!HAS_PROC) return process.platform === 'win32' ? undefined : psUsage(supervisorPid, workerPid);
  const supervisorRss = rssOf(supervisorPid);
  if (supervisorRss === undefined) return undefined;
  if (workerPid === undefined || sample === undefined || sample.workerPid !== workerPid) return { supervisorRss };
  // The members the supervisor found at its last sample, and those linked to the worker now: no environment is read.
  const [tree] = treeStrategy().usage([{ id: { pid: sample.workerPid, starttime: sample.starttime }, known: sample.members ?? [] }], memory);
  if (tree === undefined || tree.members.length === 0) return { supervisorRss };
  const cpu = cpuPercent(sample.samples, tree.ticks, now);
  return {
    ...(cpu === undefined ? {} : { cpu: cpu.cpu, cpuWindow: cpu.window }),
    cpuTime: tree.ticks / CLOCK_TICKS,
    ...(tree.rss === undefined ? {} : { rss: tree.rss }),
    ...(tree.pss === undefined ? {} : { pss: tree.pss }),
    processes: tree.members.length,
    supervisorRss,
  };
}

/**
 * The usage of several instances' trees as one: CPU, RSS, PSS and processes summed where every
 * instance's is known (a figure missing for one is missing for the sum: never a low number), the
 * supervisor's RSS once. Undefined when none is known. Pure.
 */
export function sumUsage(all: readonly (DaemonUsage | undefined)[]): DaemonUsage | undefined {
  const known = all.filter((u): u is DaemonUsage => u !== undefined);
  if (known.length === 0) return undefined;
  const out: DaemonUsage = {};
  for (const key of ['cpu', 'cpuTime', 'rss', 'pss', 'processes'] as const) {
    if (known.length === all.length && known.every((u) => u[key] !== undefined)) out[key] = known.reduce((n, u) => n + (u[key] as number), 0);
  }
  // Sums of ticks read as seconds: no float dust (0.58 + 0.56 is 1.1400000000000001).
  if (out.cpuTime !== undefined) out.cpuTime = Math.round(out.cpuTime * 1000) / 1000;
  if (out.cpu !== undefined) {
    out.cpu = Math.round(out.cpu * 10) / 10;
    const windows = known.flatMap((u) => (u.cpuWindow === undefined ? [] : [u.cpuWindow]));
    if (windows.length > 0) out.cpuWindow = Math.max(...windows);
  }
  const supervisorRss = known.find((u) => u.supervisorRss !== undefined)?.supervisorRss;
  if (supervisorRss !== undefined) out.supervisorRss = supervisorRss;
  return out;
}

/** One line of `ps -A -o pid=,pgid=,rss=,%cpu=`. */
export interface PsLine {
  pid: number;
  pgid: number;
  /** kB. */
  rss: number;
  cpu: number;
}

/** The lines of `ps -A -o pid=,pgid=,rss=,%cpu=` output (a `,` decimal mark too); lines it cannot read are left out. Pure. */
export function parsePs(text: string): PsLine[] {
  const out: PsLine[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 4) continue;
    const [pid, pgid, rss, cpu] = f.map((v) => Number(v.replace(',', '.')));
    if ([pid, pgid, rss, cpu].every((v) => v !== undefined && Number.isFinite(v))) out.push({ pid: pid as number, pgid: pgid as number, rss: rss as number, cpu: cpu as number });
  }
  return out;
}

/** What `ps` says of the worker's process group and the supervisor, from `lines`. Pure. */
export function usageFromPs(lines: readonly PsLine[], supervisorPid: number, workerPid: number | undefined): DaemonUsage | undefined {
  const supervisor = lines.find((l) => l.pid === supervisorPid);
  if (supervisor === undefined) return undefined;
  const supervisorRss = supervisor.rss * 1024;
  const group = workerPid === undefined ? [] : lines.filter((l) => l.pgid === workerPid);
  if (group.length === 0) return { supervisorRss };
  const cpu = group.reduce((sum, l) => sum + l.cpu, 0);
  return { cpu: Math.round(cpu * 10) / 10, rss: group.reduce((sum, l) => sum + l.rss, 0) * 1024, processes: group.length, supervisorRss };
}

/** `ps` run once per turn of the event loop (a `list` of twenty daemons runs it once). */
let psLines: PsLine[] | undefined;

/** The usage as `ps` tells it (systems without /proc); undefined when ps cannot be run. */
export function psUsage(supervisorPid: number, workerPid: number | undefined): DaemonUsage | undefined {
  if (psLines === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
    const result = spawnSync('ps', ['-A', '-o', 'pid=,pgid=,rss=,%cpu='], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] });
    psLines = result.status === 0 ? parsePs(result.stdout) : [];
    setImmediate(() => (psLines = undefined)).unref();
  }
  return usageFromPs(psLines, supervisorPid, workerPid);
}

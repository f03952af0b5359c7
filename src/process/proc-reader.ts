/**
 * Every read of /proc a tree strategy makes, as one object: the default reads Linux's /proc (./proc,
 * ./proc-memory); a test passes its own to count the reads (what the watch of a tree costs is the
 * number of files it opens, which timing on a loaded machine cannot show) or to give a process
 * table of its own.
 */
import { HAS_PROC, type ProcEntry, lastPid, listPids, readEnviron, readProc } from './proc.js';
import { memoryOf, rssOf } from './proc-memory.js';

/** The reads. Each answers "unknown" (undefined, false, an empty list) where it cannot read. */
export interface ProcReader {
  /** Whether the system has a /proc to read (else every answer is unknown). */
  readonly available: boolean;
  /** The pids /proc lists now (processes, not their threads): one read of the directory. */
  pids(): number[];
  /** /proc/PID/stat. */
  stat(pid: number): ProcEntry | undefined;
  /** /proc/PID/environ, NUL-separated entries (read once and asked about every tree's mark: ./proc's environHolds). */
  environ(pid: number): Buffer | undefined;
  /** The last pid the kernel handed out (/proc/sys/kernel/ns_last_pid). */
  lastPid(): number | undefined;
  /** VmRSS of /proc/PID/status, bytes. */
  rss(pid: number): number | undefined;
  /** Rss and Pss of /proc/PID/smaps_rollup, bytes. */
  memory(pid: number): { rss?: number; pss?: number } | undefined;
}

/** This system's /proc. */
export const PROC_READER: ProcReader = {
  available: HAS_PROC,
  pids: listPids,
  stat: readProc,
  environ: readEnviron,
  lastPid,
  rss: rssOf,
  memory: memoryOf,
};

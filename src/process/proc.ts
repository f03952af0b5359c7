/**
 * Reading processes from Linux's /proc: state, parent, group, session and start time of one
 * process or of all, and whether a process's environment carries a given entry. Elsewhere every
 * reader answers "unknown" (undefined or an empty list) and callers fall back to process groups.
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';

/** What /proc/PID/stat says of a process. */
export interface ProcEntry {
  pid: number;
  /** State letter: R, S, D, T, Z (zombie), X (dead), … */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Clock ticks after boot at which the process started: with the pid, its identity. */
  starttime: number;
  /** CPU clock ticks it used (user + system), with those of its children it waited for. */
  ticks: number;
}

/**
 * Clock ticks per second of the CPU times in /proc (`USER_HZ`): 100 on every architecture Linux
 * runs Node on (the kernel exports a fixed USER_HZ whatever its internal HZ).
 */
export const CLOCK_TICKS = 100;

/** True on a system with a Linux-style /proc. */
export const HAS_PROC = process.platform === 'linux';

/** One buffer for every read: the supervisor scans often and must not churn garbage. */
const buffer = Buffer.allocUnsafe(4096);

/** Reads up to 4 KB of a /proc file into the shared buffer; returns the length, or -1. */
function readSmall(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return -1;
  }
  try {
    return readSync(fd, buffer, 0, buffer.length, null);
  } catch {
    return -1;
  } finally {
    closeSync(fd);
  }
}

/** Parses the text of /proc/PID/stat. */
export function parseStat(pid: number, text: string): ProcEntry | undefined {
  // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
  // stime cutime cstime priority nice num_threads itrealvalue starttime ..."; comm may hold
  // spaces and parentheses, so fields are counted from the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).split(' ', 20);
  if (f.length < 20) return undefined;
  return {
    pid,
    state: f[0] as string,
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    session: Number(f[3]),
    starttime: Number(f[19]),
    ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
  };
}

/** The text of /proc/PID/stat, or undefined when it does not exist. */
function readStat(pid: number): string | undefined {
  const n = readSmall(`/proc/${pid}/stat`);
  return n <= 0 ? undefined : buffer.toString('latin1', 0, n);
}

/** The /proc entry of `pid`, or undefined when it does not exist (or there is no /proc). */
export function readProc(pid: number): ProcEntry | undefined {
  if (!HAS_PROC) return undefined;
  const text = readStat(pid);
  return text === undefined ? undefined : parseStat(pid, text);
}

/**
 * True when a stat text is a thread's other than its group's leader: /proc/<tid> is not listed but
 * reads like a process, and only a thread has exit_signal (field 38) -1 (the kernel sets it so for
 * every CLONE_THREAD).
 */
export function isThreadStat(text: string): boolean {
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ', 36);
  return f[35] === '-1';
}

/**
 * At most this many pids are read one by one instead of listing /proc. Both ways read the stat of
 * every process in the range; a probe also pays ~15–25 µs for each pid in it that is no process
 * (gone, or a thread), the listing ~1.4 µs for each process on the system (170–240 µs for 120–170
 * processes). 16 wasted probes cost about a listing of 200 processes: after a worker's exit the
 * range is the few pids handed out since it started (the other instances' workers, in a crash loop).
 */
const PROBE_MAX = 16;

/**
 * Every process /proc lists (an empty list where there is no /proc); with `since`, only those
 * created after the process `since` was, as far as pids tell: pids are handed out in increasing
 * order until they wrap around, so when the last pid handed out (`ns_last_pid`) is still above
 * `since`, nothing newer can have a lower pid, and only the few pids in between are read: one by
 * one when there are few of them (a worker that just exited: what it left can only be among the
 * pids handed out since it started), else from the listing of /proc. After a wrap (or where that
 * is unknown), every process is.
 */
export function listProcs(since = 0): ProcEntry[] {
  if (!HAS_PROC) return [];
  const last = since > 0 ? lastPid() : undefined;
  if (last !== undefined && last >= since && last - since < PROBE_MAX) return probeProcs(since, last);
  const from = last !== undefined && last >= since ? since : 0;
  const out: ProcEntry[] = [];
  for (const pid of listPids()) {
    if (pid < from) continue;
    const entry = readProc(pid);
    if (entry !== undefined) out.push(entry);
  }
  return out;
}

/**
 * The pids /proc lists (an empty list where there is none). The listing, not a guess from the pid
 * range: /proc/<tid> of a thread reads like a process too.
 */
export function listPids(): number[] {
  if (!HAS_PROC) return [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(name));
  }
  return out;
}

/** The processes among pids `from` to `to`, each read on its own (threads skipped): listProcs's way for a short range. */
export function probeProcs(from: number, to: number): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (let pid = from; pid <= to; pid++) {
    const text = readStat(pid);
    if (text === undefined || isThreadStat(text)) continue;
    const entry = parseStat(pid, text);
    if (entry !== undefined) out.push(entry);
  }
  return out;
}

/** The last pid the kernel handed out in this pid namespace, or undefined. */
export function lastPid(): number | undefined {
  if (!HAS_PROC) return undefined;
  const n = readSmall('/proc/sys/kernel/ns_last_pid');
  if (n <= 0) return undefined;
  const pid = Number(buffer.toString('latin1', 0, n).trim());
  return Number.isInteger(pid) ? pid : undefined;
}

/** True for the state of a process that is dead but not yet reaped (it holds nothing any more). */
export const isZombie = (state: string): boolean => state === 'Z' || state === 'X';

/** True while `pid` is a live process (a zombie is not); on other systems, while it can be signalled. */
export function isRunning(pid: number): boolean {
  if (HAS_PROC) {
    const entry = readProc(pid);
    return entry !== undefined && !isZombie(entry.state);
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * True when the environment of `pid` holds the entry `NAME=value` (`entry`), or, with `prefix`,
 * an entry that starts with `entry`.
 */
export function environHas(pid: number, entry: string, prefix = false): boolean {
  const environ = readEnviron(pid);
  return environ !== undefined && environHolds(environ, entry, prefix);
}

/** /proc/PID/environ (NUL-separated entries), or undefined when it cannot be read. */
export function readEnviron(pid: number): Buffer | undefined {
  if (!HAS_PROC) return undefined;
  try {
    return readFileSync(`/proc/${pid}/environ`);
  } catch {
    return undefined;
  }
}

/** Whether an environment as /proc gives it holds the entry `entry` (with `prefix`: one that starts with it). Pure. */
export function environHolds(environ: Buffer, entry: string, prefix = false): boolean {
  const needle = Buffer.from(prefix ? entry : `${entry}\0`, 'latin1');
  for (let at = environ.indexOf(needle); at >= 0; at = environ.indexOf(needle, at + 1)) {
    if (at === 0 || environ[at - 1] === 0) return true;
  }
  return false;
}

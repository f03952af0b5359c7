/**
 * The process harness shared by the tests and the benchmarks: start real processes tagged with a
 * per-run marker in their environment (it survives re-spawns, so grandchildren carry it too), read
 * their state from /proc, wait for conditions with deadlines, and stop whatever is left by pid.
 * Nothing here knows about node:test; a test file's `after(cleanup)` lives in ./fixtures.
 *
 * Whose a process is: a live process is ours when its environment holds this run's tag. One whose
 * environment cannot be read is not silently taken as "not ours" (a leak would go unseen). It is
 * not ours when it cannot be: a kernel thread, a process that started before this one (a sandbox's
 * init that even root may not read), or another user's while this run is not root (a run starts
 * processes as another user only as root). Any other unreadable environment is an error that
 * names the pid.
 */
import { type ChildProcess, type SpawnOptions, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment variable that marks every process a run started, directly or not. */
export const TAG_VAR = 'XDAEMON_TEST_TAG';
/** This run's tag (one per importing process: a test file, or a benchmark run). */
export const TAG = randomUUID();
const TAG_ENTRY = `${TAG_VAR}=${TAG}`;

/**
 * The environment for a child: this process's, less anything that would change what is measured
 * or tested (our own markers, NODE_OPTIONS, the test runner's context, DEBUG), plus the tag and
 * `extra` (an `undefined` value in `extra` removes the variable).
 */
export function taggedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NODE_TEST_CONTEXT', 'NODE_OPTIONS', 'XW_DAEMON_IDX', 'DEBUG']) delete env[name];
  Object.assign(env, { [TAG_VAR]: TAG }, extra);
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

/** A loopback TCP port nothing listens on now (the kernel's choice for port 0). */
export async function freePort(): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require('node:net') as typeof import('node:net');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Blocks the thread for `ms` (for synchronous clean-up on exit only). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// ---------------------------------------------------------------------------------------------
// /proc

/** Fields of /proc/PID/stat. */
export interface ProcStat {
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** The kernel's PF_* flags (PF_KTHREAD: 0x00200000). */
  flags: number;
  /** Clock ticks spent in user and system mode, and by waited-for children. */
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  /** Clock ticks after boot at which the process started. */
  starttime: number;
}

/** Parsed /proc/PID/stat, or undefined when there is no such process. */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp session ..." — comm may hold spaces and parentheses.
  const f = text.slice(text.lastIndexOf(')') + 2).trim().split(' ');
  const num = (i: number): number => Number(f[i]);
  return {
    state: f[0] ?? '?',
    ppid: num(1),
    pgrp: num(2),
    session: num(3),
    flags: num(6),
    utime: num(11),
    stime: num(12),
    cutime: num(13),
    cstime: num(14),
    starttime: num(19),
  };
}

/** The state letter of a process, or undefined when it does not exist. */
export function procState(pid: number): string | undefined {
  return procStat(pid)?.state;
}

/** True when the process is gone: absent, or a zombie that nobody has reaped yet. */
export function isGone(pid: number): boolean {
  const state = procState(pid);
  return state === undefined || state === 'Z' || state === 'X';
}

/**
 * The environment of live process `pid` as /proc has it ('\0'-separated), or undefined when it is
 * gone or cannot be one of ours (see the module's header); throws when it cannot be read otherwise.
 */
function environOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const stat = procStat(pid);
    if (code === 'ENOENT' || code === 'ESRCH' || stat === undefined || isGone(pid)) return undefined;
    if ((stat.flags & PF_KTHREAD) !== 0 || stat.starttime < ownStart()) return undefined;
    const uid = statusField(pid, 'Uid');
    if ((code === 'EACCES' || code === 'EPERM') && process.getuid?.() !== 0 && uid !== undefined && uid !== process.getuid?.()) return undefined;
    throw new Error(`cannot read the environment of pid ${pid} (${code ?? String(err)}): cannot tell whether it is one of this run's processes`);
  }
}

const PF_KTHREAD = 0x00200000;
let ownStartTicks: number | undefined;
/** This process's start time in clock ticks after boot: no process started before it is ours. */
function ownStart(): number {
  ownStartTicks ??= procStat(process.pid)?.starttime ?? 0;
  return ownStartTicks;
}

/** True when `pid` is alive and carries this run's tag (so a recycled pid is never touched). */
export function isOurs(pid: number): boolean {
  if (pid === process.pid || isGone(pid)) return false;
  return environOf(pid)?.split('\0').includes(TAG_ENTRY) ?? false;
}

/** Pids of the live processes that carry this run's tag. */
export function taggedPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (isOurs(pid)) pids.push(pid);
  }
  return pids;
}

/** Clock ticks per second of /proc's times (utime, stime, starttime): `getconf CLK_TCK`, read once. */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticksPerSecond = Number.isFinite(n) && n > 0 ? n : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}
let ticksPerSecond: number | undefined;

/** A numeric field of /proc/PID/status (kB for the Vm* fields; the real id of Uid and Gid), or undefined. */
export function statusField(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resident set size in kB, or undefined. */
export function rssKb(pid: number): number | undefined {
  return statusField(pid, 'VmRSS');
}

/**
 * Unique set size in kB (private pages: what the process costs beyond the pages it shares with
 * other processes, such as the node binary's), from /proc/PID/smaps_rollup; undefined if unreadable.
 */
export function ussKb(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return undefined;
  }
  let total = 0;
  let seen = false;
  for (const m of text.matchAll(/^Private_(?:Clean|Dirty|Hugetlb):\s+(\d+) kB/gm)) {
    total += Number(m[1]);
    seen = true;
  }
  return seen ? total : undefined;
}

// ---------------------------------------------------------------------------------------------
// Waiting

/** Thrown by a probe to end a {@link waitFor} at once (what it waits on can no longer happen). */
export class WaitAborted extends Error {
  override name = 'WaitAborted';
}

/** What a probe of {@link waitFor} says: a value (done), or undefined or false (not yet); or a promise of that. */
export type Probe<T> = () => T | undefined | false | PromiseLike<T | undefined | false>;

/**
 * Polls `probe` until it gives a value other than undefined/false, or throws after `timeout` ms.
 * An async probe is awaited before the next poll. A probe that throws means "not yet" (a file read
 * while a rotation renames it, a line half written): the wait goes on and the last error is in the
 * timeout's message. A probe that knows the wait is over for good throws {@link WaitAborted}.
 */
export async function waitFor<T>(what: string, probe: Probe<T>, timeout = 15_000, interval = 25): Promise<T> {
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      if (err instanceof WaitAborted) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const last = lastError === undefined ? '' : ` (the probe last threw: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last}`);
    }
    await sleep(interval);
  }
}

/** Waits until `pid` is gone. */
export function waitGone(pid: number, timeout = 10_000): Promise<true> {
  return waitFor(`pid ${pid} to be gone`, () => isGone(pid), timeout);
}

/**
 * Waits until every pid in `pids` is gone. A pid may have been reused by an unrelated process, so a
 * live pid that does not carry our tag counts as gone too.
 */
export async function waitAllGone(pids: Iterable<number>, timeout = 10_000): Promise<void> {
  const list = [...new Set(pids)];
  await waitFor(`pids to be gone: ${list.filter(isOurs).join(', ')}`, () => list.every((pid) => !isOurs(pid)), timeout);
}

/** Waits until no tagged process is alive (detached ones a test started finish by themselves). */
export function waitNoTagged(timeout = 10_000): Promise<true> {
  return waitFor('all tagged processes to end', () => taggedPids().length === 0, timeout);
}

/** `promise`, or a rejection after `timeout` ms (the timer is cleared either way). */
export async function withTimeout<T>(promise: Promise<T>, timeout: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms waiting for ${what}`)), timeout);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Starting

/** How a started process ended, with everything it printed. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
  /** Milliseconds from just before spawn() to the 'exit' event. */
  ms: number;
}

/** A started process whose output is being collected. */
export interface Proc {
  child: ChildProcess;
  pid: number;
  /** Output so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves once the process has exited and its output is closed. */
  done: Promise<Exit>;
}

export interface StartOptions {
  /** Added to (or, with undefined values, removed from) the tagged environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** stdin: ignored unless 'pipe'. */
  stdin?: 'ignore' | 'pipe';
}

/** Starts `file args` tagged, with stdout and stderr collected. */
export function start(file: string, args: readonly string[], options: StartOptions = {}): Proc {
  const spawnOptions: SpawnOptions = {
    env: taggedEnv(options.env),
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  };
  const started = process.hrtime.bigint();
  const child = spawn(file, [...args], spawnOptions);
  let exitedAt = 0n;
  child.once('exit', () => {
    exitedAt = process.hrtime.bigint();
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, sig) => {
      resolve({ code, signal: sig, stdout, stderr, pid: child.pid ?? -1, ms: Number(exitedAt - started) / 1e6 });
    });
  });
  // A late 'error' after a timeout must not become an unhandled rejection.
  done.catch(() => undefined);
  return {
    child,
    pid: child.pid ?? -1,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    done,
  };
}

/** Runs `file args` to its end; SIGKILLs it and rejects after `timeout` ms. */
export async function runToEnd(file: string, args: readonly string[], options: StartOptions & { timeout?: number } = {}): Promise<Exit> {
  const proc = start(file, args, options);
  const timeout = options.timeout ?? 20_000;
  try {
    return await withTimeout(proc.done, timeout, `${file} ${args.join(' ')} to exit`);
  } catch (err) {
    // By the child's handle: once it has exited (and been reaped) its pid may be another process's.
    proc.child.kill('SIGKILL');
    throw new Error(`${err instanceof Error ? err.message : String(err)}; pid ${proc.pid}; stderr: ${proc.stderr.trim()}`);
  }
}

/** Waits until the process's stdout has a line starting with `prefix` and a space; returns the rest. */
export function waitLine(proc: Proc, prefix: string, timeout = 15_000): Promise<string> {
  return waitFor(
    `"${prefix}" from pid ${proc.pid}`,
    () => {
      const line = proc.stdout.split('\n').find((l) => l.startsWith(`${prefix} `));
      if (line !== undefined) return line.slice(prefix.length + 1);
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
        throw new WaitAborted(`pid ${proc.pid} exited before "${prefix}"; stderr: ${proc.stderr.trim()}`);
      }
      return undefined;
    },
    timeout,
    10,
  );
}

// ---------------------------------------------------------------------------------------------
// Stopping

/** Sends a signal to a pid, ignoring a process that is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
}

/** Sends `sig` to `pid` and to the process group it leads, only if the process is ours. */
export function signalOurs(pid: number, sig: NodeJS.Signals): void {
  if (!isOurs(pid)) return;
  if (procStat(pid)?.pgrp === pid) signal(-pid, sig);
  signal(pid, sig);
}

/**
 * Stops every tagged process still alive, and `known` pids that are ours: SIGTERM (process groups
 * included), SIGKILL after `grace` ms. Synchronous, so that it also works in an exit handler.
 * Returns the pids that were alive.
 */
export function stopTagged(known: Iterable<number> = [], grace = 3000): number[] {
  const alive = [...new Set([...known].filter(isOurs).concat(taggedPids()))];
  if (alive.length === 0) return [];
  for (const pid of alive) signalOurs(pid, 'SIGTERM');
  const deadline = Date.now() + grace;
  while (Date.now() < deadline && alive.some((pid) => !isGone(pid))) sleepSync(20);
  for (const pid of [...alive, ...taggedPids()]) signalOurs(pid, 'SIGKILL');
  const end = Date.now() + 2000;
  while (Date.now() < end && taggedPids().length > 0) sleepSync(20);
  return alive;
}

// ---------------------------------------------------------------------------------------------
// Temporary folders

/**
 * A prefix for the temporary folders of this process: `xdaemon-KIND-PID.START-` (START: its start
 * time in clock ticks after boot), so that {@link sweepTempDirs} can tell whose a folder is.
 */
export function tempPrefix(kind: string): string {
  return join(tmpdir(), `xdaemon-${kind}-${process.pid}.${procStat(process.pid)?.starttime ?? 0}-`);
}

/**
 * Removes the temporary folders of `kind` (made with {@link tempPrefix}) whose process has ended
 * without removing them (a run that crashed or was killed); a live run's folders are left alone.
 * Returns the folders removed.
 */
export function sweepTempDirs(kind: string): string[] {
  const pattern = new RegExp(`^xdaemon-${kind}-(\\d+)\\.(\\d+)-`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (m === null) continue;
    const owner = procStat(Number(m[1]));
    if (owner !== undefined && owner.state !== 'Z' && owner.starttime === Number(m[2])) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------
// More /proc probes (descriptors, signal handlers, zombies)

/** Number of open descriptors of `pid`. */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** What each descriptor of `pid` points at (for failure messages). */
export function fdTargets(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return `${fd} -> ${readlinkSync(`/proc/${pid}/fd/${fd}`)}`;
    } catch {
      return `${fd} -> (closed)`;
    }
  });
}

/** True when `pid` has a handler installed for signal number `signo` (SigCgt in /proc/PID/status). */
export function catchesSignal(pid: number, signo: number): boolean {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return false;
  }
  const m = /^SigCgt:\s+([0-9a-f]+)/m.exec(text);
  return m !== null && (BigInt(`0x${m[1]}`) & (1n << BigInt(signo - 1))) !== 0n;
}

/** Pids of the children of `pid`'s main thread (Node spawns from it), from /proc; none when it is gone. */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * The spare (prewarm) of supervisor `spid`: its child booted from xdaemon's dist/spare.js that is
 * none of `workers` (a worker that was a spare keeps that command line), if there is one.
 */
export function spareOf(spid: number, workers: readonly number[] = []): number | undefined {
  return childPids(spid).find((pid) => {
    if (workers.includes(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((a) => a.endsWith('/dist/spare.js'));
    } catch {
      return false;
    }
  });
}

/** Pids of zombies whose parent is `ppid`. */
export function zombieChildren(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = procStat(Number(name));
    if (st !== undefined && st.state === 'Z' && st.ppid === ppid) out.push(Number(name));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Stopping and waiting (appended for the benchmarks; tests may use it the same way)

/**
 * Stops a process and whatever it takes down with it: SIGTERM to the first of `pids` (and to the
 * group it leads; only if it is ours), then waits until every pid in `pids` is gone. After `timeout`
 * ms, SIGKILLs those still alive and rethrows the timeout.
 */
export async function stopAndWait(pids: readonly number[], timeout = 15_000): Promise<void> {
  const [first] = pids;
  if (first !== undefined) signalOurs(first, 'SIGTERM');
  try {
    await waitAllGone(pids, timeout);
  } catch (err) {
    for (const pid of pids) signalOurs(pid, 'SIGKILL');
    throw err;
  }
}

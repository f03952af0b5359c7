/**
 * The group guard: what ends a worker's process group when its supervisor dies by a SIGKILL (which
 * runs none of the supervisor's code; the OOM killer does this), for every worker under killMode
 * 'group': Node or not, with the library loaded or not, fresh or made from the spare. A worker
 * cannot be relied on to notice by itself (a program that does not load xdaemon has no orphan
 * watch), and the kernel's parent-death signal (../process/parent-death) reaches one process only —
 * the kernel clears it in every child the command forks — so what a worker started would run on
 * until a later stop or start finds it by its tree token. One small watcher per supervisor does it instead: `/bin/sh`
 * running the script of ./group-guard-script, in its own session, not tagged with any worker's tree
 * token (a worker's stop never takes it for part of a tree), its stdin a pipe from the supervisor,
 * which writes `+PGID` as a worker (the leader of its group: pgid = pid) starts and `-PGID` once
 * that worker's exit and its clean-up are done. When the supervisor dies, the pipe's end of file
 * tells the watcher, which stops the groups still listed; on the supervisor's own end the watcher
 * is killed first, so nothing lingers.
 *
 * Reuse of a pgid: Linux does not hand out a pid again while any process of the group that has it
 * as pgid still lives (the group holds a reference to its struct pid), so a listed pgid names that
 * group as long as one of its processes runs. Only once the group is empty, and until its `-PGID`
 * is written (a worker's clean-up, milliseconds), could a newly started process get that number as
 * its pgid — and only one that leads a group of its own; the counting of ./group-guard-script keeps
 * our own next worker with that pid listed.
 *
 * It works per worker tree (each worker's group is listed and struck off on its own), so that a
 * process that hosts several supervisors needs nothing else. Started lazily, with the first worker
 * under killMode 'group' (POSIX: a shell is needed): under killMode 'process' (Go's) what a worker
 * started lives on by design, and the worker itself gets the parent-death signal instead. Its
 * cost: one idle dash (~1.6 MB RSS, ~120 kB of it its own) per supervisor, one write of a few bytes
 * per start and exit.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { GUARD_SCRIPT, GuardedGroups, SWEEP_ENV } from './group-guard-script.js';
import { TREE_ENV } from './tree-token.js';

/** The sweep's entry, beside the supervisor's bundle (scripts/build.mjs). */
export const SWEEP_ENTRY = 'tree-sweep.js';

/** What the guard's sweep (./tree-sweep) stops: the processes that carry `prefix`, started since `since`. */
export interface SweepSpec {
  /** The supervisor's tree prefix (`XDAEMON_TREE=<id>.`). */
  prefix: string;
  /** The supervisor's start time, in clock ticks since boot (/proc/PID/stat). */
  since: number;
}

/** Where the watcher's shell is. */
const SHELL = '/bin/sh';

/**
 * The variable the script reaches the shell in: `ps` then shows a short command line that says
 * what the process is (`/bin/sh -c eval "$XDAEMON_GUARD_SCRIPT" xdaemon-group-guard`), not twenty
 * lines of shell that `pgrep -f sleep` would match.
 */
const SCRIPT_ENV = 'XDAEMON_GUARD_SCRIPT';

/** How long the end of supervision waits for the watcher's exit at most (it was sent SIGKILL). */
const CLOSE_WAIT_MS = 1000;

/** The watcher's `$0`, by which `ps` and `pgrep -f` tell it. */
export const GUARD_NAME = 'xdaemon-group-guard';

/** One supervisor's watcher of its workers' process groups (see the module comment). */
export class GroupGuard {
  private readonly groups = new GuardedGroups();
  private watcher: ChildProcess | undefined;
  private closed = false;

  /** `sweep`: what left the groups is stopped by its tree token too (Linux: /proc) when the supervisor dies. */
  constructor(private readonly sweep?: SweepSpec) {}

  /** The watcher's pid, while it runs. */
  get pid(): number | undefined {
    return this.watcher?.pid;
  }

  /** Guards the process group `pgid` (a worker that leads it has started); starts the watcher if needed. */
  add(pgid: number): void {
    if (this.closed || process.platform === 'win32') return;
    const line = this.groups.add(pgid);
    if (this.watcher === undefined) this.spawn();
    else if (line !== undefined) this.write(line);
  }

  /** Stops guarding `pgid` (its worker's exit and its clean-up are done). */
  remove(pgid: number): void {
    const line = this.groups.remove(pgid);
    if (line !== undefined && this.watcher !== undefined) this.write(line);
  }

  /**
   * The supervisor ends in order: the watcher goes, without acting on anything. Returns, when one
   * ran, a promise that resolves once it is gone (or {@link CLOSE_WAIT_MS} later), so that the end
   * of supervision leaves no process behind, even for a moment.
   */
  close(): Promise<void> | undefined {
    this.closed = true;
    const watcher = this.watcher;
    this.watcher = undefined;
    if (watcher === undefined) return undefined;
    // Until it is gone, it keeps this process alive (bounded): its exit is what is waited for.
    watcher.ref();
    const gone = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_WAIT_MS);
      watcher.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    // SIGKILL before the end of file: a watcher woken by the end of file first would act on what
    // is still listed (a `-PGID` may be a few microtasks away) and fork its `sleep`, which the
    // SIGKILL would then orphan. With SIGKILL pending it never returns from its read.
    if (watcher.exitCode === null && watcher.signalCode === null) watcher.kill('SIGKILL');
    watcher.stdin?.destroy();
    return gone;
  }

  private spawn(): void {
    // Loaded here: a supervisor of Node workers never needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    let watcher: ChildProcess;
    try {
      // The supervisor's own environment (not a worker's: no tree token), in its own session, so
      // that a signal to the supervisor's group or a terminal's hangup does not end it too.
      // The prefix without its name: the guard carries no entry that reads as a tree token.
      const sweep = this.sweep === undefined ? [] : [process.execPath, join(__dirname, SWEEP_ENTRY), this.sweep.prefix.slice(TREE_ENV.length + 1), String(this.sweep.since)];
      watcher = spawn(SHELL, ['-c', `eval "$${SCRIPT_ENV}"`, GUARD_NAME], {
        cwd: '/',
        env: { ...process.env, [SCRIPT_ENV]: GUARD_SCRIPT, ...Object.fromEntries(sweep.map((value, i) => [SWEEP_ENV[i], value])) },
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
      });
    } catch {
      return; // No shell: the tree token is all there is.
    }
    watcher.once('error', () => this.lost(watcher));
    watcher.once('exit', () => this.lost(watcher));
    if (watcher.pid === undefined || watcher.stdin === null) return;
    watcher.stdin.on('error', () => this.lost(watcher));
    // Neither keeps the event loop of a library user's process alive.
    watcher.unref();
    (watcher.stdin as Socket).unref();
    this.watcher = watcher;
    this.write(this.groups.lines());
  }

  /** The watcher died (someone killed it): the next start spawns another, told every listed group. */
  private lost(watcher: ChildProcess): void {
    if (this.watcher === watcher) this.watcher = undefined;
  }

  private write(text: string): void {
    if (text !== '') this.watcher?.stdin?.write(text);
  }
}

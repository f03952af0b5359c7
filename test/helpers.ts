/**
 * Test helpers: run fixtures as real processes, poll with deadlines, and make sure no process a
 * test caused outlives it. Every process a test starts carries XDAEMON_TEST_TAG in its
 * environment (it survives re-spawns), so strays are found by scanning /proc, grandchildren too.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
export const FIXTURES = join(__dirname, 'fixtures');
export const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** One tag per test file; every process started through these helpers carries it. */
export const TAG = randomUUID();
const TAG_VAR = 'XDAEMON_TEST_TAG';

/** The environment for a fixture: this process's, plus the tag, less anything of ours. */
export function fixtureEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  delete env.NODE_OPTIONS;
  delete env.XW_DAEMON_IDX;
  Object.assign(env, { [TAG_VAR]: TAG }, extra);
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Node flags before the script. */
  nodeArgs?: string[];
  /** Executable instead of node (e.g. tsx). */
  command?: string;
  timeout?: number;
  uid?: number;
  gid?: number;
}

/**
 * Runs `node [nodeArgs] script args` to its end and collects its output. With a `uid` other than
 * ours, the script runs from a world-readable staged copy (see {@link stageForOtherUser}).
 */
export function run(script: string, args: string[] = [], options: RunOptions = {}): Promise<RunResult> {
  const file = options.command ?? process.execPath;
  const otherUser = options.uid !== undefined && options.uid !== process.getuid?.();
  const staged = otherUser ? stageForOtherUser(script) : undefined;
  const child = spawn(file, [...(options.nodeArgs ?? []), staged ?? script, ...args], {
    cwd: options.cwd ?? (staged === undefined ? ROOT : resolve(staged, '..')),
    env: fixtureEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
  return collect(child, options.timeout ?? 20_000);
}

/**
 * Copies `script` and the built package (package.json and dist/, no dependencies: enough for the
 * paths that fail before spawning) into a fresh world-readable folder, so that another user can
 * run it even when this checkout is private (a clone in a 0700 temp dir, say). Returns the copy.
 */
function stageForOtherUser(script: string): string {
  const dir = tempDir();
  const pkg = join(dir, 'node_modules', 'xdaemon');
  mkdirSync(pkg, { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
  const copy = join(dir, basename(script));
  copyFileSync(script, copy);
  for (const path of [dir, join(dir, 'node_modules'), pkg, join(pkg, 'dist')]) chmodSync(path, 0o755);
  return copy;
}

/** Collects a child's output until it exits; kills it and fails after `timeout` ms. */
export function collect(child: ChildProcess, timeout: number): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`process ${child.pid} did not exit within ${timeout} ms; stderr: ${stderr}`));
    }, timeout);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, pid: child.pid ?? -1 });
    });
  });
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeout` ms. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeout = 15_000,
  interval = 25,
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** A fresh temporary directory, removed by {@link cleanup}. */
const dirs: string[] = [];
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xdaemon-test-'));
  dirs.push(dir);
  return dir;
}

/** The text of a file, or '' when it does not exist yet. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Parses the `TAG {json}` lines fixtures print. */
export function records<T = Record<string, unknown>>(text: string, tag: string): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(`${tag} `)) out.push(JSON.parse(line.slice(tag.length + 1)) as T);
  }
  return out;
}

/** Lines of `text` that match `re`. */
export function matching(text: string, re: RegExp): string[] {
  return text.split('\n').filter((l) => re.test(l));
}

/** The state letter of a process from /proc/PID/stat, or undefined when it does not exist. */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** True when the process is gone (absent, or a zombie nobody has reaped yet). */
export function isGone(pid: number): boolean {
  const state = procState(pid);
  return state === undefined || state === 'Z' || state === 'X';
}

/** Waits until `pid` is gone. */
export function waitGone(pid: number, timeout = 10_000): Promise<true> {
  return waitFor(`pid ${pid} to be gone`, () => isGone(pid), timeout);
}

/** Pids of live (non-zombie) processes whose environment carries this file's tag. */
export function taggedPids(tag = TAG): number[] {
  const needle = `${TAG_VAR}=${tag}`;
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (environ.split('\0').includes(needle) && !isGone(pid)) pids.push(pid);
  }
  return pids;
}

/**
 * Kills every process this file caused that is still alive and fails if there was any: call it
 * in `after()`. Removes the temporary directories too.
 */
export async function cleanup(): Promise<void> {
  const strays = taggedPids();
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  for (const dir of dirs.splice(0)) if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  if (strays.length > 0) {
    const names = strays.map((pid) => `${pid}: ${readText(`/proc/${pid}/cmdline`).replace(/\0/g, ' ')}`);
    throw new Error(`stray processes outlived the tests (now killed):\n${names.join('\n')}`);
  }
}

/** Waits until no tagged process is alive (the detached ones a test started finish by themselves). */
export function waitNoTagged(timeout = 10_000): Promise<true> {
  return waitFor('all tagged processes to end', () => taggedPids().length === 0, timeout);
}

/** Sends a signal to a pid, ignoring a process that is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
}

/** The supervisor pid the launcher names on stderr (`xdaemon: [PID] started supervisor SPID`). */
export function supervisorPid(stderr: string): number {
  const m = /^xdaemon: \[\d+\] started supervisor (\d+)/m.exec(stderr);
  assert.ok(m, `no "started supervisor" line in: ${stderr}`);
  return Number(m[1]);
}

/**
 * What the tests share beyond the process harness: where fixtures live, running a fixture script
 * the way a user would (optionally as another user), temporary directories, reading the records
 * fixtures print, and the after-hook that fails a file whose processes outlived it.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { type Exit, isOurs, runToEnd, signalOurs, stopAndWait, sweepTempDirs, taggedPids, tempPrefix, waitAllGone } from './harness';

export const ROOT = resolve(__dirname, '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** How a fixture run ended. */
export type RunResult = Exit;

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
  return runToEnd(file, [...(options.nodeArgs ?? []), staged ?? script, ...args], {
    cwd: options.cwd ?? (staged === undefined ? ROOT : resolve(staged, '..')),
    timeout: options.timeout ?? 20_000,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid }),
  });
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

const dirs: string[] = [];
let swept = false;
/**
 * A fresh temporary directory, removed by {@link cleanup}. Its name says which test process made
 * it; the first call of a process removes the folders of test processes that ended without their
 * cleanup (a crashed or killed run).
 */
export function tempDir(): string {
  if (!swept) {
    swept = true;
    sweepTempDirs('test');
  }
  const dir = mkdtempSync(tempPrefix('test'));
  dirs.push(dir);
  return dir;
}

/** The text of a regular file, or '' when it does not exist (yet) or is a device (/dev/full reads forever). */
export function readText(file: string): string {
  try {
    return statSync(file).isFile() ? readFileSync(file, 'utf8') : '';
  } catch {
    return '';
  }
}

/** The time prefix piped mode with timestamps puts before a worker's line. */
const TIME_PREFIX = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (?:out|err) /;

/** Parses the `TAG {json}` lines fixtures print (also behind a piped-mode time prefix). */
export function records<T = Record<string, unknown>>(text: string, tag: string): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(TIME_PREFIX, '');
    if (!line.startsWith(`${tag} `)) return;
    const json = line.slice(tag.length + 1);
    // What follows the last newline may be a line still being written: taken only once it parses.
    if (i === lines.length - 1 && !parses(json)) return;
    out.push(JSON.parse(json) as T);
  });
  return out;
}

function parses(json: string): boolean {
  try {
    JSON.parse(json);
    return true;
  } catch {
    return false;
  }
}

/** Lines of `text` that match `re`. */
export function matching(text: string, re: RegExp): string[] {
  return text.split('\n').filter((l) => re.test(l));
}

/** The supervisor pid the launcher names on stderr (`xdaemon: [PID] started supervisor SPID`). */
export function supervisorPid(stderr: string): number {
  const m = /^xdaemon: \[\d+\] started supervisor (\d+)/m.exec(stderr);
  assert.ok(m, `no "started supervisor" line in: ${stderr}`);
  return Number(m[1]);
}

/**
 * Once the test ends, pass or fail, stops whichever of `pids()` still carry the run's tag (SIGTERM
 * to the first and the group it leads, SIGKILL after 10 s), so that a failed test leaves nothing
 * behind for the file's {@link cleanup} to report as well. Put the process that stops the others
 * (a supervisor) first.
 */
export function stopAfter(t: Pick<TestContext, 'after'>, pids: () => readonly number[]): void {
  t.after(async () => {
    const alive = pids().filter(isOurs);
    if (alive.length > 0) await stopAndWait(alive, 10_000).catch(() => undefined);
  });
}

/**
 * The after-hook of every test file: kills every process the file caused that is still alive,
 * waits until they are gone (a process still running could write into a directory being removed),
 * removes the temporary directories, and fails if any process had outlived the tests.
 */
export async function cleanup(): Promise<void> {
  const names: string[] = [];
  // What ends by itself a moment after the last test (a host after its last daemon's stop, a group
  // guard after its supervisor) is given that moment; what is still there after it is a stray.
  const settled = Date.now() + 2000;
  while (taggedPids().length > 0 && Date.now() < settled) await new Promise((resolve) => setTimeout(resolve, 50));
  // A second round for what a stray started as it was being killed (a supervisor's next worker).
  for (let round = 0; round < 3; round++) {
    const strays = taggedPids();
    if (strays.length === 0) break;
    names.push(...strays.map((pid) => `${pid}: ${readText(`/proc/${pid}/cmdline`).replace(/\0/g, ' ') || `(${readText(`/proc/${pid}/comm`).trim()})`}`));
    for (const pid of strays) signalOurs(pid, 'SIGKILL');
    await waitAllGone(strays, 10_000);
  }
  for (const dir of dirs.splice(0)) if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  if (names.length > 0) throw new Error(`stray processes outlived the tests (now killed):\n${names.join('\n')}`);
}

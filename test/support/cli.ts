/**
 * Driving the built `xdaemon` command as a user does (`node dist/cli.js VERB …`) with a private
 * state directory per test, and reading what it reports: the supervisor pid `start` prints, the
 * JSON of `status --json`. Every daemon a test starts is stopped by the test's after-hook, through
 * the CLI itself, and whatever survives is then caught by the file's `after(cleanup)`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { FIXTURES, ROOT, tempDir } from './fixtures';
import { type Exit, type Proc, runToEnd, start, waitFor } from './harness';

/** The command, as the package's bin points to it. */
export const CLI = join(ROOT, 'dist', 'cli.js');
/** A worker that prints `WORKER {pid}` and a line every W_TICK ms (default: none) and runs until stopped. */
export const WORKER = join(FIXTURES, 'cli-worker.cjs');

/** A state directory for one test: `<temp>/state`, not created (the CLI creates it). */
export interface Home {
  dir: string;
  env: NodeJS.ProcessEnv;
}

/**
 * A fresh XDAEMON_HOME; with `t`, every daemon in it is stopped once the test ends (pass or fail).
 */
export function newHome(t?: TestContext, env: NodeJS.ProcessEnv = {}): Home {
  const dir = join(tempDir(), 'state');
  const home = { dir, env: { XDAEMON_HOME: dir, ...env } };
  t?.after(async () => {
    await xd(home, ['stop', '--all', '--timeout', '10000']);
  });
  return home;
}

/** Runs `xdaemon args…` to its end. */
export function xd(home: Home, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeout?: number } = {}): Promise<Exit> {
  return runToEnd(process.execPath, [CLI, ...args], {
    env: { ...home.env, ...options.env },
    cwd: options.cwd ?? ROOT,
    timeout: options.timeout ?? 30_000,
  });
}

/** Starts `xdaemon args…` and returns it running (for `run` and `logs -f`). */
export function xdStart(home: Home, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Proc {
  return start(process.execPath, [CLI, ...args], { env: { ...home.env, ...options.env }, cwd: options.cwd ?? ROOT });
}

/** Asserts an exit code, showing the output when it differs. */
export function assertCode(exit: Exit, code: number, what = ''): void {
  assert.equal(exit.code, code, `${what} exit ${exit.code}\nstdout: ${exit.stdout}\nstderr: ${exit.stderr}`);
}

/**
 * `xdaemon start …` that must succeed; returns the supervisor's pid from `started NAME: supervisor
 * PID, …` (a hosted daemon's: its host's).
 */
export async function startDaemon(home: Home, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<number> {
  const exit = await xd(home, ['start', ...args], options);
  assertCode(exit, 0, `xdaemon start ${args.join(' ')}:`);
  const m = /^started (\S+): supervisor (\d+), log /m.exec(exit.stdout);
  assert.ok(m, `no "started" line in ${exit.stdout}`);
  return Number(m[2]);
}

/** What `status --json NAME` prints (the library's status plus name). */
export interface StatusJson {
  name: string;
  state: 'running' | 'restarting' | 'stopped' | 'errored' | 'dead';
  /** The supervising process: the daemon's own supervisor, or its host (`host`). */
  pid?: number;
  /** A hosted daemon's host. */
  host?: { pid: number; pidFile: string };
  /** When its supervision began (a new one: a new supervisor, hosted or not). */
  startedAt?: string;
  workerPid?: number;
  starts: number;
  restarts: number;
  errors: number;
  command: string[];
  logFile: string;
  pidFile: string;
  service?: unknown;
}

/** `status --json NAME` and its exit code; an unknown name (exit 4, nothing on stdout) fails. */
export async function statusOf(home: Home, name: string): Promise<{ code: number | null; status: StatusJson }> {
  const exit = await xd(home, ['status', '--json', name]);
  assert.notEqual(exit.code, 4, `status ${name}: ${exit.stderr}`);
  return { code: exit.code, status: JSON.parse(exit.stdout) as StatusJson };
}

/** Polls the async `probe` until it returns a value, or throws after `timeout` ms: {@link waitFor}, which awaits each poll, every 50 ms. */
export function waitForAsync<T>(what: string, probe: () => Promise<T | undefined>, timeout = 15_000, interval = 50): Promise<T> {
  return waitFor(what, probe, timeout, interval);
}

/** Waits until NAME's worker runs (its status names a worker pid, other than `not`); returns the status. */
export function workerRunning(home: Home, name: string, not?: number): Promise<StatusJson> {
  return waitForAsync(`a worker of ${name}${not === undefined ? '' : ` other than ${not}`}`, async () => {
    const { status } = await statusOf(home, name);
    return status.workerPid !== undefined && status.workerPid !== not ? status : undefined;
  });
}

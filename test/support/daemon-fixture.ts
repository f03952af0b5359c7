/**
 * Driving test/fixtures/daemon.cjs (a program whose main script calls `Daemon.run()`): launch it
 * the way a user does, read the records its workers print and the supervisor's lines, and wait
 * for the supervisor and its workers to be gone.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { FIXTURES, type RunOptions, matching, readText, records, run, supervisorPid, tempDir } from './fixtures';
import { signalOurs, waitFor, waitGone } from './harness';

export const DAEMON = join(FIXTURES, 'daemon.cjs');

/** What the fixture's worker prints (`WORKER {json}`). */
export interface WorkerRecord {
  pid: number;
  ppid: number;
  marker: number;
  markerNow: string | null;
  argv: string[];
  grandchild?: number;
  detached?: number;
  orphan?: number;
}

/** A launched daemon: the supervisor's pid and the log it writes. */
export interface Launched {
  spid: number;
  log: string;
  stderr: string;
}

/** Every pid a log names as a worker or a worker's child. */
export function loggedPids(text: string): number[] {
  return records<WorkerRecord>(text, 'WORKER').flatMap((w) => [w.pid, w.grandchild, w.detached, w.orphan].filter((p): p is number => p !== undefined));
}

/**
 * Runs the fixture's launcher, which must exit 0 naming the supervisor. If the test fails before
 * it has stopped everything, the supervisor and the processes its log names are killed afterwards.
 */
export async function launch(
  t: TestContext,
  env: NodeJS.ProcessEnv,
  options: { cwd?: string; log?: string; args?: string[]; nodeArgs?: string[] } = {},
): Promise<Launched> {
  const log = options.log ?? join(tempDir(), 'daemon.log');
  const runOptions: RunOptions = { env: { D_LOG: log, ...env } };
  if (options.cwd !== undefined) runOptions.cwd = options.cwd;
  if (options.nodeArgs !== undefined) runOptions.nodeArgs = options.nodeArgs;
  const res = await run(DAEMON, options.args ?? [], runOptions);
  assert.equal(res.code, 0, `launcher: ${res.stderr}`);
  const spid = supervisorPid(res.stderr);
  t.after(() => {
    // Only what still carries the run's tag: a pid reused by now could be anything.
    for (const pid of [spid, ...loggedPids(readText(log))]) signalOurs(pid, 'SIGKILL');
  });
  return { spid, log, stderr: res.stderr };
}

/** The exit code the supervisor logged last (`supervisor exiting with code N`). */
export function loggedExitCode(text: string): number | undefined {
  const last = matching(text, /xdaemon\[\d+\] supervisor exiting with code \d+$/).at(-1);
  return last === undefined ? undefined : Number(/code (\d+)$/.exec(last)?.[1]);
}

/** Waits for the supervisor and every process its log names to be gone; returns the log and the exit code. */
export async function finished(d: Launched, timeout = 10_000): Promise<{ text: string; code: number | undefined }> {
  await waitGone(d.spid, timeout);
  const text = readText(d.log);
  for (const pid of loggedPids(text)) await waitGone(pid, timeout);
  return { text, code: loggedExitCode(text) };
}

/** Waits for the n-th WORKER record in `file` (the log by default). */
export function worker(d: Launched, n = 1, file = d.log): Promise<WorkerRecord> {
  return waitFor(`WORKER record #${n} in ${file}`, () => records<WorkerRecord>(readText(file), 'WORKER')[n - 1]);
}

/** Waits for a line of the log matching `re`. */
export function logLine(d: Launched, re: RegExp, timeout?: number): Promise<string> {
  return waitFor(`a line matching ${re} in ${d.log}`, () => matching(readText(d.log), re)[0], timeout);
}

/** D_FIELDS for the fixture. */
export const fields = (f: Record<string, unknown>): string => JSON.stringify(f);

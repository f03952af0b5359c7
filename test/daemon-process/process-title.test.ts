/**
 * What `ps` shows of a supervisor: `xdaemon supervisor: <command> <args…>` where that fits in its
 * original command line, else the original command line itself (Linux would cut the title, and
 * with it the worker's arguments). Either way `pgrep -f` finds the supervisor by its worker's
 * arguments. Short command lines: `node a.js x` (Daemon.run() in the foreground) and
 * `node cli.js run -- node /tmp/…/a.js x` (shorter than its title by the length of "xdaemon supervisor: " less "cli.js run -- ").
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, after, test } from 'node:test';
import { CLI } from '../support/cli';
import { ROOT, cleanup, tempDir } from '../support/fixtures';
import { type Proc, procStat, signal, signalOurs, start, waitFor, waitGone, withTimeout } from '../support/harness';

after(cleanup);

/** The command line of `pid` as `ps` and `pgrep -f` read it (NULs as spaces, padding dropped). */
function cmdline(pid: number): string {
  return spawnSync('cat', [`/proc/${pid}/cmdline`], { encoding: 'latin1' }).stdout.replace(/\0+$/, '').replace(/\0/g, ' ');
}

/** Pids `pgrep -f PATTERN` finds. */
function pgrep(pattern: string): number[] {
  const res = spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' });
  assert.ok(res.error === undefined, `pgrep: ${String(res.error)}`);
  return res.stdout.split('\n').filter((l) => l !== '').map(Number);
}

/** A directory with `a.js`, a worker that runs until stopped (calling Daemon.run() when asked). */
function scriptDir(daemon: boolean): string {
  const dir = tempDir();
  const head = daemon ? `new (require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))}).Daemon)('').run();\n` : '';
  writeFileSync(join(dir, 'a.js'), `${head}setInterval(() => {}, 1 << 30);\n`);
  return dir;
}

/** Starts `file args` as a supervisor; waits for its worker of `a.js x` (the title is set before it starts). */
async function supervisor(t: TestContext, file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Proc> {
  const proc = start(file, args, options);
  t.after(() => signalOurs(proc.pid, 'SIGKILL'));
  await waitFor('the worker of a.js x', () => pgrep('a\\.js x').some((pid) => procStat(pid)?.ppid === proc.pid));
  return proc;
}

async function stop(proc: Proc): Promise<void> {
  signal(proc.pid, 'SIGTERM');
  await withTimeout(proc.done, 15_000, 'the supervisor to exit');
  await waitGone(proc.pid);
}

test('Daemon.run() in the foreground as `node a.js x`: the command line stays whole, pgrep -f finds it', async (t) => {
  const dir = scriptDir(true);
  const proc = await supervisor(t, 'node', ['a.js', 'x'], { cwd: dir, env: { XW_DAEMON_IDX: '1' } });
  assert.equal(cmdline(proc.pid), 'node a.js x', 'not cut to "xdaemon sup"');
  assert.ok(pgrep('a\\.js x').includes(proc.pid), 'pgrep -f "a.js x" finds the supervisor');
  await stop(proc);
});

test('`node cli.js run -- node /tmp/…/a.js x`, too short for the title: the command line stays whole', async (t) => {
  const dir = scriptDir(false);
  const proc = await supervisor(t, 'node', ['cli.js', 'run', '--', 'node', join(dir, 'a.js'), 'x'], { cwd: join(ROOT, 'dist') });
  assert.match(cmdline(proc.pid), /^node cli\.js run -- node \S+a\.js x$/);
  assert.ok(pgrep('a\\.js x').includes(proc.pid));
  await stop(proc);
});

test('room enough: `xdaemon supervisor: node a.js x`', async (t) => {
  const dir = scriptDir(false);
  const proc = await supervisor(t, 'node', [CLI, 'run', '--', 'node', 'a.js', 'x'], { cwd: dir });
  assert.equal(cmdline(proc.pid), 'xdaemon supervisor: node a.js x');
  assert.ok(pgrep('a\\.js x').includes(proc.pid));
  await stop(proc);
});

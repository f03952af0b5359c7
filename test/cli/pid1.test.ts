/**
 * `xdaemon run` as a container's PID 1 (in a PID namespace of its own, as `docker run` makes one):
 * it prints one warning line saying that orphans will not be reaped and what to put in front (an
 * init); behind an init (here a shell that stays PID 1) it prints none. `xdaemon run FILE` as PID
 * 1 streams its apps' labelled lines, answers its probes and stops every app on SIGTERM. Needs `unshare` from
 * util-linux and the right to make a PID namespace (as root, or through a user namespace); where
 * neither is permitted the tests are skipped, saying why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI, WORKER, assertCode } from '../support/cli';
import { cleanup, tempDir } from '../support/fixtures';
import { childPids, freePort, isGone, runToEnd, signal, start, waitFor, withTimeout } from '../support/harness';

after(cleanup);

/** The unshare flags that make a PID namespace here, or why none can be made. */
function pidNamespace(): { flags: string[] } | { skip: string } {
  const base = ['--pid', '--fork', '--mount-proc', '--kill-child'];
  const tried: string[] = [];
  for (const flags of [base, ['--user', '--map-root-user', ...base]]) {
    const res = spawnSync('unshare', [...flags, 'true'], { encoding: 'utf8', timeout: 10_000 });
    if (res.status === 0) return { flags };
    tried.push(`unshare ${flags.join(' ')}: ${res.error?.message ?? (res.stderr.trim() || `exit ${res.status}`)}`);
  }
  return { skip: `no PID namespace can be made here (${tried.join('; ')})` };
}

const ns = pidNamespace();
if ('skip' in ns) console.log(`# skipping the PID 1 tests: ${ns.skip}`);
const WARNING = /xdaemon\[1\] warning: running as PID 1 without an init: orphans of the worker's tree will not be reaped .*docker run --init.*tini/;

test('run as PID 1: one warning line naming what to do', { skip: 'skip' in ns ? ns.skip : false }, async () => {
  const flags = 'flags' in ns ? ns.flags : [];
  const exit = await runToEnd('unshare', [...flags, process.execPath, CLI, 'run', '--max-count', '1', '--', 'true']);
  assertCode(exit, 0);
  assert.equal(exit.stderr.split('\n').filter((l) => WARNING.test(l)).length, 1, exit.stderr);
});

test('run behind an init (not PID 1): no warning', { skip: 'skip' in ns ? ns.skip : false }, async () => {
  const flags = 'flags' in ns ? ns.flags : [];
  // The shell stays PID 1 (a command follows), the supervisor is its child.
  const exit = await runToEnd('unshare', [...flags, 'sh', '-c', `"${process.execPath}" "${CLI}" run --max-count 1 -- true; exit $?`]);
  assertCode(exit, 0);
  assert.match(exit.stderr, /supervisor exiting with code 0/);
  assert.doesNotMatch(exit.stderr, /warning: running as PID 1/);
});

test('run FILE as PID 1: labelled lines, /readyz 503 then 200, SIGTERM stops every app, exit 0', { skip: 'skip' in ns ? ns.skip : false }, async () => {
  const flags = 'flags' in ns ? ns.flags : [];
  const dir = tempDir();
  const flag = join(dir, 'ready-now');
  const file = join(dir, 'xdaemon.config.json');
  const worker = (name: string, extra: Record<string, unknown>, env: Record<string, string> = {}): Record<string, unknown> => ({ name, command: process.execPath, args: [WORKER], env, ...extra });
  writeFileSync(file, JSON.stringify({ apps: [worker('web', { instances: 2, waitReady: 30_000 }, { W_READY_ON: flag }), worker('jobs', {})] }));
  const port = await freePort();
  const proc = start('unshare', [...flags, process.execPath, CLI, 'run', file, '--probe-listen', `127.0.0.1:${port}`]);
  const readyz = async (): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    return { status: res.status, body: await res.json() };
  };
  await waitFor('the labelled WORKER lines', () => ['web[0]', 'web[1]', 'jobs  '].every((label) => proc.stdout.includes(`${label} | WORKER `)));
  // The run process as this namespace sees it, and its workers.
  const [run] = childPids(proc.pid);
  assert.ok(run !== undefined, 'unshare forked the run process');
  const workers = childPids(run).filter((pid) => !/group-guard/.test(cmdline(pid)));
  assert.equal(workers.length, 3, `workers of the run process: ${workers.map(cmdline).join('; ')}`);
  assert.deepEqual(await readyz(), { status: 503, body: { ready: false, notReady: [{ app: 'web', why: 'instance 0 not ready yet' }] } });
  writeFileSync(flag, '');
  await waitFor('/readyz 200', async () => (await readyz()).status === 200);
  signal(run, 'SIGTERM');
  const exit = await withTimeout(proc.done, 15_000, 'run as PID 1 to exit');
  assertCode(exit, 0);
  assert.equal(exit.stderr.split('\n').filter((l) => WARNING.test(l)).length, 1, `one PID 1 warning: ${exit.stderr}`);
  assert.match(exit.stderr, /^web +\| \S+Z xdaemon\[1\] instance 1: worker exited: pid \d+ .*with signal SIGTERM/m);
  assert.match(exit.stderr, /^jobs +\| \S+Z xdaemon\[1\] stopped /m);
  assert.match(exit.stderr, /xdaemon\[1\] exiting with code 0\n$/);
  await waitFor('every worker gone', () => workers.every(isGone), 5000);
});

/** The command line of `pid` ('' once it is gone). */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

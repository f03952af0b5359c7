/**
 * `xdaemon run` as a container's PID 1 (in a PID namespace of its own, as `docker run` makes one):
 * it prints one warning line saying that orphans will not be reaped and what to put in front (an
 * init); behind an init (here a shell that stays PID 1) it prints none. Needs `unshare` from
 * util-linux and the right to make a PID namespace (as root, or through a user namespace); where
 * neither is permitted the tests are skipped, saying why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, test } from 'node:test';
import { CLI, assertCode } from '../support/cli';
import { cleanup } from '../support/fixtures';
import { runToEnd } from '../support/harness';

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

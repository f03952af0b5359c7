/**
 * The spare (`prewarm`): a worker that was a spare is indistinguishable from a fresh one for a CJS,
 * an ESM and a tsx entry; the policy counts as without it (the spare's wait never counts as run
 * time); a SIGKILLed supervisor leaves neither worker nor spare; a spare killed while it waits is
 * replaced; a log moved while it waits gets none of the new worker's output; non-Node commands are
 * refused.
 */
import assert from 'node:assert/strict';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { XDaemonError } from '../../src/errors';
import { newHome, xd } from '../support/cli';
import { DAEMON, type Launched, finished, loggedPids } from '../support/daemon-fixture';
import { FIXTURES, cleanup, matching, readText, records, run, supervisorPid, tempDir } from '../support/fixtures';
import { childPids, procState, signal, signalOurs, spareOf, taggedPids, waitFor, waitGone } from '../support/harness';

after(cleanup);

/** What the spare fixture's worker prints. */
interface Seen {
  pid: number;
  ppid: number;
  marker: string;
  argv: string[];
  execArgv: string[];
  main: boolean;
  filename: string;
  cwd: string;
  env: string;
  title: string;
  /** CJS fixture only: */
  instance?: string;
  listenFds?: string;
  listenPidIsMine?: boolean;
  fd3?: boolean;
}

const seen = (file: string): Seen[] => records<Seen>(readText(file), 'WORKER');

/** The tree prefix (`XDAEMON_TREE=<supervisor id>.`) in the environment of process `pid`. */
function treePrefixOf(pid: number): string {
  const entry = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith('XDAEMON_TREE=')) ?? '';
  return entry.slice(0, entry.lastIndexOf('.') + 1);
}

/** Processes alive (not zombies) with an environment entry starting with `prefix`. */
function aliveWith(prefix: string): number[] {
  return taggedPids().filter((pid) => {
    try {
      return procState(pid) !== 'Z' && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').some((e) => e.startsWith(prefix));
    } catch {
      return false;
    }
  });
}

/** Waits for a spare of `d` (none of the workers its log names; not `not`). */
const waitSpare = (d: Launched, not?: number): Promise<number> =>
  waitFor(`a spare of supervisor ${d.spid}${not === undefined ? '' : ` other than ${not}`}`, () => {
    const pid = spareOf(d.spid, [...seen(d.log), ...seen(`${d.log}.1`)].map((w) => w.pid));
    return pid !== undefined && pid !== not ? pid : undefined;
  });

/** Launches `script` (a daemon fixture) and kills what is left if the test fails. */
async function launch(t: TestContext, script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = [], args: string[] = []): Promise<Launched> {
  const log = join(tempDir(), 'app.log');
  const res = await run(script, args, { env: { D_LOG: log, ...env }, nodeArgs });
  assert.equal(res.code, 0, `launcher: ${res.stderr}`);
  const spid = supervisorPid(res.stderr);
  t.after(() => {
    const pids = [spid, spareOf(spid), ...loggedPids(readText(log)), ...loggedPids(readText(`${log}.1`))];
    // Only what still carries the run's tag: a pid reused by now could be anything.
    for (const pid of pids) if (pid !== undefined) signalOurs(pid, 'SIGKILL');
  });
  return { spid, log, stderr: res.stderr };
}

describe('a worker that was a spare is indistinguishable from a fresh one', () => {
  const entries = [
    { kind: 'CJS', script: 'spare-worker.cjs', nodeArgs: [] },
    { kind: 'ESM', script: 'spare-worker.mjs', nodeArgs: [] },
    { kind: 'tsx', script: 'spare-worker.mts', nodeArgs: ['--import', 'tsx'] },
  ];
  for (const { kind, script, nodeArgs } of entries) {
    test(`${kind} entry: argv, execArgv, main module, file name, cwd, env, marker, ready()`, async (t) => {
      const options = JSON.stringify({ prewarm: true, minExitTime: 0, waitReady: 10_000 });
      const d = await launch(t, join(FIXTURES, script), { D_OPTIONS: options, W_SHOW: 'shown' }, nodeArgs, ['x', 'y z']);
      const first = await waitFor('the first worker', () => seen(d.log)[0]);
      let spare = await waitSpare(d);
      signal(first.pid, 'SIGTERM');
      const second = await waitFor('the second worker', () => seen(d.log)[1]);
      assert.equal(second.pid, spare, 'the spare became the worker');
      spare = await waitSpare(d, spare);
      signal(second.pid, 'SIGTERM');
      const third = await waitFor('the third worker', () => seen(d.log)[2]);
      assert.equal(third.pid, spare, 'a new spare, booted after the handover, became the next worker');
      await waitFor('the third worker ready', () => matching(readText(d.log), new RegExp(`worker ready: pid ${third.pid} `))[0]);

      const text = readText(d.log);
      assert.equal(matching(text, /worker started: pid \d+ .* from the spare$/).length, 2, text);
      const same = ({ pid: _p, marker: _m, ...rest }: Seen): Omit<Seen, 'pid' | 'marker'> => rest;
      assert.deepEqual(same(second), same(first));
      assert.deepEqual(same(third), same(first));
      assert.deepEqual([first.marker, second.marker, third.marker], ['2', '3', '4'], 'the generation marker of each start');
      assert.equal(first.argv.slice(2).join('|'), 'x|y z');
      assert.equal(first.env, 'shown');
      assert.ok(first.main, 'the entry is the main module');
      const prefix = treePrefixOf(await waitSpare(d, spare));
      signal(d.spid, 'SIGTERM');
      await finished(d);
      await waitFor('no spare left after the stop', () => aliveWith(prefix).length === 0, 5000);
    });
  }
});

describe('the spare and the policy', () => {
  /** The counters of every exit line and the last line, for one run of the script. */
  async function countersOf(t: TestContext, prewarm: boolean): Promise<string[]> {
    // Marker 2 runs 6 s (long enough: its spare waits longer than minExitTime), 3 and 4 fail fast.
    // minExitTime 5 s: a fresh worker's run includes its Node boot, which a loaded machine can make
    // last a second or more; 5 s keeps every quick failure quick however slow the boot.
    const script = JSON.stringify({ 2: 'sleep:6000', 3: 'sleep:100', 4: 'sleep:100', 5: 'sleep:100' });
    const options = JSON.stringify({ prewarm, minExitTime: 5, maxError: 1 });
    const d = await launch(t, DAEMON, { W_MODE: 'script', W_SCRIPT: script, D_OPTIONS: options });
    const prefix = prewarm ? treePrefixOf(await waitSpare(d)) : undefined;
    const { text, code } = await finished(d, 40_000);
    assert.equal(code, 1, text);
    if (prefix !== undefined) {
      // Marker 3 is spare-made (the spare it took waited 1.5 s); 4 too when 3 lived past 250 ms.
      assert.ok(matching(text, /from the spare$/).length >= 1, text);
      await waitFor('no spare left after the give-up', () => aliveWith(prefix).length === 0, 5000);
    }
    return matching(text, /worker exited: .*|giving up: .*/).map((l) => l.replace(/^.*(worker exited|giving up)/, '$1').replace(/pid \d+ after [\d.]+ s/, ''));
  }

  test('maxError and minExitTime count the same with a spare as without (its wait is no run time)', async (t) => {
    const fresh = await countersOf(t, false);
    const warm = await countersOf(t, true);
    assert.deepEqual(warm, fresh);
    assert.equal(fresh.length, 4, fresh.join('\n'));
  });

  test('maxCount counts the same with a spare as without', async (t) => {
    const counts = async (prewarm: boolean): Promise<string[]> => {
      const d = await launch(t, DAEMON, { W_MODE: 'sleep', W_MS: '400', D_OPTIONS: JSON.stringify({ prewarm, minExitTime: 0, maxCount: 3 }) });
      const { text, code } = await finished(d, 20_000);
      assert.equal(code, 0, text);
      return matching(text, /worker exited: .*|done: .*/).map((l) => l.replace(/^.*(worker exited|done)/, '$1').replace(/pid \d+ after [\d.]+ s/, ''));
    };
    assert.deepEqual(await counts(true), await counts(false));
  });
});

describe('the spare\'s life', () => {
  const options = JSON.stringify({ prewarm: true, minExitTime: 0 });

  test('a SIGKILLed supervisor leaves neither worker nor spare', async (t) => {
    const d = await launch(t, join(FIXTURES, 'spare-worker.cjs'), { D_OPTIONS: options });
    const worker = await waitFor('the worker', () => seen(d.log)[0]);
    const spare = await waitSpare(d);
    signal(d.spid, 'SIGKILL');
    await waitGone(d.spid);
    await waitGone(spare, 5000);
    await waitGone(worker.pid, 5000);
  });

  test('a spare killed while it waits is replaced (counted nowhere), and the next start still uses a spare', async (t) => {
    const d = await launch(t, join(FIXTURES, 'spare-worker.cjs'), { D_OPTIONS: options });
    const first = await waitFor('the worker', () => seen(d.log)[0]);
    const killed = await waitSpare(d);
    signal(killed, 'SIGKILL');
    const replacement = await waitSpare(d, killed);
    assert.match(readText(d.log), new RegExp(`the spare pid ${killed} ended while waiting \\(SIGKILL\\): booting another`));
    signal(first.pid, 'SIGTERM');
    const second = await waitFor('the second worker', () => seen(d.log)[1]);
    assert.equal(second.pid, replacement);
    assert.match(readText(d.log), new RegExp(`worker started: pid ${replacement} \\(count 2/unlimited; errors 0/3\\) from the spare`));
    signal(d.spid, 'SIGTERM');
    await finished(d);
  });

  test('a log moved away while the spare waits: the new worker writes to the new file', async (t) => {
    const d = await launch(t, join(FIXTURES, 'spare-worker.cjs'), { D_OPTIONS: options });
    const first = await waitFor('the worker', () => seen(d.log)[0]);
    const spare = await waitSpare(d);
    renameSync(d.log, `${d.log}.1`);
    signal(first.pid, 'SIGTERM');
    const second = await waitFor('the second worker in the new log', () => seen(d.log)[0]);
    // The spare's descriptors 1 and 2 are the moved file: it is not used (./spare-log.test.ts).
    assert.notEqual(second.pid, spare);
    assert.deepEqual(seen(`${d.log}.1`).map((w) => w.pid), [first.pid], 'the old file has the first worker only');
    signal(d.spid, 'SIGTERM');
    await waitGone(d.spid);
  });

  test('prewarm is refused for a command that is not node', async () => {
    const { Supervisor } = await import('../../dist/index.js');
    assert.throws(() => new Supervisor({ command: 'sleep', args: ['1'], prewarm: true }), (err: unknown) => {
      assert.ok(err instanceof Error && err.name === XDaemonError.name, String(err));
      assert.match(err.message, /prewarm applies to Node workers only: .*sleep is not node/);
      return true;
    });
    assert.throws(() => new Supervisor({ command: process.execPath, args: ['-e', '1'], prewarm: true }), /prewarm needs an entry script: node runs no entry script with -e/);
  });

  test('xdaemon start --prewarm refuses a non-Node command with exit 2, naming why', async () => {
    const home = newHome();
    const exit = await xd(home, ['start', '--prewarm', '--', 'sleep', '100']);
    assert.equal(exit.code, 2, exit.stderr);
    assert.match(exit.stderr, /^xdaemon: --prewarm: prewarm applies to Node workers only: \S*sleep is not node/m);
  });
});

describe('the spare with instances and held sockets', () => {
  test('each instance has its own spare; a spare-made worker has its instance, LISTEN_* for its own pid and the socket', async (t) => {
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
      });
    });
    const options = JSON.stringify({ prewarm: true, minExitTime: 0, instances: 2, listen: [`127.0.0.1:${port}`] });
    const d = await launch(t, join(FIXTURES, 'spare-worker.cjs'), { D_OPTIONS: options });
    const firsts = await waitFor('both first workers', () => (seen(d.log).length >= 2 ? seen(d.log).slice(0, 2) : undefined));
    await waitFor('two spares', () => {
      const workers = seen(d.log).map((w) => w.pid);
      // The supervisor's other child is its group guard (a shell).
      const spares = childPids(d.spid).filter((pid) => !workers.includes(pid) && readText(`/proc/${pid}/cmdline`).includes('/dist/spare.js'));
      return spares.length === 2 ? spares : undefined;
    });
    for (const first of firsts) signal(first.pid, 'SIGTERM');
    const seconds = await waitFor('both second workers', () => (seen(d.log).length >= 4 ? seen(d.log).slice(2, 4) : undefined));
    assert.equal(matching(readText(d.log), /worker started: pid \d+ .* from the spare$/).length, 2, readText(d.log));
    const key = (w: Seen): string => String(w.instance);
    const same = ({ pid: _p, marker: _m, ...rest }: Seen): Omit<Seen, 'pid' | 'marker'> => rest;
    for (const second of seconds) {
      const first = firsts.find((f) => key(f) === key(second)) as Seen;
      assert.deepEqual(same(second), same(first));
      assert.deepEqual([second.listenFds, second.listenPidIsMine, second.fd3], ['1', true, true]);
    }
    assert.deepEqual(seconds.map(key).sort(), ['0', '1']);
    signal(d.spid, 'SIGTERM');
    await finished(d);
  });
});

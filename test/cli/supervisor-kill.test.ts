/**
 * A supervisor killed with SIGKILL (the OOM killer does this; none of its code runs), issue 27:
 * every worker ends — Node or not, with the library loaded or not, started as a script, after
 * `--`, from a fleet file, or from the spare — gracefully where it can (SIGTERM first, which the
 * app below notes), its whole tree too under killMode group (the default; what ignores SIGTERM gets
 * SIGKILL; what left the group is found by its tree token), the worker itself under killMode
 * process; and a later `start` finds nothing of it. Linux: the group guard and its sweep
 * (src/supervisor/group-guard.ts), and setpriv for the parent-death signal.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findSetpriv } from '../../src/process/parent-death';
import { type Home, assertCode, newHome, startDaemon, statusOf, workerRunning, xd } from '../support/cli';
import { FIXTURES, cleanup, readText, tempDir } from '../support/fixtures';
import { isGone, isOurs, signal, spareOf, waitFor, waitGone } from '../support/harness';

after(cleanup);

const APP = join(FIXTURES, 'kill-app.cjs');
// How long a killed supervisor's workers may take to be gone here, on a loaded machine: the
// promise is "within a second"; the deadline only keeps a failure from hanging.
const GONE_MS = 5000;
// The parent-death signal (killMode process) needs setpriv: a skip outside CI, a failure in CI.
const noSetpriv = findSetpriv() === undefined && process.env.CI !== 'true' ? 'no setpriv on this system (CI installs util-linux)' : false;

/** A folder with the app as app.cjs, and the file its SIGTERM notes go to. */
function project(): { dir: string; note: string } {
  const dir = tempDir();
  copyFileSync(APP, join(dir, 'app.cjs'));
  return { dir, note: join(dir, 'notes') };
}

/** The pid of the `PREFIX <pid>` line in `log`. */
function pidLine(log: string, prefix: string): number | undefined {
  const m = new RegExp(`^${prefix} (\\d+)$`, 'm').exec(readText(log));
  return m === null ? undefined : Number(m[1]);
}

/** Kills `spids` with SIGKILL and waits until they and every one of `pids` are gone. */
async function killSupervisors(spids: number[], pids: number[]): Promise<void> {
  for (const spid of spids) signal(spid, 'SIGKILL');
  for (const spid of spids) await waitGone(spid, GONE_MS);
  for (const pid of pids) await waitGone(pid, GONE_MS);
}

/** The tree prefix of a worker (`XDAEMON_TREE=<supervisor id>.`): its descendants carry it too. */
function treeOf(pid: number): string {
  const entry = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').find((e) => e.startsWith('XDAEMON_TREE='));
  assert.ok(entry !== undefined, `worker ${pid} has a tree token`);
  return entry.slice(0, entry.lastIndexOf('.') + 1);
}

/** The live processes whose environment holds `prefix` (a tree token's start). */
function carrying(prefix: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').some((e) => e.startsWith(prefix));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** What `name` runs, once its worker has its SIGTERM handler in place: the supervisor and worker pids, the log. */
async function running(home: Home, name: string): Promise<{ spid: number; worker: number; log: string }> {
  const s = await workerRunning(home, name);
  const worker = s.workerPid as number;
  await waitFor(`worker ${worker} of ${name} under way`, () => readText(s.logFile).split('\n').includes(`WORKER ${worker}`));
  return { spid: s.pid as number, worker, log: s.logFile };
}

describe('a SIGKILLed supervisor leaves nothing', () => {
  test('xdaemon start app.js: the worker gets SIGTERM and ends; a later start finds nothing of it', async (t) => {
    const home = newHome(t);
    const { dir, note } = project();
    const args = ['--name', 'app', '--cwd', dir, '--env', `K_NOTE=${note}`, 'app.cjs'];
    await startDaemon(home, args);
    const { spid, worker } = await running(home, 'app');
    const tree = treeOf(worker);
    await killSupervisors([spid], [worker]);
    assert.match(readText(note), new RegExp(`^TERM ${worker}$`, 'm'), 'SIGTERM first: the app ended by its own handler');
    assert.deepEqual(carrying(tree), [], `no process carries the killed daemon's ${tree}`);
    await startDaemon(home, args);
    assert.notEqual((await running(home, 'app')).worker, worker);
  });

  test('start -- node app.js (killMode group): the worker, its child and what left its group end; what ignores SIGTERM is killed', async (t) => {
    const home = newHome(t);
    const { dir, note } = project();
    await startDaemon(home, ['--name', 'kids', '--cwd', dir, '--env', `K_NOTE=${note}`, '--env', 'K_CHILD=1', '--env', 'K_DETACHED=1', '--', process.execPath, 'app.cjs']);
    await startDaemon(home, ['--name', 'stubborn', '--cwd', dir, '--env', 'K_IGNORE_TERM=1', '--', process.execPath, 'app.cjs']);
    const kids = await running(home, 'kids');
    const stubborn = await running(home, 'stubborn');
    const child = await waitFor('the child', () => pidLine(kids.log, 'CHILD'));
    const detached = await waitFor('the detached one', () => pidLine(kids.log, 'DETACHED'));
    const tree = treeOf(kids.worker);
    await killSupervisors([kids.spid, stubborn.spid], [kids.worker, child, detached, stubborn.worker]);
    assert.match(readText(note), new RegExp(`^TERM ${kids.worker}$`, 'm'), 'SIGTERM first');
    assert.deepEqual(carrying(tree), [], `no process carries the killed daemon's ${tree}`);
  });

  test('five apps of a fleet file, one of them prewarmed: every worker and the spare end', async (t) => {
    const home = newHome(t);
    const { dir, note } = project();
    const apps = ['a', 'b', 'c', 'd', 'e'].map((name, i) => ({ name, script: 'app.cjs', env: { K_NOTE: note }, ...(i === 0 ? { prewarm: true } : {}) }));
    writeFileSync(join(dir, 'xdaemon.config.json'), JSON.stringify({ apps }));
    assertCode(await xd(home, ['start', join(dir, 'xdaemon.config.json')], { cwd: dir }), 0, 'start FILE');
    const all = await Promise.all(apps.map((a) => running(home, a.name)));
    const spare = await waitFor('the spare of a', () => spareOf(all[0]?.spid as number, [all[0]?.worker as number]));
    await killSupervisors(all.map((r) => r.spid), [...all.map((r) => r.worker), spare]);
    for (const { worker } of all) assert.match(readText(note), new RegExp(`^TERM ${worker}$`, 'm'), `worker ${worker}: SIGTERM first`);
  });

  test('killMode process: the worker itself gets SIGTERM; what it started lives on (Go\'s)', { skip: noSetpriv }, async (t) => {
    const home = newHome(t);
    const { dir, note } = project();
    await startDaemon(home, ['--name', 'go', '--kill-mode', 'process', '--cwd', dir, '--env', `K_NOTE=${note}`, '--env', 'K_CHILD=1', 'app.cjs']);
    const { spid, worker, log } = await running(home, 'go');
    const child = await waitFor('the child', () => pidLine(log, 'CHILD'));
    t.after(() => void (isOurs(child) && signal(child, 'SIGKILL')));
    await killSupervisors([spid], [worker]);
    assert.match(readText(note), new RegExp(`^TERM ${worker}$`, 'm'), 'SIGTERM: the app ended by its own handler');
    assert.ok(!isGone(child), 'under killMode process what the worker started lives on');
    assert.equal((await statusOf(home, 'go')).status.state, 'dead');
  });
});

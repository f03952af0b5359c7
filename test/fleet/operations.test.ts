/**
 * The operations over named daemons as a library, against real daemons, no printing involved: a
 * fleet file's apps started (a result per app: supervisor, log, the state before), started again
 * (left alone, same supervisors), reloaded (new workers under the same supervisor; an app the file
 * changed started anew, saying so), stopped (then not running); a name never started is not known;
 * a bad file is refused whole as a FleetFileError with its fields, and nothing starts. One daemon
 * from its spec: started, restarted (a new worker), restarted once stopped (started again from its
 * record), deleted.
 */
import './../support/built-bundles';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { platform } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { EUSAGE } from '../../src/errors';
import { FleetFileError } from '../../src/fleet/fleet-error';
import { type FleetRequest, reloadFleet, startFleet, stopFleet } from '../../src/fleet/file';
import type { DaemonResult } from '../../src/fleet/outcome';
import type { StateFacts } from '../../src/fleet/state-dir';
import { daemonStatuses } from '../../src/fleet/status';
import { deleteDaemons } from '../../src/fleet/delete';
import { restartDaemons } from '../../src/fleet/restart';
import { startDaemon } from '../../src/fleet/start';
import { stopDaemons } from '../../src/fleet/stop';
import { WORKER, waitForAsync } from '../support/cli';
import { cleanup, tempDir } from '../support/fixtures';
import { isGone, taggedEnv } from '../support/harness';

after(cleanup);

/** A project directory with the worker as `w.cjs`, and facts whose state directory is private to it. */
function project(): { dir: string; facts: StateFacts } {
  const dir = tempDir();
  copyFileSync(WORKER, join(dir, 'w.cjs'));
  return { dir, facts: { env: taggedEnv({ XDAEMON_HOME: join(dir, 'state') }), platform: platform(), home: dir, cwd: dir } };
}

const FILE: FleetRequest = { file: 'apps.json', only: [], envSet: undefined, env: {} };
const apps = (maxError: number): string => JSON.stringify({ apps: [{ name: 'a', script: 'w.cjs', reloadGrace: 100 }, { name: 'b', script: 'w.cjs', reloadGrace: 100, maxError, vizion: false }] });

/** The result of `name`, which must be there once. */
function of(results: readonly DaemonResult[], name: string): DaemonResult {
  const found = results.filter((r) => r.name === name);
  assert.equal(found.length, 1, `one result for ${name}: ${JSON.stringify(results)}`);
  return found[0] as DaemonResult;
}

/** The worker pid of each daemon once all of `names` have one. */
function workers(facts: StateFacts, names: readonly string[]): Promise<Map<string, number>> {
  return waitForAsync(`workers of ${names.join(', ')}`, async () => {
    const { rows } = await daemonStatuses(facts);
    const pids = new Map(rows.filter((r) => r.workerPid !== undefined).map((r) => [r.name, r.workerPid as number]));
    return names.every((n) => pids.has(n)) ? pids : undefined;
  });
}

describe('a fleet file through the library', () => {
  test('start, start again, reload (one app changed), stop: a result per app', async (t) => {
    const { dir, facts } = project();
    t.after(() => stopDaemons({ all: true }, { timeout: 10_000 }, facts));
    writeFileSync(join(dir, 'apps.json'), apps(3));

    const started = await startFleet(FILE, facts);
    assert.equal(started.file, join(dir, 'apps.json'));
    assert.deepEqual(started.warnings, [`${join(dir, 'apps.json')}: app b: pm2 key vizion is not carried out`]);
    for (const name of ['a', 'b']) {
      const r = of(started.results, name);
      assert.ok(r.outcome === 'started', JSON.stringify(r));
      assert.equal(r.was, 'stopped');
      assert.equal(r.log, join(dir, 'state', `${name}.log`));
      assert.equal(isGone(r.pid), false, `${name}'s supervisor runs`);
    }
    const supervisors = new Map(started.results.map((r) => [r.name, (r as { pid: number }).pid]));
    const before = await workers(facts, ['a', 'b']);

    const again = await startFleet(FILE, facts);
    assert.deepEqual(
      again.results,
      ['a', 'b'].map((name) => ({ name, outcome: 'already-running', pid: supervisors.get(name) })),
      'what runs is left alone',
    );

    writeFileSync(join(dir, 'apps.json'), apps(6));
    const reloaded = await reloadFleet(FILE, facts);
    // a's workers share no socket: its reload is a restart (a new worker, the same supervisor), saying so.
    const a = of(reloaded.results, 'a');
    assert.ok(a.outcome === 'restarted', JSON.stringify(a));
    assert.equal(a.note, 'no-socket');
    assert.notEqual(a.workerPid, before.get('a'), 'a new worker');
    const b = of(reloaded.results, 'b');
    assert.ok(b.outcome === 'started', JSON.stringify(b));
    assert.deepEqual([b.was, b.note], ['running', 'changed'], 'b changed: started anew, saying why');
    // Started anew: a new supervision (in the state directory's host, whose pid stays) and a new worker.
    const bWorker = (await workers(facts, ['b'])).get('b');
    assert.notEqual(bWorker, before.get('b'), 'b has a new worker');
    const { rows } = await daemonStatuses(facts);
    assert.equal(rows.find((r) => r.name === 'a')?.pid, supervisors.get('a'), 'a kept its supervisor');
    assert.equal(rows.find((r) => r.name === 'b')?.maxError, 6, "b runs with the file's new settings");

    const stopped = await stopFleet(FILE, {}, facts);
    assert.deepEqual(stopped.results, [
      { name: 'a', outcome: 'stopped', was: 'running' },
      { name: 'b', outcome: 'stopped', was: 'running' },
    ]);
    // The host, whose last daemons they were, ends.
    await waitForAsync('the host to end with its last daemon', async () => (isGone(b.pid) ? true : undefined), 10_000);
    const twice = await stopDaemons({ names: ['a', 'nobody'] }, {}, facts);
    assert.deepEqual(twice, [
      { name: 'a', outcome: 'not-running' },
      { name: 'nobody', outcome: 'not-known' },
    ]);
  });

  test('a bad file: a FleetFileError naming the file, the app and the key; nothing starts', async () => {
    const { dir, facts } = project();
    // Every problem at once, one line each: two bad values in two apps, and an app without a program.
    writeFileSync(join(dir, 'apps.json'), JSON.stringify({ apps: [{ name: 'a', script: 'w.cjs', max_restarts: 'lots' }, { name: 'b', script: 'w.cjs', restart_dealy: 100, kill_timeout: 'soon' }, { name: 'c' }] }));
    await assert.rejects(startFleet(FILE, facts), (err: unknown) => {
      assert.ok(err instanceof FleetFileError, String(err));
      assert.equal(err.code, EUSAGE);
      assert.deepEqual([err.file, err.app, err.option], [join(dir, 'apps.json'), 'a', 'max_restarts']);
      assert.deepEqual(err.problems.map((p) => [p.app, p.key]), [['a', 'max_restarts'], ['b', 'kill_timeout'], ['c', undefined]]);
      const lines = err.message.split('\n');
      assert.equal(lines.length, 3, err.message);
      assert.match(lines[0] as string, /apps\.json: app a: max_restarts must be a whole number >= 0, got "lots"$/);
      assert.match(lines[1] as string, /apps\.json: app b: kill_timeout must be milliseconds/);
      assert.match(lines[2] as string, /apps\.json: app c: no script \(or command\)/);
      return true;
    });
    writeFileSync(join(dir, 'apps.json'), JSON.stringify({ apps: [{ name: 'a', script: 'w.cjs' }, { name: 'b', script: 'gone.js' }] }));
    await assert.rejects(startFleet(FILE, facts), { name: 'XDaemonError', code: EUSAGE, app: 'b', option: 'script', message: /apps\.json: app b: script .*gone\.js does not exist$/ });
    const state = join(dir, 'state');
    assert.deepEqual(existsSync(state) ? readdirSync(state) : [], [], 'no record: nothing started');
  });
});

describe('one daemon through the library', () => {
  test('start from a spec, restart running and stopped, delete', async (t) => {
    const { dir, facts } = project();
    t.after(() => stopDaemons({ all: true }, { timeout: 10_000 }, facts));
    const started = await startDaemon({ name: 'one', command: process.execPath, args: ['w.cjs'], settings: { maxError: 2 }, log: undefined, cwd: undefined, env: { ONE: '1' } }, facts);
    assert.deepEqual({ ...started, pid: 0 }, { name: 'one', outcome: 'started', pid: 0, log: join(dir, 'state', 'one.log'), was: 'stopped' });
    const first = (await workers(facts, ['one'])).get('one');

    const [restarted] = await restartDaemons(['one'], facts);
    assert.ok(restarted?.outcome === 'restarted', JSON.stringify(restarted));
    assert.notEqual(restarted.workerPid, first, 'a new worker');

    assert.deepEqual(await stopDaemons({ names: ['one'] }, {}, facts), [{ name: 'one', outcome: 'stopped', was: 'running' }]);
    const [again, nobody] = await restartDaemons(['one', 'nobody'], facts);
    assert.ok(again?.outcome === 'started', JSON.stringify(again));
    assert.deepEqual(nobody, { name: 'nobody', outcome: 'not-known' });
    assert.equal(again.was, 'stopped', 'started again from its record');

    assert.deepEqual(await deleteDaemons(['one', 'nobody'], facts), [
      { name: 'one', outcome: 'deleted', was: 'running' },
      { name: 'nobody', outcome: 'not-known' },
    ]);
    // Its worker is gone, and the host, whose last daemon it was, ends.
    const last = again.pid;
    await waitForAsync('the host to end with its last daemon', async () => (isGone(last) ? true : undefined), 10_000);
    // The host's own dot-files (its log, its last state) are no daemon's.
    const left = readdirSync(join(dir, 'state')).filter((f) => !f.startsWith('.'));
    assert.deepEqual(left, ['one.log'], 'its record and pid file are gone, its log stays');
  });
});

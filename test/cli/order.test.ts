/**
 * Start order between the apps of a fleet file (`dependsOn`) and for named daemons
 * (`--depends-on`), end to end: a three-app chain whose apps are ready only after a while (their
 * health check passes late) starts in order, each once the one before is ready, and stops in
 * reverse; a dependency that gives up leaves its dependants unstarted, saying why; a reload of a
 * dependency leaves its dependants alone; a cycle or a missing dependency starts nothing (exit 2).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Home, assertCode, newHome, statusOf, xd } from '../support/cli';
import { FIXTURES, cleanup, tempDir } from '../support/fixtures';

after(cleanup);

const APP = join(FIXTURES, 'chain-app.cjs');

/** A fleet file of `apps` (name → its dependencies) in a fresh folder; each app ready after 400 ms. */
function chain(apps: Record<string, string[]>, extra = ''): { dir: string; trace: string } {
  const dir = tempDir();
  const trace = join(dir, 'trace');
  const entries = Object.entries(apps).map(
    ([name, dependsOn]) => `{ name: ${JSON.stringify(name)}, command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(APP)}, ${JSON.stringify(name)}], dependsOn: ${JSON.stringify(dependsOn)},
        env: { W_TRACE: ${JSON.stringify(trace)}, W_DELAY: '400'${extra} }, health: 'exec:test -e ${trace}.ready.$XDAEMON_WORKER_PID', healthStartPeriod: 5000, maxError: 0 }`,
  );
  writeFileSync(join(dir, 'xdaemon.config.js'), `module.exports = { apps: [${entries.join(',\n')}] };\n`);
  return { dir, trace };
}

/** The trace's events in order: [what, name, ms]. */
const events = (trace: string) => readFileSync(trace, 'utf8').trim().split('\n').map((l) => l.split(' ')).map(([what, name, ms]) => [what as string, name as string, Number(ms)] as const);

test('a three-app chain starts in order, each once the one before is ready, and stops in reverse', async (t) => {
  const home = newHome(t);
  // Listed dependants first: the order is the file's dependsOn, not its listing.
  const { dir, trace } = chain({ web: ['api'], api: ['db'], db: [] });
  const started = await xd(home, ['start'], { cwd: dir });
  assertCode(started, 0);
  assert.deepEqual(started.stdout.trim().split('\n').map((l) => /^started (\w+):/.exec(l)?.[1]), ['web', 'api', 'db'], 'a result per app, in the file\'s order');
  const starts = events(trace);
  assert.deepEqual(starts.map(([, name]) => name), ['db', 'api', 'web']);
  const at = Object.fromEntries(starts.map(([, name, ms]) => [name, ms]));
  // Each is ready 400 ms after its start: its dependant starts no sooner.
  assert.ok((at.api as number) - (at.db as number) >= 400 && (at.web as number) - (at.api as number) >= 400, JSON.stringify(at));
  // db's workers share no socket: its reload is a restart (issue 23, as pm2's fork mode), stop then start.
  const reloaded = await xd(home, ['reload', 'db']);
  assertCode(reloaded, 0);
  assert.match(reloaded.stdout, /^restarted db: worker \d+ \(its workers share no socket, so the reload was a restart/m);
  const afterReload = events(trace);
  assert.deepEqual(afterReload.slice(3).map(([w, n]) => `${w} ${n}`), ['stop db', 'start db'], 'a reload of a dependency touches nothing else');
  const stopped = await xd(home, ['stop', join(dir, 'xdaemon.config.js')]);
  assertCode(stopped, 0);
  assert.deepEqual(events(trace).slice(5).map(([w, n]) => `${w} ${n}`), ['stop web', 'stop api', 'stop db']);
});

test('a dependency that gives up: its dependants are not started, and the command says why', async (t) => {
  const home: Home = newHome(t);
  const { dir, trace } = chain({ web: ['api'], api: ['db'], db: [], cron: [] }, ", W_FAIL: 'db'");
  const started = await xd(home, ['start'], { cwd: dir });
  assertCode(started, 1);
  assert.match(started.stderr, /^xdaemon: db: .*did not start/m);
  assert.match(started.stderr, /^xdaemon: api: not started: it depends on db, which did not start$/m);
  assert.match(started.stderr, /^xdaemon: web: not started: it depends on db, which did not start$/m);
  assert.match(started.stdout, /^started cron:/m, 'an app that does not depend on it starts');
  assert.deepEqual(events(trace).map(([w, n]) => `${w} ${n}`).filter((e) => !e.endsWith('cron')), ['start db']);
  assert.doesNotMatch((await xd(home, ['list'])).stdout, /^(web|api) /m, 'never started: no record');
});

test('a cycle, a missing dependency: exit 2, one line naming the app, nothing started', async (t) => {
  const home = newHome(t);
  const { dir, trace } = chain({ a: ['b'], b: ['a'], c: [] });
  const cycle = await xd(home, ['start'], { cwd: dir });
  assertCode(cycle, 2);
  assert.equal(cycle.stderr, `xdaemon: ${join(dir, 'xdaemon.config.js')}: app a: dependsOn: a cycle: a -> b -> a\n`);
  const missing = chain({ web: ['db'] });
  const none = await xd(home, ['start'], { cwd: missing.dir });
  assertCode(none, 2);
  assert.equal(none.stderr, `xdaemon: ${join(missing.dir, 'xdaemon.config.js')}: app web: dependsOn: db is not an app of the file, nor a daemon that runs\n`);
  const named = await xd(home, ['start', '--name', 'w', '--depends-on', 'db', '--', process.execPath, '-e', '1']);
  assertCode(named, 2);
  assert.equal(named.stderr, 'xdaemon: --depends-on: db does not run (start it first); nothing was started\n');
  for (const d of [trace, missing.trace]) assert.throws(() => readFileSync(d), /ENOENT/, 'nothing started');
});

test('--depends-on a daemon that runs: started after it', async (t) => {
  const home = newHome(t);
  assertCode(await xd(home, ['start', '--name', 'db', '--', process.execPath, '-e', 'setInterval(() => {}, 1000)']), 0);
  const dependant = await xd(home, ['start', '--name', 'web', '--depends-on', 'db', '--', process.execPath, '-e', 'setInterval(() => {}, 1000)']);
  assertCode(dependant, 0);
  assert.equal((await statusOf(home, 'web')).status.state, 'running');
});

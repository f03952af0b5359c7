/** The order of a fleet's starts and stops (pure): waves, a cycle, a missing dependency, the dependants of a failure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EUSAGE } from '../../src/errors';
import { mapFleet } from '../../src/fleet/file-map';
import { StartOrderError, dependantsOf, startWaves } from '../../src/fleet/start-order';

const app = (name: string, ...dependsOn: string[]) => ({ name, dependsOn });
const names = (waves: { name: string }[][]) => waves.map((w) => w.map((a) => a.name));

test('waves: each app after its dependencies, side by side with those it does not depend on', () => {
  assert.deepEqual(names(startWaves([app('web', 'api'), app('api', 'db', 'queue'), app('db'), app('queue'), app('cron')])), [['db', 'queue', 'cron'], ['api'], ['web']]);
  assert.deepEqual(names(startWaves([app('web', 'db')], (n) => n === 'db')), [['web']], 'a dependency that runs already');
});

test('a cycle and a missing dependency are refused naming the apps', () => {
  assert.throws(() => startWaves([app('a', 'b'), app('b', 'c'), app('c', 'a')]), (err: StartOrderError) => err.code === EUSAGE && err.app === 'a' && /a cycle: a -> b -> c -> a/.test(err.message));
  assert.throws(() => startWaves([app('a', 'a')]), /app a: dependsOn names the app itself/);
  assert.throws(() => startWaves([app('web', 'db')]), /app web: dependsOn db is not an app of the file, nor a daemon that runs/);
});

test('the dependants of an app that did not start, directly or not', () => {
  const apps = [app('web', 'api'), app('api', 'db'), app('db'), app('cron')];
  assert.deepEqual(dependantsOf(apps, 'db').map((a) => a.name), ['web', 'api']);
  assert.deepEqual(dependantsOf(apps, 'cron'), []);
});

test('a fleet file: dependsOn is an app name or a list; a cycle refuses the whole file, whatever --only selects', () => {
  const context = { path: '/srv/xdaemon.config.js', cwd: '/srv', envSet: undefined, env: {}, only: [], cpus: 2 };
  const { apps } = mapFleet({ apps: [{ name: 'web', command: 'x', dependsOn: 'db' }, { name: 'db', command: 'y' }] }, context);
  assert.deepEqual(apps.map((a) => a.dependsOn), [['db'], []]);
  assert.throws(
    () => mapFleet({ apps: [{ name: 'web', command: 'x', dependsOn: ['db'] }, { name: 'db', command: 'y', dependsOn: ['web'] }] }, { ...context, only: ['db'] }),
    (err: Error & { code?: string; option?: string }) => err.code === EUSAGE && err.option === 'dependsOn' && err.message === '/srv/xdaemon.config.js: app web: dependsOn: a cycle: web -> db -> web',
  );
  assert.throws(() => mapFleet({ apps: [{ name: 'web', command: 'x', dependsOn: [3] }] }, context), /dependsOn must be an app's name or an array of them/);
});

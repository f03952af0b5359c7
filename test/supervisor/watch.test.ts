/**
 * Watch, through the CLI as a developer uses it: a burst of ten writes is one restart; writes into
 * node_modules, .git, a dotfile, an --ignore'd folder or the daemon's own log (kept in the watched
 * folder) restart nothing; an app that writes into the watched folder at every start does not loop.
 * "Nothing" and "one" are proved with a sentinel: a later real change must be the next restart,
 * and the restart's log line names what changed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { globRegExp, ignoreRules } from '../../src/supervisor/watch-ignore';
import { START_SETTLE_MS } from '../../src/supervisor/watch-restart';
import { type Home, assertCode, newHome, startDaemon, statusOf, waitForAsync, workerRunning, xd } from '../support/cli';
import { FIXTURES, cleanup, readText, tempDir } from '../support/fixtures';
import { waitFor } from '../support/harness';

after(cleanup);

const APP = join(FIXTURES, 'watch-app.cjs');

/**
 * Waits until NAME has had `n` restarts and its new worker runs (the count goes up as a restart
 * begins, while the old worker is still being stopped: so not `oldPid`); returns its status.
 */
function restarted(home: Home, name: string, n: number, oldPid?: number): ReturnType<typeof workerRunning> {
  return waitForAsync(`${name} restarted ${n} time(s)`, async () => {
    const { status } = await statusOf(home, name);
    const fresh = status.workerPid !== undefined && status.workerPid !== oldPid && status.state === 'running';
    return status.restarts >= n && fresh ? status : undefined;
  });
}

/** The watch lines of `log`. */
const watchLines = (log: string): string[] => readText(log).split('\n').filter((l) => / watch: /.test(l));

/** Waits until the worker of `name` has run past the start window, in which changes are its own. */
async function settled(home: Home, name: string): Promise<void> {
  await waitForAsync(`${name}'s worker past the supervisor's start window (START_SETTLE_MS)`, async () => {
    const exit = await xd(home, ['status', '--json', name]);
    const s = JSON.parse(exit.stdout) as { workerStartedAt?: string };
    return s.workerStartedAt !== undefined && Date.now() - Date.parse(s.workerStartedAt) > START_SETTLE_MS ? true : undefined;
  });
}

test('a burst of ten writes is one restart; ignored paths and the own log restart nothing', async (t) => {
  const home = newHome(t);
  const dir = tempDir();
  for (const sub of ['src', 'node_modules/pkg', '.git', 'dist']) mkdirSync(join(dir, sub), { recursive: true });
  const log = join(dir, 'app.log');
  await startDaemon(home, ['--name', 'w', '--watch', '--ignore', 'dist', '--log', log, '--cwd', dir, '--', process.execPath, APP]);
  const initial = await workerRunning(home, 'w');
  await settled(home, 'w');

  for (let i = 0; i < 10; i++) writeFileSync(join(dir, 'src', `f${i}.js`), `// ${i}\n`);
  const first = await restarted(home, 'w', 1, initial.workerPid);
  await settled(home, 'w');
  for (const file of ['node_modules/pkg/index.js', '.git/index', '.env', 'dist/out.js', 'app.log']) writeFileSync(join(dir, file), 'x\n', { flag: 'a' });
  writeFileSync(join(dir, 'src', 'sentinel.js'), '// later\n');
  const second = await restarted(home, 'w', 2, first.workerPid);
  assert.equal(second.restarts, 2, 'the burst was one restart, the ignored writes none');
  assert.notEqual(second.workerPid, first.workerPid);
  const lines = watchLines(log);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0] as string, /watch: src\/f\d\.js and 9 more changed: restarting worker pid \d+$/);
  assert.match(lines[1] as string, /watch: src\/sentinel\.js changed: restarting worker pid \d+$/, 'nothing ignored was gathered with it');
  assert.equal(second.errors, 0);
});

test('an app that writes into the watched folder at every start does not loop', async (t) => {
  const home = newHome(t);
  const dir = tempDir();
  const log = join(dir, 'self.log');
  await startDaemon(home, ['--name', 'self', '--watch=.', '--log', log, '--cwd', dir, '--env', 'W_SELF_WRITE=cache.json', '--', process.execPath, APP]);
  await workerRunning(home, 'self');
  await waitFor('its own write', () => readText(join(dir, 'cache.json')) !== '');
  await settled(home, 'self');
  writeFileSync(join(dir, 'change.js'), '// 1\n');
  await restarted(home, 'self', 1);
  await settled(home, 'self');
  writeFileSync(join(dir, 'change.js'), '// 2\n');
  const s = await restarted(home, 'self', 2);
  assert.equal(s.restarts, 2, 'two changes, two restarts: its own writes at each start restarted nothing');
  assert.equal(watchLines(log).length, 2);
  for (const l of watchLines(log)) assert.match(l, /watch: change\.js changed: restarting/);
});

test('a watched path that does not exist: exit 1 naming it, nothing started', async (t) => {
  const home = newHome(t);
  const exit = await xd(home, ['start', '--name', 'x', '--watch=/nonexistent/src', '--', process.execPath, APP]);
  assertCode(exit, 1);
  assert.match(exit.stderr, /^xdaemon: watch: \/nonexistent\/src does not exist\n$/);
  const spaced = await xd(home, ['start', '--name', 'x', '--watch', 'nonexistent-src', '--', process.execPath, APP]);
  assertCode(spaced, 2, 'spaced, only an existing folder is taken; else a value goes with =');
  assert.match(spaced.stderr, /--watch=DIR/);
});

describe('what watch ignores', () => {
  const rules = ignoreRules(['/w/app.log', '/state'], ['dist', '*.tmp', 'build/**', '/w/abs/*.js']);
  const ignored = (path: string): boolean => rules.ignores('/w', path);
  test('built in: node_modules, .git, dotfiles, the own files and their rotated copies, the state directory', () => {
    for (const p of ['/w/node_modules/x/y.js', '/w/.git/HEAD', '/w/.env', '/w/src/.cache/a', '/w/app.log', '/w/app.log.1', '/state/web.json']) assert.ok(ignored(p), p);
    for (const p of ['/w/src/a.js', '/w/app.log.old', '/w/app.logs', '/w/package.json']) assert.ok(!ignored(p), p);
  });
  test('the globs add to those: a name anywhere, a path from the watched folder, an absolute one', () => {
    for (const p of ['/w/dist/a.js', '/w/src/dist', '/w/x.tmp', '/w/src/y.tmp', '/w/build/a/b.js', '/w/abs/x.js']) assert.ok(ignored(p), p);
    for (const p of ['/w/distx/a.js', '/w/src/build/a.js', '/w/abs/sub/x.js', '/w/x.tmp.js']) assert.ok(!ignored(p), p);
    assert.ok(ignoreRules([], ['dist']).ignores('/w', '/w/node_modules/a'), 'never replacing the built-in ones');
  });
  test('globs', () => {
    assert.ok(globRegExp('**/*.js').test('a/b/c.js'));
    assert.ok(globRegExp('**/*.js').test('c.js'));
    assert.ok(!globRegExp('*.js').test('a/c.js'));
    assert.ok(globRegExp('a?c').test('abc'));
    assert.ok(!globRegExp('a.c').test('abc'), 'a dot is a dot');
  });
});

test('a watched file survives atomic saves; a folder removed and made again is watched again', async (t) => {
  const home = newHome(t);
  const dir = tempDir();
  const config = join(dir, 'config.json');
  writeFileSync(config, '{}\n');
  mkdirSync(join(dir, 'src', 'lib'), { recursive: true });
  const log = join(dir, 'f.log');
  await startDaemon(home, ['--name', 'f', `--watch=${config}`, `--watch=${join(dir, 'src')}`, '--log', log, '--', process.execPath, APP]);
  await workerRunning(home, 'f');
  for (let n = 1; n <= 2; n++) {
    await settled(home, 'f');
    // An editor's save: a new file renamed over the old one.
    writeFileSync(`${config}.tmp`, `{"n": ${n}}\n`);
    renameSync(`${config}.tmp`, config);
    await restarted(home, 'f', n);
  }
  await settled(home, 'f');
  rmSync(join(dir, 'src', 'lib'), { recursive: true });
  mkdirSync(join(dir, 'src', 'lib'));
  await restarted(home, 'f', 3);
  await settled(home, 'f');
  writeFileSync(join(dir, 'src', 'lib', 'new.js'), '// new\n');
  const s = await restarted(home, 'f', 4);
  assert.equal(s.restarts, 4);
  assert.match(watchLines(log).at(-1) as string, /watch: lib\/new\.js changed: restarting/);
});

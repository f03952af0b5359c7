/**
 * Watch and a subfolder present before the start (issue 27): with `DIR/lib/deep.js`, `node_modules`
 * and `.git` in the watched folder, ten quick writes in DIR restart once, writes in the ignored
 * folders restart nothing, and a write to `lib/deep.js` restarts the daemon again, naming it alone,
 * also when it comes in the first second of the restarted worker (where it used to be taken for the
 * worker's own start-up write, and restarted nothing, ever). What a worker writes at every start is
 * still its own (./watch.test.ts), decided by ../../src/supervisor/watch-start-writes.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { START_SETTLE_MS } from '../../src/supervisor/watch-restart';
import { StartWrites } from '../../src/supervisor/watch-start-writes';
import { type Home, newHome, startDaemon, statusOf, waitForAsync, workerRunning } from '../support/cli';
import { FIXTURES, cleanup, readText, tempDir } from '../support/fixtures';

after(cleanup);

const APP = join(FIXTURES, 'watch-app.cjs');

/** Waits until NAME has had `n` restarts and runs a worker other than `oldPid`; returns its status. */
function restarted(home: Home, name: string, n: number, oldPid: number | undefined): ReturnType<typeof workerRunning> {
  return waitForAsync(`${name} restarted ${n} time(s)`, async () => {
    const { status } = await statusOf(home, name);
    const fresh = status.workerPid !== undefined && status.workerPid !== oldPid && status.state === 'running';
    return status.restarts >= n && fresh ? status : undefined;
  });
}

/** Waits until NAME's worker has run past watch's first second (in which changes are its own). */
async function settled(home: Home, name: string): Promise<void> {
  await waitForAsync(`${name}'s worker past the supervisor's start window (START_SETTLE_MS)`, async () => {
    const { status } = await statusOf(home, name);
    const s = status as unknown as { workerStartedAt?: string };
    return s.workerStartedAt !== undefined && Date.now() - Date.parse(s.workerStartedAt) > START_SETTLE_MS ? true : undefined;
  });
}

test('a write to lib/deep.js, present before the start, in the first second after a restart restarts the daemon once that second is over', async (t) => {
  const home = newHome(t);
  const dir = tempDir();
  for (const sub of ['lib', 'node_modules/pkg', '.git']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'lib', 'deep.js'), '// deep\n');
  writeFileSync(join(dir, 'node_modules', 'pkg', 'index.js'), '// pkg\n');
  writeFileSync(join(dir, '.git', 'index'), 'x\n');
  const log = join(tempDir(), 'deep.log');
  await startDaemon(home, ['--name', 'deep', `--watch=${dir}`, '--log', log, '--cwd', dir, '--', process.execPath, APP]);
  const initial = await workerRunning(home, 'deep');
  await settled(home, 'deep');

  for (let i = 0; i < 10; i++) writeFileSync(join(dir, `f${i}.js`), `// ${i}\n`);
  const first = await restarted(home, 'deep', 1, initial.workerPid);
  // At once: the restarted worker is in its first second.
  for (const file of ['node_modules/pkg/index.js', '.git/index']) writeFileSync(join(dir, file), 'y\n', { flag: 'a' });
  writeFileSync(join(dir, 'lib', 'deep.js'), '// changed\n', { flag: 'a' });
  const second = await restarted(home, 'deep', 2, first.workerPid);
  assert.equal(second.restarts, 2, 'the burst was one restart, the ignored writes none');
  const lines = readText(log).split('\n').filter((l) => / watch: /.test(l));
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[1] as string, /watch: lib\/deep\.js changed: restarting worker pid \d+$/, 'the deep file, alone');
});

describe('StartWrites', () => {
  test('the first workers\' changes are theirs; later, a path that changed while the workers before started too', () => {
    const w = new StartWrites();
    assert.equal(w.isOwn('w1', '/a/cache.json', true), true, 'the daemon\'s first workers');
    assert.equal(w.isOwn('w2', '/a/cache.json', false), true, 'written at every start');
    assert.equal(w.isOwn('w2', '/a/lib/deep.js', false), false, 'a save by someone else');
    assert.equal(w.isOwn('w3', '/a/cache.json', false), true);
    assert.equal(w.isOwn('w3', '/a/new.js', false), false, 'not changed while w2 started');
    assert.equal(w.isOwn('w4', '/a/lib/deep.js', false), false, 'w3\'s start did not change it');
  });
});

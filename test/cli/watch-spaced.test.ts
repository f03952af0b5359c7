/**
 * `--watch DIR` with a space (issue 27): the word after a bare `--watch` is the folder to watch when
 * it is an existing folder and a script or `--` follows (`start --watch DIR -- node app.js`, `start
 * --watch DIR app.js`, also a DIR with a `/`, which alone would read as a fleet file); any other
 * word there is refused with one line naming the `--watch=DIR` spelling. Read on the command line,
 * then for real: the daemon started each way restarts when a file in DIR changes.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { START_SETTLE_MS } from '../../src/supervisor/watch-restart';
import { type Request, parseCommandLine } from '../../src/cli/dispatch';
import { UsageError } from '../../src/cli/usage-error';
import { type Home, newHome, startDaemon, statusOf, waitForAsync, workerRunning } from '../support/cli';
import { FIXTURES, cleanup, tempDir } from '../support/fixtures';

after(cleanup);

/** The settings and the script or command of a `start` line (read with this checkout as the current directory). */
function startOf(line: string[]): { watch: unknown; script: unknown; command: unknown } {
  const r = parseCommandLine(line) as Request & { settings?: { watch?: unknown }; script?: unknown; command?: unknown };
  return { watch: r.settings?.watch, script: r.script, command: r.command };
}

function refusal(line: string[]): string {
  try {
    parseCommandLine(line);
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    assert.ok(!err.message.includes('\n'), 'one line');
    return err.message;
  }
  assert.fail(`${line.join(' ')} was accepted`);
}

describe('--watch DIR, read', () => {
  test('an existing folder before -- or a script is the path to watch', () => {
    assert.deepEqual(startOf(['start', '--watch', 'src', '--', 'node', 'a.js']), { watch: ['src'], script: undefined, command: 'node' });
    assert.deepEqual(startOf(['start', '--watch', 'src', 'a.js']), { watch: ['src'], script: 'a.js', command: undefined });
    // With a `/`: alone it would be a fleet file.
    assert.deepEqual(startOf(['start', '--watch', 'src/cli', '--name', 'x', '--', 'node', 'a.js']).watch, ['src/cli']);
    assert.deepEqual(startOf(['run', '--watch', 'src', '--watch', 'test', '--', 'node', 'a.js']).watch, ['src', 'test']);
    // Relative to --cwd, wherever --cwd is on the line.
    assert.deepEqual(startOf(['start', '--watch', 'cli', '--cwd', 'src', '--', 'node', 'a.js']).watch, ['cli']);
    // Bare, and =DIR, as before.
    assert.deepEqual(startOf(['start', '--watch', '--', 'node', 'a.js']).watch, ['.']);
    assert.deepEqual(startOf(['start', 'a.js', '--watch']).watch, ['.']);
    assert.deepEqual(startOf(['start', '--watch=nowhere', '--', 'node', 'a.js']).watch, ['nowhere']);
  });

  test('any other word there is refused with the --watch=DIR spelling', () => {
    for (const word of ['no-such-dir', 'no/such/dir', 'package.json']) {
      for (const rest of [['--', 'node', 'a.js'], ['a.js']]) {
        assert.match(refusal(['start', '--watch', word, ...rest]), new RegExp(`^--watch "${word}": not an existing folder; a path to watch is written --watch=DIR`));
      }
    }
    // A folder with nothing after it is the script, as before (whose message shows --watch=src too).
    assert.match(refusal(['start', '--watch', 'src']), /--watch=src for a value/);
    assert.match(refusal(['start', '--watch', 'src', 'ecosystem.config.js']), /^--watch does not go with a fleet file/);
  });
});

/** Waits until NAME has restarted at least once and runs a worker again. */
function restartedOnce(home: Home, name: string): Promise<unknown> {
  return waitForAsync(`${name} restarted by watch`, async () => {
    const { status } = await statusOf(home, name);
    return status.restarts >= 1 && status.state === 'running' && status.workerPid !== undefined ? status : undefined;
  });
}

/** Waits until NAME's worker has run past watch's first second (a change in it is the worker's own). */
async function settled(home: Home, name: string): Promise<void> {
  await waitForAsync(`${name}'s worker past the supervisor's start window (START_SETTLE_MS)`, async () => {
    const { status } = await statusOf(home, name);
    const s = status as unknown as { workerStartedAt?: string };
    return s.workerStartedAt !== undefined && Date.now() - Date.parse(s.workerStartedAt) > START_SETTLE_MS ? true : undefined;
  });
}

test('start --watch DIR -- node app.js and start --watch DIR app.js watch DIR', async (t) => {
  const home = newHome(t);
  const dir = tempDir();
  const watched = join(dir, 'watched');
  const app = join(dir, 'app');
  mkdirSync(watched);
  mkdirSync(app);
  writeFileSync(join(app, 'app.js'), readFileSync(join(FIXTURES, 'watch-app.cjs')));
  const forms: [string, string[]][] = [
    ['spaced-command', ['--watch', watched, '--cwd', app, '--', process.execPath, 'app.js']],
    ['spaced-script', ['--watch', watched, '--cwd', app, 'app.js']],
  ];
  for (const [name, args] of forms) {
    await startDaemon(home, ['--name', name, ...args]);
    const record = JSON.parse(readFileSync(join(home.dir, `${name}.json`), 'utf8')) as { settings: { watch?: string[] } };
    assert.deepEqual(record.settings.watch, [watched], name);
  }
  for (const [name] of forms) {
    await workerRunning(home, name);
    await settled(home, name);
  }
  writeFileSync(join(watched, 'change.js'), '// changed\n');
  for (const [name] of forms) await restartedOnce(home, name);
});

/**
 * What `xdaemon` answers with, as a process: LSB's status codes (0 running, 1 dead with a pid file,
 * 3 not running, 4 unknown), every bad input of the issue (one line on stderr, exit 2, nothing
 * started, not even the state directory created), the failures that exit 1 naming what failed
 * (a command not found or not executable, a state directory that cannot be created or that others
 * can write), and the help and version.
 */
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertCode, newHome, startDaemon, statusOf, workerRunning, xd } from '../support/cli';
import { FIXTURES, ROOT, cleanup, readText, tempDir } from '../support/fixtures';
import { isGone, signal, signalOurs, taggedPids, waitFor, waitGone } from '../support/harness';

after(cleanup);

const NODE = process.execPath;
const KILL_APP = join(FIXTURES, 'kill-app.cjs');

describe('status: LSB exit codes', () => {
  test('0 running, 3 stopped, 1 dead (supervisor SIGKILLed, pid file left), 4 unknown; stop cleans up the dead one', async (t) => {
    const home = newHome(t);
    // killMode process: what the worker started outlives a killed supervisor (Go's), a leftover.
    const spid = await startDaemon(home, ['--name', 'web', '--kill-mode', 'process', '--env', 'K_CHILD=1', '--', NODE, KILL_APP]);
    const s = await workerRunning(home, 'web');
    const child = await waitFor('the worker\'s child', () => /^CHILD (\d+)$/m.exec(readText(s.logFile))?.[1]);
    assertCode(await xd(home, ['status', 'web']), 0);
    signal(spid, 'SIGKILL');
    await waitGone(spid);
    const dead = await xd(home, ['status', 'web']);
    assertCode(dead, 1);
    assert.match(dead.stdout, new RegExp(`^web: dead\\n  supervisor  ${spid} is gone`));
    assert.match(dead.stdout, new RegExp(`\\n  leftovers   still running: (.*, )?${child}(, .*)?\\n`), 'what its worker started outlived it');
    const json = await statusOf(home, 'web');
    assert.deepEqual([json.code, json.status.state, json.status.pid], [1, 'dead', spid]);
    const stopped = await xd(home, ['stop', 'web']);
    assertCode(stopped, 0);
    assert.equal(stopped.stdout, 'stopped web (its supervisor was gone: cleaned up what it left)\n');
    assert.ok(isGone(Number(child)), 'the leftover was stopped');
    assertCode(await xd(home, ['status', 'web']), 3);
    const unknown = await xd(home, ['status', 'nope']);
    assertCode(unknown, 4);
    assert.equal(unknown.stderr, 'xdaemon: no daemon or service named "nope"\n');
    assertCode(await xd(home, ['status', '--json', 'nope']), 4);
  });

  test('start --wait-ready of a worker that never says ready: exit 1 naming why; the name is stopped (3), not dead', async (t) => {
    const home = newHome(t);
    const exit = await xd(home, ['start', '--name', 'late', '--wait-ready', '300', '--kill-timeout', '300', '--', 'sleep', '300']);
    assertCode(exit, 1);
    assert.match(exit.stderr, /^xdaemon: late: the daemon did not start: .*did not call ready\(\) within 300 ms/);
    const s = await statusOf(home, 'late');
    assert.equal(s.code, 3, JSON.stringify(s.status));
    assert.match(String((s.status as unknown as { ended?: { reason: string } }).ended?.reason), /giving up: the first worker never said it was ready/);
    assert.match(readText(join(home.dir, 'late.log')), /supervisor exiting with code 1\n$/, 'its last line was written');
  });

  test('start --wait-ready of a first worker that dies before ready: what it left in its group goes with the give-up', async (t) => {
    const home = newHome(t);
    const kidFile = join(home.dir, 'kid.pid');
    const exit = await xd(home, ['start', '--name', 'quitter', '--wait-ready', '20000', '--', 'sh', '-c', `sleep 1000 & echo $! > ${kidFile}; exit 3`]);
    assertCode(exit, 1);
    assert.match(exit.stderr, /exited with code 3 before it was ready/);
    const kid = Number(readFileSync(kidFile, 'utf8'));
    assert.ok(kid > 0, 'the worker wrote its child\'s pid');
    t.after(() => signalOurs(kid, 'SIGKILL'));
    await waitGone(kid);
  });

  test('without a name and without a state directory: nothing to show, 0; list is empty', async () => {
    const home = newHome();
    const status = await xd(home, ['status']);
    assertCode(status, 0);
    assert.equal(status.stdout, '');
    const list = await xd(home, ['list', '--json']);
    assertCode(list, 0);
    assert.equal(list.stdout, '[]\n');
    assert.equal(existsSync(home.dir), false, 'reading verbs never create the state directory');
  });
});

describe('bad input: one line on stderr, exit 2, nothing started', () => {
  const lines: string[][] = [
    ['frobnicate'],
    ['start', '--bogus', '--', 'sleep', '1'],
    ['start', '--name', 'web'],
    ['start', 'sleep', '1'],
    ['run', '--'],
    ['start', '--max-count', 'lots', '--', 'sleep', '1'],
    ['start', '--min-exit-time', '-1', '--', 'sleep', '1'],
    ['start', '--kill-timeout', '99999999999', '--', 'sleep', '1'],
    ['run', '--backoff', 'linear', '--', 'sleep', '1'],
    ['start', '--max-size', '5Q', '--', 'sleep', '1'],
    ['start', '--env', 'NOEQUALS', '--', 'sleep', '1'],
    ['start', '--name', 'all', '--', 'sleep', '1'],
    ['start', '--name', 'tab\there', '--', 'sleep', '1'],
    ['start', '--name', '  ', '--', 'sleep', '1'],
    ['start', '--name', 'x'.repeat(101), '--', 'sleep', '1'],
    ['status', 'a\u0001b'],
    ['stop'],
    ['logs', 'web', '-n', 'x'],
    ['install', '--max-error', '1', '--', 'sleep', '1'],
  ];
  for (const line of lines) {
    test(line.join(' ').slice(0, 60), async () => {
      const home = newHome();
      const exit = await xd(home, line);
      assertCode(exit, 2);
      assert.match(exit.stderr, /^xdaemon: [^\n]+\n$/, 'one line');
      assert.equal(exit.stdout, '');
      assert.equal(existsSync(home.dir), false, 'the state directory was not even created');
      assert.deepEqual(taggedPids(), [], 'nothing runs');
    });
  }
});

describe('failures: exit 1, naming what failed, nothing started', () => {
  test('a command that does not exist, is not executable, or is a directory', async () => {
    const home = newHome();
    const dir = tempDir();
    const plain = join(dir, 'script.sh');
    writeFileSync(plain, '#!/bin/sh\nsleep 1\n', { mode: 0o644 });
    const cases: [string[], RegExp][] = [
      [['start', '--', 'no-such-command-xd'], /^xdaemon: command not found: "no-such-command-xd" \(not in PATH\)\n$/],
      [['start', '--', plain], new RegExp(`^xdaemon: cannot run "${plain}": not executable \\(permission denied\\)\\n$`)],
      [['start', '--', dir], new RegExp(`^xdaemon: cannot run "${dir}": not a file\\n$`)],
      [['run', '--', './missing'], /^xdaemon: cannot run "\.\/missing": no such file\n$/],
      [['start', '--cwd', join(dir, 'gone'), '--', 'sleep', '1'], /^xdaemon: working directory .*gone: ENOENT/],
    ];
    for (const [line, re] of cases) {
      const exit = await xd(home, line);
      assertCode(exit, 1, line.join(' '));
      assert.match(exit.stderr, re);
    }
    assert.equal(existsSync(home.dir), false, 'checked before the state directory is made');
    assert.deepEqual(taggedPids(), []);
  });

  test('a state directory that others can write, or that is not ours, is refused', async () => {
    const open = join(tempDir(), 'open');
    mkdirSync(open, { mode: 0o700 });
    chmodSync(open, 0o777);
    const home = { dir: open, env: { XDAEMON_HOME: open } };
    for (const line of [['start', '--', 'sleep', '1'], ['list'], ['status', 'web'], ['stop', '--all']]) {
      const exit = await xd(home, line);
      assertCode(exit, 1, line.join(' '));
      assert.equal(exit.stderr, `xdaemon: the state directory ${open} is writable by others (mode 0777); refusing to use it (chmod 700 it)\n`);
    }
    if (process.getuid?.() === 0) {
      chmodSync(open, 0o700);
      chownSync(open, 65534, 65534);
      const exit = await xd(home, ['list']);
      assertCode(exit, 1);
      assert.equal(exit.stderr, `xdaemon: the state directory ${open} belongs to uid 65534, not to you (uid 0); refusing to use it\n`);
    }
    assert.deepEqual(taggedPids(), []);
  });

  test('a state directory that cannot be created', async () => {
    const file = join(tempDir(), 'file');
    writeFileSync(file, '');
    const home = { dir: join(file, 'state'), env: { XDAEMON_HOME: join(file, 'state') } };
    const exit = await xd(home, ['start', '--', 'sleep', '1']);
    assertCode(exit, 1);
    assert.match(exit.stderr, new RegExp(`^xdaemon: cannot create the state directory ${home.dir}: ENOTDIR`));
    assert.deepEqual(taggedPids(), []);
  });

  test('operating a name that has no record', async () => {
    const home = newHome();
    for (const verb of ['stop', 'restart', 'logs', 'delete']) {
      const exit = await xd(home, [verb, 'ghost']);
      assertCode(exit, 1, verb);
      assert.equal(exit.stderr, 'xdaemon: no daemon named "ghost" (xdaemon list shows them)\n', verb);
    }
  });
});

describe('help and version', () => {
  test('xdaemon --help, xdaemon VERB --help, xdaemon --version', async () => {
    const home = newHome();
    const main = await xd(home, ['--help']);
    assertCode(main, 0);
    assert.match(main.stdout, /^usage: xdaemon <verb> \[arguments\]\n/);
    const start = await xd(home, ['start', '--help']);
    assertCode(start, 0);
    assert.match(start.stdout, /^usage: xdaemon start \[options\] \[--name NAME\] -- <command> \[args…\]\n/);
    assert.match(start.stdout, /--max-error N +consecutive failures allowed; one more gives up \(exit 1\) \(default 15\)/, "a named daemon's defaults");
    assert.match(start.stdout, /-i, --instances N\|max\|-N /);
    assert.match(start.stdout, /--wait-ready \[MS\] .*\(default 0\)/);
    assert.match(start.stdout, /--max-restarts N +pm2's: /);
    assert.match(start.stdout, /\nDefaults \(pm2's rule, with a backoff; the library's Daemon keeps Go's\): a run shorter than\n1 s is a failure; 16 failures in a row give up/);
    const install = await xd(home, ['install', '-h']);
    assertCode(install, 0);
    assert.match(install.stdout, /--restart-delay MS .*\(default 1000\)/);
    const version = await xd(home, ['--version']);
    assertCode(version, 0);
    assert.equal(version.stdout, `${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });
});

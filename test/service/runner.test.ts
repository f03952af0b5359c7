/**
 * The program side with real processes: a fixture program calls `svc.handle(argv[2], hooks)` from
 * the built package. SIGTERM/SIGINT run the stop hook and exit 0; a failing hook exits 1 with its
 * message; debug stops on Enter or at the end of input; ready() (here: systemd-notify, faked on
 * PATH) follows the start hook; the install/status/remove verbs print what they did.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, after, describe, test } from 'node:test';
import { FIXTURES, ROOT, cleanup, readText, run, stopAfter, tempDir } from '../support/fixtures';
import { type Proc, runToEnd, signal, start, waitFor, withTimeout } from '../support/harness';

after(cleanup);

const RUNNER = join(FIXTURES, 'service-runner.cjs');
const PREFIX = 'xdaemon: service "runner-test": ';

/** Starts the fixture with a verb, stopped when `t` ends; its events go to a file as well as stdout. */
function startRunner(t: TestContext, verb: string, env: NodeJS.ProcessEnv = {}, stdin: 'ignore' | 'pipe' = 'ignore'): { proc: Proc; events: string } {
  const events = join(tempDir(), 'events');
  const proc = start(process.execPath, [RUNNER, verb], { cwd: ROOT, env: { S_EVENTS: events, ...env }, stdin });
  stopAfter(t, () => [proc.pid]);
  return { proc, events };
}

/** Waits until the fixture has printed `EVENT name`. */
function waitEvent(proc: Proc, name: string): Promise<true> {
  return waitFor(
    `EVENT ${name} from pid ${proc.pid}`,
    () => {
      if (proc.stdout.includes(`EVENT ${name}\n`)) return true;
      if (proc.child.exitCode !== null) throw new Error(`exited before EVENT ${name}; stderr: ${proc.stderr}`);
      return undefined;
    },
    15_000,
    10,
  );
}

/** Waits until the fixture has printed `line` on stderr. */
function waitStderr(proc: Proc, line: string): Promise<true> {
  return waitFor(`"${line}" on stderr of pid ${proc.pid}`, () => proc.stderr.includes(line) || undefined, 15_000, 10);
}

const ended = (proc: Proc) => withTimeout(proc.done, 15_000, `pid ${proc.pid} to exit`);
const eventsOf = (file: string): string[] => readText(file).split('\n').filter(Boolean);

describe('run', () => {
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    test(`${sig}: the stop hook runs, exit code 0`, async (t) => {
      const { proc, events } = startRunner(t, 'run');
      await waitEvent(proc, 'started');
      signal(proc.pid, sig);
      const exit = await ended(proc);
      assert.equal(exit.code, 0, exit.stderr);
      assert.deepEqual(eventsOf(events), ['init', 'start', 'started', 'stop', 'stopped']);
      assert.equal(exit.stderr, `${PREFIX}received ${sig}: stopping\n`);
    });
  }

  test('no verb is run, as in the seed', async (t) => {
    const bare = start(process.execPath, [RUNNER], { cwd: ROOT });
    stopAfter(t, () => [bare.pid]);
    await waitEvent(bare, 'started');
    signal(bare.pid, 'SIGTERM');
    const exit = await ended(bare);
    assert.equal(exit.code, 0, exit.stderr);
    assert.match(exit.stdout, /EVENT stopped/);
  });

  test('a start hook that throws: exit code 1 with its message, no stop hook', async (t) => {
    const { proc, events } = startRunner(t, 'run', { S_START: 'throw' });
    const exit = await ended(proc);
    assert.equal(exit.code, 1);
    assert.equal(exit.stderr, `${PREFIX}start failed: port 8080 is taken\n`);
    assert.deepEqual(eventsOf(events), ['init', 'start']);
  });

  test('a stop hook that throws: exit code 1 with its message', async (t) => {
    const { proc } = startRunner(t, 'run', { S_STOP: 'throw' });
    await waitEvent(proc, 'started');
    signal(proc.pid, 'SIGTERM');
    const exit = await ended(proc);
    assert.equal(exit.code, 1);
    assert.match(exit.stderr, /stop failed: cannot flush the queue\n$/);
  });

  test('a stop request during start is honoured once start is done', async (t) => {
    const gate = join(tempDir(), 'gate');
    const { proc, events } = startRunner(t, 'run', { S_START: 'gate', S_GATE: gate });
    await waitEvent(proc, 'start');
    signal(proc.pid, 'SIGTERM');
    await waitStderr(proc, 'received SIGTERM while starting: stopping once started');
    assert.deepEqual(eventsOf(events), ['init', 'start']);
    writeFileSync(gate, '');
    const exit = await ended(proc);
    assert.equal(exit.code, 0, exit.stderr);
    assert.deepEqual(eventsOf(events), ['init', 'start', 'started', 'stop', 'stopped']);
  });

  test('a second stop request while stopping exits at once with code 1', async (t) => {
    const { proc } = startRunner(t, 'run', { S_STOP: 'hang' });
    await waitEvent(proc, 'started');
    signal(proc.pid, 'SIGTERM');
    await waitEvent(proc, 'stop');
    signal(proc.pid, 'SIGTERM');
    const exit = await ended(proc);
    assert.equal(exit.code, 1);
    assert.match(exit.stderr, /received SIGTERM while stopping: exiting now\n$/);
  });

  test('ready() follows the start hook: systemd-notify --ready under NOTIFY_SOCKET', async (t) => {
    const bin = tempDir();
    const notify = join(bin, 'systemd-notify');
    writeFileSync(notify, '#!/bin/sh\necho "notify $*" >> "$S_EVENTS"\n');
    chmodSync(notify, 0o755);
    const { proc, events } = startRunner(t, 'run', { S_START: 'slow', NOTIFY_SOCKET: '/run/xdaemon-test/notify', PATH: `${bin}:${process.env.PATH ?? ''}` });
    await waitFor('the notification', () => eventsOf(events).includes('notify --ready') || undefined);
    assert.deepEqual(eventsOf(events), ['init', 'start', 'started', 'notify --ready']);
    signal(proc.pid, 'SIGTERM');
    assert.equal((await ended(proc)).code, 0);
  });
});

describe('debug', () => {
  test('Enter stops it', async (t) => {
    const { proc, events } = startRunner(t, 'debug', {}, 'pipe');
    await waitStderr(proc, 'running in debug mode: press Enter or Ctrl-C to stop');
    proc.child.stdin?.write('\n');
    const exit = await ended(proc);
    assert.equal(exit.code, 0, exit.stderr);
    assert.deepEqual(eventsOf(events), ['init', 'start', 'started', 'stop', 'stopped']);
    assert.match(exit.stderr, /Enter pressed: stopping\n.*stopped\n$/);
  });

  test('the end of input stops it too (as Go\'s ReadString returns at EOF)', async (t) => {
    const { proc } = startRunner(t, 'debug', {}, 'pipe');
    await waitEvent(proc, 'started');
    proc.child.stdin?.end();
    const exit = await ended(proc);
    assert.equal(exit.code, 0, exit.stderr);
    assert.match(exit.stderr, /end of input: stopping/);
  });

  test('Ctrl-C (SIGINT) stops it', async (t) => {
    const { proc } = startRunner(t, 'debug', {}, 'pipe');
    await waitEvent(proc, 'started');
    signal(proc.pid, 'SIGINT');
    const exit = await ended(proc);
    assert.equal(exit.code, 0, exit.stderr);
    assert.match(exit.stderr, /received SIGINT: stopping/);
  });
});

describe('handle: the other verbs print what they did', () => {
  const setup = () => {
    const root = tempDir();
    const log = join(root, 'exec.log');
    const env = { S_ROOT: root, S_EXEC_LOG: log };
    const commands = (): string[][] => readText(log).split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
    return { root, env, commands };
  };

  test('install, install again, status, remove', async () => {
    const { root, env, commands } = setup();
    const path = join(root, 'etc/systemd/system/runner-test.service');
    const first = await run(RUNNER, ['install'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `Service "Runner Test" installed: ${path}\n`);
    assert.ok(existsSync(path));
    const again = await run(RUNNER, ['install'], { env });
    assert.equal(again.stdout, `Service "Runner Test" is already installed: ${path} (unchanged)\n`);
    const status = await run(RUNNER, ['status'], { env: { ...env, S_EXEC_STDOUT: 'LoadState=loaded\nActiveState=failed\nSubState=failed\nResult=exit-code\nMainPID=0\n' } });
    assert.equal(status.code, 3, 'not running: LSB exit code 3');
    assert.equal(status.stdout, 'Service "Runner Test": failed (failed/failed, result exit-code)\n');
    assert.match(status.stderr, /^warning: the recorded executable \/usr\/bin\/node no longer exists/);
    const removed = await run(RUNNER, ['remove'], { env });
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, 'Service "Runner Test" removed.\n');
    assert.deepEqual(commands(), [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', 'runner-test.service'],
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', 'runner-test.service'],
      ['systemctl', 'show', '-p', 'LoadState,ActiveState,SubState,Result,MainPID,NRestarts,NeedDaemonReload', 'runner-test.service'],
      ['systemctl', 'disable', '--now', 'runner-test.service'],
      ['systemctl', 'daemon-reload'],
    ]);
  });

  test('failures go to stderr with exit code 1; an unknown verb prints the usage with 2', async () => {
    const { env, commands } = setup();
    const startRes = await run(RUNNER, ['start'], { env });
    assert.equal(startRes.code, 1);
    assert.match(startRes.stderr, /^Failed to start: service "runner-test" is not installed \(no .*runner-test\.service\)\n$/);
    const unknown = await run(RUNNER, ['launch'], { env });
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'Options for "Runner Test": (install | uninstall | remove | start | stop | restart | status | debug | run)\n');
    assert.deepEqual(commands(), []);
  });

  test('install of a different file needs --force', async () => {
    const { root, env } = setup();
    const path = join(root, 'etc/systemd/system/runner-test.service');
    assert.equal((await run(RUNNER, ['install'], { env })).code, 0);
    writeFileSync(path, `${readFileSync(path, 'utf8')}# edited\n`);
    const refused = await run(RUNNER, ['install'], { env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^Failed to install: .* exists with different content .*pass force to replace it\n$/);
    const forced = await run(RUNNER, ['install', '--force'], { env });
    assert.equal(forced.code, 0, forced.stderr);
    assert.doesNotMatch(readFileSync(path, 'utf8'), /# edited/);
  });
});

describe('the built package', () => {
  test('xdaemon/service loads from CommonJS and native ESM; the task runs dist/cli.js', async () => {
    const code = (load: string): string =>
      `${load}; const xml = m.renderWindowsTask({ name: 'x', command: '/usr/bin/node' }); console.log(/<Arguments>(\\S+) run /.exec(xml)[1]);`;
    const cjs = await runToEnd(process.execPath, ['-e', code("const m = require('xdaemon/service')")], { cwd: ROOT });
    const esm = await runToEnd(process.execPath, ['--input-type=module', '-e', code("import * as m from 'xdaemon/service'")], { cwd: ROOT });
    for (const res of [cjs, esm]) {
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, `${join(ROOT, 'dist', 'cli.js')}\n`);
    }
  });
});

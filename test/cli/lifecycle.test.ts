/**
 * `xdaemon` end to end against real daemons, as a user types it: start, status, list, restart,
 * stop, delete of a Node program; the record and the files in the state directory; a name that runs
 * is refused, a stopped one takes a new command line, a stopped one restarts from its record; a
 * non-Node command (sh, python3); two names at once.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { WORKER, assertCode, newHome, startDaemon, statusOf, workerRunning, xd } from '../support/cli';
import { FIXTURES, cleanup, readText } from '../support/fixtures';
import { isGone, signal, waitFor, waitGone } from '../support/harness';
import { findCommand, requireTool } from '../support/tools';

after(cleanup);

const NODE = process.execPath;
const mode = (path: string): number => statSync(path).mode & 0o777;

describe('a named daemon, end to end', () => {
  test('start, status, list, restart, stop, restart from the record, delete', async (t) => {
    const home = newHome(t);
    const spid = await startDaemon(home, ['--name', 'web', '--max-error', '5', '--env', 'W_SHOW_ENV=FOO', '--env', 'FOO=bar', '--', NODE, WORKER, 'a b']);
    const running = await workerRunning(home, 'web');
    assert.equal(running.pid, spid);
    assert.deepEqual(running.command, [NODE, WORKER, 'a b']);
    assert.equal(running.logFile, join(home.dir, 'web.log'));
    assert.equal(running.pidFile, join(home.dir, 'web.pid'));
    assert.equal((running as unknown as { maxError: number }).maxError, 5);
    await waitFor('the worker\'s first lines in the log', () => readText(running.logFile).includes('env FOO=bar'));
    assert.match(readText(running.logFile), new RegExp(`^WORKER ${running.workerPid} a b$`, 'm'));

    // The state directory and its files.
    assert.equal(mode(home.dir), 0o700);
    assert.equal(mode(join(home.dir, 'web.json')), 0o600);
    assert.equal(mode(join(home.dir, 'web.log')), 0o640);
    // Hosted (the default): the pid file names the worker (own process: the supervisor, see host.long.ts).
    assert.equal(readText(join(home.dir, 'web.pid')), `${running.workerPid}\n`);
    const record = JSON.parse(readFileSync(join(home.dir, 'web.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(
      { command: record.command, file: record.file, args: record.args, env: record.env, settings: record.settings, log: record.log },
      { command: NODE, file: NODE, args: [WORKER, 'a b'], env: { W_SHOW_ENV: 'FOO', FOO: 'bar' }, settings: { maxError: 5 }, log: running.logFile },
    );

    const list = await xd(home, ['list']);
    assertCode(list, 0);
    assert.match(list.stdout, /^ID +NAME +STATE +PID +WORKER +UPTIME +CPU +MEM +HEALTH +STARTS +RESTARTS +ERRORS +LOG\n/);
    assert.match(list.stdout, new RegExp(`^0 +web +running +${spid} +${running.workerPid} +\\d+s +(-|[\\d.]+%) +[\\d.]+ MB +- +1 +0 +0/5 +${running.logFile}$`, 'm'));
    const listJson = JSON.parse((await xd(home, ['list', '--json'])).stdout) as { name: string; pid: number }[];
    assert.deepEqual(listJson.map((d) => [d.name, d.pid]), [['web', spid]]);

    const restarted = await xd(home, ['restart', 'web']);
    assertCode(restarted, 0);
    const newWorker = Number(/^restarted web: worker (\d+)$/m.exec(restarted.stdout)?.[1]);
    assert.notEqual(newWorker, running.workerPid);
    await waitGone(running.workerPid as number, 5000);
    const after1 = (await statusOf(home, 'web')).status;
    assert.deepEqual([after1.pid, after1.workerPid, after1.restarts], [spid, newWorker, 1], 'the same supervisor, a new worker');

    const stopped = await xd(home, ['stop', 'web']);
    assertCode(stopped, 0);
    assert.equal(stopped.stdout, 'stopped web\n');
    assert.ok(isGone(spid) && isGone(newWorker), 'stop returns once the supervisor and its worker are gone');
    assert.equal((await statusOf(home, 'web')).code, 3);
    const again = await xd(home, ['stop', 'web']);
    assertCode(again, 0, 'stop of a stopped name succeeds, as LSB asks');
    assert.equal(again.stdout, 'web was not running\n');

    const fromRecord = await xd(home, ['restart', 'web']);
    assertCode(fromRecord, 0);
    assert.match(fromRecord.stdout, /^started web: supervisor \d+, log .*web\.log \(it was stopped\)$/m);
    const second = await workerRunning(home, 'web');
    assert.notEqual(second.pid, spid);
    assert.deepEqual(second.command, [NODE, WORKER, 'a b'], 'restarted from its record');
    await waitFor('the recorded --env in the new worker', () => readText(second.logFile).split('env FOO=bar').length - 1 === 3); // first worker, restarted worker, this one

    const deleted = await xd(home, ['delete', 'web']);
    assertCode(deleted, 0);
    assert.equal(deleted.stdout, 'deleted web (stopped it first)\n');
    assert.ok(isGone(second.pid as number) && isGone(second.workerPid as number));
    for (const file of ['web.json', 'web.pid', 'web.pid.state']) assert.equal(existsSync(join(home.dir, file)), false, `${file} is gone`);
    assert.notEqual(readText(join(home.dir, 'web.log')), '', 'the log stays');
    const unknown = await xd(home, ['status', 'web']);
    assertCode(unknown, 4);
    assert.equal(unknown.stderr, 'xdaemon: no daemon or service named "web"\n');
  });

  test('start of a running name is refused with its supervisor\'s pid; of a stopped one, it takes the new command line and options', async (t) => {
    const home = newHome(t);
    const spid = await startDaemon(home, ['--', NODE, WORKER, 'one']);
    const refused = await xd(home, ['start', '--name', 'cli-worker', '--', NODE, WORKER, 'two']);
    assertCode(refused, 1);
    assert.match(refused.stderr, new RegExp(`^xdaemon: cli-worker is already running: supervisor pid ${spid} holds .*cli-worker\\.pid; nothing was started\\n$`));
    assert.deepEqual((await statusOf(home, 'cli-worker')).status.command.slice(-1), ['one'], 'the record of the running one is untouched');
    assertCode(await xd(home, ['stop', 'cli-worker']), 0);
    await startDaemon(home, ['--name', 'cli-worker', '--max-error', '7', '--', NODE, WORKER, 'two']);
    const s = await workerRunning(home, 'cli-worker');
    assert.deepEqual(s.command.slice(-1), ['two']);
    assert.equal((s as unknown as { maxError: number }).maxError, 7);
  });

  test("the worker gets the invoking environment, NODE_OPTIONS included (the supervisor runs without it), plus --env", async (t) => {
    const home = newHome(t);
    await startDaemon(home, ['--name', 'env', '--env', 'W_SHOW_ENV=NODE_OPTIONS', '--', NODE, WORKER], { env: { NODE_OPTIONS: '--no-warnings' } });
    const s = await workerRunning(home, 'env');
    await waitFor('the worker\'s environment in the log', () => readText(s.logFile).includes('env NODE_OPTIONS=--no-warnings\n'));
    const supervisorEnv = readFileSync(`/proc/${s.pid}/environ`, 'latin1').split('\0');
    assert.ok(!supervisorEnv.some((e) => e.startsWith('NODE_OPTIONS=')), 'the supervisor itself runs without NODE_OPTIONS');
  });

  test('start of a dead name (its supervisor SIGKILLed): what its worker left is stopped first', async (t) => {
    const home = newHome(t);
    // killMode process: what the worker started outlives a killed supervisor (Go's), a leftover.
    const args = ['--name', 'web', '--kill-mode', 'process', '--env', 'K_CHILD=1', '--', NODE, join(FIXTURES, 'kill-app.cjs')];
    const spid = await startDaemon(home, args);
    const old = await workerRunning(home, 'web');
    const child = Number(await waitFor('the worker\'s child', () => /^CHILD (\d+)$/m.exec(readText(old.logFile))?.[1]));
    signal(spid, 'SIGKILL');
    await waitGone(spid);
    assert.equal((await statusOf(home, 'web')).status.state, 'dead');
    assert.ok(!isGone(child), 'what its worker started outlives its killed supervisor');
    const again = await startDaemon(home, args.filter((a) => a !== 'K_CHILD=1' && a !== '--env'));
    assert.ok(isGone(child), 'the leftover was stopped before the new start');
    const s = await workerRunning(home, 'web');
    assert.equal(s.pid, again);
  });

  // --own-process: what is asserted is one supervisor process per daemon (hosted: test/cli/host.long.ts).
  test('two names at once: each its own supervisor; stopping one leaves the other', async (t) => {
    const home = newHome(t);
    const [a, b] = await Promise.all([startDaemon(home, ['--own-process', '--name', 'a', '--', NODE, WORKER]), startDaemon(home, ['--own-process', '--name', 'b', '--', NODE, WORKER])]);
    assert.notEqual(a, b);
    const [sa, sb] = await Promise.all([workerRunning(home, 'a'), workerRunning(home, 'b')]);
    const all = await xd(home, ['status']);
    assertCode(all, 0);
    assert.match(all.stdout, new RegExp(`^a: running \\(supervisor ${a}, worker ${sa.workerPid}, up \\d+s(, cpu [\\d.]+%)?, mem [\\d.]+ MB\\)\\nb: running \\(supervisor ${b}, worker ${sb.workerPid}, up \\d+s(, cpu [\\d.]+%)?, mem [\\d.]+ MB\\)\\n$`));
    assertCode(await xd(home, ['stop', 'a']), 0);
    assert.equal((await statusOf(home, 'b')).status.state, 'running');
    assertCode(await xd(home, ['status']), 3, 'one of them is not running');
    const stopped = await xd(home, ['stop', '--all']);
    assertCode(stopped, 0);
    assert.deepEqual(stopped.stdout.split('\n').filter(Boolean).sort(), ['a was not running', 'stopped b']);
    await waitGone(b);
  });
});

describe('any command, not only Node', () => {
  test('sh -c: named after the executable; its whole tree stops', async (t) => {
    const home = newHome(t);
    const spid = await startDaemon(home, ['--', 'sh', '-c', 'echo "shell $$"; sleep 300 & wait']);
    const s = await workerRunning(home, 'sh');
    assert.equal(s.pid, spid);
    assert.match(s.command[0] as string, /\/sh$/, 'the command as found in PATH');
    const sleeper = await waitFor('the shell\'s child', () => {
      const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(s.workerPid)], { encoding: 'utf8' }).trim();
      return out === '' ? undefined : Number(out);
    });
    assert.match(readText(s.logFile), new RegExp(`^shell ${s.workerPid}$`, 'm'));
    assertCode(await xd(home, ['stop', 'sh']), 0);
    assert.ok(isGone(s.workerPid as number) && isGone(sleeper), 'the shell and its child are gone');
  });

  test('a Python one-liner', async (t) => {
    if (!requireTool(t, findCommand('python3'), 'python3', 'Debian: apt-get install python3')) return;
    const home = newHome(t);
    await startDaemon(home, ['--', 'python3', '-c', 'import os, time; print("py", os.getpid(), flush=True); time.sleep(300)']);
    const s = await workerRunning(home, 'python3');
    await waitFor('python\'s line in the log', () => readText(s.logFile).includes(`py ${s.workerPid}`));
    assertCode(await xd(home, ['stop', 'python3']), 0);
    assert.ok(isGone(s.workerPid as number));
  });
});

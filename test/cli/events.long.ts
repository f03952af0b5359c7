/**
 * `xdaemon events` as a user runs it against real daemons: each daemon's first record says what it
 * was doing, a SIGKILLed worker is an `exit` (its pid, the signal) then a `start` (the new pid) in
 * order, a daemon started later is joined as it appears, a stop ends with `exiting`, the text form
 * is the log's words, Ctrl-C ends it with exit 0; and a reader that stops reading is dropped by the
 * supervisor (which goes on restarting), told so, and joined again once it reads.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { eventOutput, parseEvents } from '../../src/cli/events';
import { CLI, WORKER, newHome, startDaemon, statusOf, waitForAsync, workerRunning, xd, xdStart } from '../support/cli';
import { cleanup } from '../support/fixtures';
import { signal, taggedEnv, waitFor } from '../support/harness';

after(cleanup);

/** The JSON records printed so far (complete lines only). */
function recordsIn(stdout: string): ({ name: string; kind: string; pid?: number; signal?: string | null } & Record<string, unknown>)[] {
  return stdout
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l) as { name: string; kind: string });
}

test('parse and the line of a record: TIME NAME: the words of the log; --json: the record with its name', () => {
  assert.deepEqual(parseEvents(['web', 'api', 'web', '--json']), { verb: 'events', names: ['web', 'api'], json: true });
  assert.deepEqual(parseEvents([]), { verb: 'events', names: [], json: false });
  assert.throws(() => parseEvents(['--follow']), /unknown flag --follow/);
  const exit = { kind: 'exit', time: '2026-01-01T00:00:00.000Z', instance: 1, pid: 42, code: null, signal: 'SIGKILL', seconds: 2.5, counters: { starts: 2, restarts: 0, reloads: 0, errors: 0, maxCount: 0, maxError: 3 } } as const;
  assert.equal(eventOutput('web', exit, 2, false), '2026-01-01T00:00:00.000Z web: instance 1: worker exited: pid 42 after 2.500 s with signal SIGKILL (count 2/unlimited; errors 0/3)');
  assert.deepEqual(JSON.parse(eventOutput('web', exit, 2, true)), { name: 'web', ...exit });
  const failedStart = { kind: 'start-failed', time: 't', instance: 0, error: 'spawn ENOENT', counters: exit.counters } as const;
  assert.match(eventOutput('web', failedStart, 1, false), /^t web: worker start failed: spawn ENOENT /);
  assert.equal(eventOutput('web', { kind: 'exiting', time: 't', code: 0 }, 1, false), 't web: supervisor exiting with code 0');
  assert.match(eventOutput('web', { kind: 'some-later-kind', time: 't', x: 1 } as never, 1, false), /^t web: some-later-kind \{"x":1\}$/, 'a kind of a newer supervisor: its fields');
});

test('every daemon, joined as it appears: a killed worker is exit then start, a stop ends with exiting; Ctrl-C ends it', async (t) => {
  const home = newHome(t);
  await startDaemon(home, ['--name', 'a', '--', process.execPath, WORKER]);
  const a = await workerRunning(home, 'a');
  const json = xdStart(home, ['events', '--json']);
  const text = xdStart(home, ['events', 'a']);
  t.after(() => {
    signal(json.pid, 'SIGKILL');
    signal(text.pid, 'SIGKILL');
  });
  const first = await waitFor('a\'s first record', () => recordsIn(json.stdout).find((r) => r.name === 'a'));
  assert.equal(first.kind, 'subscribed');
  assert.equal((first.status as { workerPid: number }).workerPid, a.workerPid);
  await waitFor('the text form following a', () => / a: following: running, supervisor \d+, worker \d+$/m.test(text.stdout));

  await startDaemon(home, ['--name', 'b', '--', process.execPath, WORKER]);
  await waitFor('b joined', () => recordsIn(json.stdout).some((r) => r.name === 'b' && r.kind === 'subscribed'), 10_000);

  signal(a.workerPid as number, 'SIGKILL');
  const restarted = await workerRunning(home, 'a', a.workerPid);
  const ofA = await waitFor('a\'s exit and start', () => {
    const kinds = recordsIn(json.stdout).filter((r) => r.name === 'a' && (r.kind === 'exit' || r.kind === 'start'));
    return kinds.length >= 2 ? kinds : undefined;
  });
  assert.deepEqual(ofA.map((r) => [r.kind, r.pid]), [['exit', a.workerPid], ['start', restarted.workerPid]]);
  assert.equal(ofA[0]?.signal, 'SIGKILL');
  await waitFor('the text line of the exit', () => new RegExp(`^\\S+Z a: worker exited: pid ${a.workerPid} after [\\d.]+ s with signal SIGKILL `, 'm').test(text.stdout));
  assert.doesNotMatch(text.stdout, / b: /, 'events a: only a');

  await xd(home, ['stop', 'b']);
  const ofB = await waitFor('b\'s last records', () => {
    const kinds = recordsIn(json.stdout).filter((r) => r.name === 'b').map((r) => r.kind);
    return kinds.includes('exiting') ? kinds : undefined;
  });
  assert.deepEqual(ofB.filter((k) => ['subscribed', 'stopping', 'stop', 'exiting'].includes(k)), ['subscribed', 'stopping', 'stop', 'exiting']);
  // b started again: joined again.
  await startDaemon(home, ['--name', 'b', '--', process.execPath, WORKER]);
  await waitFor('b joined again', () => recordsIn(json.stdout).filter((r) => r.name === 'b' && r.kind === 'subscribed').length === 2, 10_000);

  signal(json.pid, 'SIGINT');
  signal(text.pid, 'SIGINT');
  const [jsonExit, textExit] = await Promise.all([json.done, text.done]);
  assert.equal(jsonExit.code, 0, jsonExit.stderr);
  assert.equal(textExit.code, 0, textExit.stderr);
  assert.equal(jsonExit.stderr, '');
});

test('a name without a daemon is waited for, with a warning', async (t) => {
  const home = newHome(t);
  const proc = xdStart(home, ['events', 'later']);
  t.after(() => signal(proc.pid, 'SIGKILL'));
  await waitFor('the warning', () => proc.stderr.includes('xdaemon: no daemon named "later" (yet): its events follow once it starts'));
  await startDaemon(home, ['--name', 'later', '--', process.execPath, WORKER]);
  await waitFor('later followed', () => / later: following: running/.test(proc.stdout), 10_000);
  signal(proc.pid, 'SIGINT');
  assert.equal((await proc.done).code, 0);
});

test('a reader that stops reading: the supervisor drops it and goes on; once it reads, it is told and joined again', async (t) => {
  const home = newHome(t);
  // A worker that exits at once, restarted at once, forever: a hundred events a second or more.
  await startDaemon(home, ['--name', 'loop', '--min-exit-time', '0', '--', '/bin/sh', '-c', 'exit 0']);
  const child = spawn(process.execPath, [CLI, 'events', '--json'], { env: taggedEnv(home.env), stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => signal(child.pid as number, 'SIGKILL'));
  let stdout = '';
  const first = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  await first;
  // It stops reading: the pipe fills, the command blocks on it and reads no more of the supervisor.
  child.stdout.pause();
  const before = (await statusOf(home, 'loop')).status.starts;
  // Past what it can be sent before it is dropped, by a third: what the pipe and its own Node
  // buffer take (64 KB each, ~300 bytes a record), what the kernel takes of the socket (its send
  // buffer, ~700 bytes of it per small record), and the supervisor's bound (256 records); about
  // two records (exit, start) a start.
  const sendBuffer = Number(readFileSync('/proc/sys/net/core/wmem_default', 'utf8'));
  const records = (2 * 64 * 1024) / 300 + sendBuffer / 700 + 256;
  const enough = Math.ceil((records / 2) * 1.3);
  await waitForAsync(`${enough} more starts while it does not read`, async () => ((await statusOf(home, 'loop')).status.starts > before + enough ? true : undefined), 120_000, 250);
  child.stdout.resume();
  const dropped = await waitFor('the dropped record', () => recordsIn(stdout).find((r) => r.kind === 'dropped'), 30_000);
  assert.equal(dropped.name, 'loop');
  assert.match(String(dropped.reason), /reads too slowly/);
  const droppedAt = recordsIn(stdout).findIndex((r) => r.kind === 'dropped');
  const again = await waitFor('loop joined again', () => {
    const at = recordsIn(stdout).findIndex((r, i) => i > droppedAt && r.kind === 'subscribed');
    return at >= 0 ? at : undefined;
  }, 10_000);
  await waitFor('its events again', () => recordsIn(stdout).slice(again).some((r) => r.kind === 'start'), 10_000);
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(code, 0);
});

test('help names the verb', async () => {
  const home = newHome();
  const help = await xd(home, ['events', '--help']);
  assert.match(help.stdout, /^usage: xdaemon events \[NAME…\] \[--json\]/);
  assert.match((await xd(home, ['--help'])).stdout, /events \[NAME…\] \[--json\]/);
});

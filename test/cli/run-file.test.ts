/**
 * `xdaemon run FILE`, the container entrypoint, with real processes: every app of a fleet file in
 * the run process, each line labelled with its app (and instance) on run's stdout and stderr, or
 * JSON lines; nothing written in the state directory; SIGTERM stops every app and exits 0 with no
 * process left; an app that gives up makes run exit 1 (stopping the rest), or with --keep-running
 * leaves the rest running; --kill-timeout bounds the whole stop; /livez and /readyz answer over
 * loopback; bad input is one line and exit 2.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WORKER, assertCode, newHome, xd, xdStart } from '../support/cli';
import { cleanup, tempDir } from '../support/fixtures';
import { type Proc, freePort, isGone, signal, waitFor, withTimeout } from '../support/harness';

after(cleanup);

/** A fleet file of `apps` in a fresh directory; returns its path. */
function fleetFile(apps: readonly Record<string, unknown>[]): string {
  const file = join(tempDir(), 'xdaemon.config.json');
  writeFileSync(file, JSON.stringify({ apps }));
  return file;
}

/** The cli-worker fixture as an app (it prints `WORKER <pid>` and runs until SIGTERM). */
function workerApp(name: string, extra: Record<string, unknown> = {}, env: Record<string, string> = {}): Record<string, unknown> {
  return { name, command: process.execPath, args: [WORKER], env, ...extra };
}

/** The workers' pids of run's stdout, by label (`a[0]`, `b`). */
function workersOf(stdout: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const m of stdout.matchAll(/^(\S+?)\s*\| WORKER (\d+)/gm)) found.set(m[1] as string, Number(m[2]));
  return found;
}

/** The pid of `app`'s (first) worker from the supervisor's line about its start, written as it is spawned. */
function startedPid(stderr: string, app: string): number | undefined {
  const m = new RegExp(`^${app} +\\| \\S+Z xdaemon\\[\\d+\\] worker started: pid (\\d+)`, 'm').exec(stderr);
  return m === null ? undefined : Number(m[1]);
}

/** Waits until run has printed the WORKER line of each of `labels`; returns their pids. */
function waitWorkers(proc: Proc, labels: readonly string[]): Promise<Map<string, number>> {
  return waitFor(`WORKER lines of ${labels.join(', ')}`, () => {
    if (proc.child.exitCode !== null) throw new Error(`run exited: ${proc.stderr}`);
    const found = workersOf(proc.stdout);
    return labels.every((l) => found.has(l)) ? found : undefined;
  });
}

/** Polls until every pid is gone (a zombie counts as gone). */
async function assertAllGone(pids: Iterable<number>): Promise<void> {
  const all = [...pids];
  await waitFor(`pids ${all.join(', ')} gone`, () => all.every(isGone), 5000).catch(() => assert.fail(`left running: ${all.filter((p) => !isGone(p)).join(', ')}`));
}

async function get(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('run FILE: every line of each app labelled on run stdout and stderr; SIGTERM stops all, exit 0, nothing left, nothing written', async () => {
  const home = newHome();
  const file = fleetFile([
    workerApp('api', { instances: 2 }),
    { name: 'logger', command: 'sh', args: ['-c', 'echo to-err >&2; echo to-out; exec sleep 600'] },
    { name: 'stamped', command: 'sh', args: ['-c', 'echo with-time; exec sleep 600'], timestamps: true },
  ]);
  const proc = xdStart(home, ['run', file]);
  const workers = await waitWorkers(proc, ['api[0]', 'api[1]']);
  await waitFor('the logger lines', () => /^logger {2}\| to-out$/m.test(proc.stdout) && /^logger {2}\| to-err$/m.test(proc.stderr));
  // Labels are padded to the longest (stamped: seven wide); with timestamps, the time after the bar.
  assert.match(proc.stdout, /^api\[0\] {2}\| WORKER \d+/m);
  await waitFor('the stamped line', () => /^stamped \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z with-time$/m.test(proc.stdout));
  assert.match(proc.stderr, /^logger {2}\| \S+Z xdaemon\[\d+\] supervisor started for: sh /m, "the supervisor's lines, labelled, on stderr");
  assert.doesNotMatch(proc.stdout, /to-err|xdaemon\[/, 'stdout holds the workers\' stdout only');
  const sleeper = startedPid(proc.stderr, 'logger');
  const stamped = startedPid(proc.stderr, 'stamped');
  assert.ok(sleeper !== undefined && stamped !== undefined, proc.stderr);
  signal(proc.pid, 'SIGTERM');
  const exit = await withTimeout(proc.done, 15_000, 'run to exit');
  assertCode(exit, 0);
  await assertAllGone([...workers.values(), sleeper, stamped]);
  assert.match(exit.stderr, /exiting with code 0\n$/);
  assert.equal(existsSync(home.dir), false, 'nothing written in the state directory');
});

test("run FILE: an app with a log file of its own keeps it (its supervisor's lines also on run's stderr)", async () => {
  const home = newHome();
  const log = join(tempDir(), 'own.log');
  const file = fleetFile([workerApp('filed', { log }), workerApp('shown')]);
  const proc = xdStart(home, ['run', file]);
  await waitWorkers(proc, ['shown']);
  await waitFor('the worker in its own log', () => existsSync(log) && /^WORKER \d+/m.test(readFileSync(log, 'utf8')));
  assert.match(proc.stderr, /^filed +\| \S+Z xdaemon\[\d+\] worker started: pid \d+/m);
  signal(proc.pid, 'SIGTERM');
  const exit = await withTimeout(proc.done, 15_000, 'run to exit');
  assertCode(exit, 0);
  assert.doesNotMatch(exit.stdout, /filed/, "its lines are in its file, not on run's stdout");
  assert.match(readFileSync(log, 'utf8'), /xdaemon\[\d+\] supervisor exiting with code 0/, "its supervisor's lines in its file too");
});

test('run FILE --log-format json: one JSON object a line (time, app, instance, stream, line)', async () => {
  const home = newHome();
  const file = fleetFile([workerApp('one'), { name: 'two', command: 'sh', args: ['-c', 'echo "two says \\"hi\\""; echo oops >&2; exec sleep 600'] }]);
  const proc = xdStart(home, ['run', file, '--log-format', 'json']);
  const parse = (text: string): Record<string, unknown>[] => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  await waitFor('both apps\' lines', () => {
    const out = parse(proc.stdout);
    return out.some((r) => r.app === 'one') && out.some((r) => r.app === 'two') && parse(proc.stderr).some((r) => r.app === 'two' && r.stream === 'err');
  });
  signal(proc.pid, 'SIGTERM');
  const exit = await withTimeout(proc.done, 15_000, 'run to exit');
  assertCode(exit, 0);
  const out = parse(exit.stdout);
  for (const record of [...out, ...parse(exit.stderr)]) {
    assert.deepEqual(Object.keys(record), ['time', 'app', 'instance', 'stream', 'line'], JSON.stringify(record));
    assert.match(record.time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  assert.ok(out.some((r) => r.app === 'two' && r.instance === 0 && r.stream === 'out' && r.line === 'two says "hi"'), exit.stdout);
  assert.ok(out.some((r) => r.app === 'one' && r.instance === 0 && r.stream === 'out' && /^WORKER \d+/.test(r.line as string)), exit.stdout);
  const err = parse(exit.stderr);
  assert.ok(err.some((r) => r.app === 'two' && r.stream === 'err' && r.line === 'oops'), exit.stderr);
  assert.ok(err.some((r) => r.app === 'one' && r.instance === null && r.stream === 'xdaemon'), "the supervisor's lines about an app");
  assert.ok(err.some((r) => r.app === null && r.stream === 'xdaemon' && /exiting with code 0/.test(r.line as string)), "run's own lines");
});

test('run FILE: an app that gives up stops the others and run exits 1', async () => {
  const home = newHome();
  const file = fleetFile([workerApp('steady'), workerApp('flaky', { maxError: 0 }, { W_EXIT: '3' })]);
  const proc = xdStart(home, ['run', file]);
  const exit = await withTimeout(proc.done, 20_000, 'run to exit');
  assertCode(exit, 1);
  assert.match(exit.stderr, /stopping every app \(flaky gave up\)/);
  assert.match(exit.stderr, /exiting with code 1: flaky gave up\n$/);
  // Its worker may be stopped before it prints anything: its pid is the supervisor's line's.
  const steady = startedPid(exit.stderr, 'steady');
  assert.ok(steady !== undefined, exit.stderr);
  await assertAllGone([steady]);
});

test('run FILE --keep-running: an app that gives up leaves the others running; run exits 1 once stopped', async () => {
  const home = newHome();
  const file = fleetFile([workerApp('steady'), workerApp('flaky', { maxError: 0 }, { W_EXIT: '3' })]);
  const proc = xdStart(home, ['run', file, '--keep-running']);
  await waitFor('the give-up', () => /flaky gave up; the other apps keep running/.test(proc.stderr));
  const steady = (await waitWorkers(proc, ['steady'])).get('steady') as number;
  // Still there a while after the give-up.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(isGone(steady), false, 'the steady app still runs');
  assert.equal(proc.child.exitCode, null, 'run still runs');
  signal(proc.pid, 'SIGTERM');
  const exit = await withTimeout(proc.done, 15_000, 'run to exit');
  assertCode(exit, 1);
  await assertAllGone([steady]);
});

test('run FILE --kill-timeout: a worker that ignores SIGTERM (its own killTimeout a minute) is killed when the whole stop time has passed', async () => {
  const home = newHome();
  const file = fleetFile([workerApp('stubborn', { killTimeout: 60_000 }, { W_IGNORE_TERM: '1' })]);
  const proc = xdStart(home, ['run', file, '--kill-timeout', '800']);
  const pid = (await waitWorkers(proc, ['stubborn'])).get('stubborn') as number;
  const asked = Date.now();
  signal(proc.pid, 'SIGTERM');
  const exit = await withTimeout(proc.done, 15_000, 'run to exit');
  const took = Date.now() - asked;
  assertCode(exit, 0);
  assert.match(exit.stdout, /stubborn \| ignored SIGTERM/);
  assert.match(exit.stderr, /the kill timeout \(800 ms\) has passed: SIGKILL/);
  assert.ok(took < 8000, `the stop took ${took} ms`);
  await assertAllGone([pid]);
});

test('run FILE --probe-listen: /livez 200, /readyz 503 naming the app that is not ready, then 200', async () => {
  const home = newHome();
  const flag = join(tempDir(), 'ready-now');
  const port = await freePort();
  const file = fleetFile([workerApp('fast'), workerApp('slow', { waitReady: 30_000 }, { W_READY_ON: flag })]);
  const proc = xdStart(home, ['run', file, '--probe-listen', `127.0.0.1:${port}`]);
  await waitWorkers(proc, ['fast', 'slow']);
  assert.deepEqual(await get(port, '/livez'), { status: 200, body: { live: true } });
  assert.deepEqual(await get(port, '/readyz'), { status: 503, body: { ready: false, notReady: [{ app: 'slow', why: 'not ready yet' }] } });
  writeFileSync(flag, '');
  await waitFor('/readyz 200', async () => (await get(port, '/readyz')).status === 200);
  assert.deepEqual(await get(port, '/readyz'), { status: 200, body: { ready: true } });
  assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
  signal(proc.pid, 'SIGTERM');
  assertCode(await withTimeout(proc.done, 15_000, 'run to exit'), 0);
});

test('run FILE --probe-listen: with a health check, /readyz is 200 once the check passes', async () => {
  const home = newHome();
  const flag = join(tempDir(), 'healthy-now');
  const port = await freePort();
  const file = fleetFile([workerApp('svc', { health: `exec:test -e ${flag}`, healthInterval: 200 })]);
  const proc = xdStart(home, ['run', file, '--probe-listen', `127.0.0.1:${port}`]);
  await waitWorkers(proc, ['svc']);
  assert.deepEqual(await get(port, '/readyz'), { status: 503, body: { ready: false, notReady: [{ app: 'svc', why: 'not ready yet' }] } });
  writeFileSync(flag, '');
  await waitFor('/readyz 200', async () => (await get(port, '/readyz')).status === 200);
  signal(proc.pid, 'SIGTERM');
  assertCode(await withTimeout(proc.done, 15_000, 'run to exit'), 0);
});

test('run FILE --probe-listen: /livez 503 naming an app that gave up (while the others stop)', async () => {
  const home = newHome();
  const port = await freePort();
  // The steady app ignores SIGTERM for a while: run is still up, the give-up known, when probed.
  // The flaky one fails once steady has said so (it prints after taking SIGTERM).
  const go = join(tempDir(), 'fail-now');
  const file = fleetFile([
    workerApp('steady', { killTimeout: 3000 }, { W_IGNORE_TERM: '1' }),
    { name: 'flaky', command: 'sh', args: ['-c', `while [ ! -e ${go} ]; do sleep 0.02; done; exit 3`], maxError: 0 },
  ]);
  const proc = xdStart(home, ['run', file, '--probe-listen', `:${port}`]);
  await waitWorkers(proc, ['steady']);
  writeFileSync(go, '');
  await waitFor('the give-up', () => /stopping every app \(flaky gave up\)/.test(proc.stderr));
  assert.deepEqual(await get(port, '/livez'), { status: 503, body: { live: false, gaveUp: ['flaky'] } });
  const ready = await get(port, '/readyz');
  assert.equal(ready.status, 503);
  assertCode(await withTimeout(proc.done, 15_000, 'run to exit'), 1);
});

test('run FILE with dependsOn: a chain starts in order (each once the one before is up) and stops in reverse', async () => {
  const home = newHome();
  const flag = join(tempDir(), 'db-ready');
  const port = await freePort();
  const file = fleetFile([
    workerApp('web', { dependsOn: ['queue'] }),
    workerApp('queue', { dependsOn: 'db' }),
    workerApp('db', { waitReady: 30_000 }, { W_READY_ON: flag }),
  ]);
  const proc = xdStart(home, ['run', file, '--probe-listen', `127.0.0.1:${port}`]);
  await waitWorkers(proc, ['db']);
  // db runs, not ready: what depends on it has not started.
  const before = await get(port, '/readyz');
  assert.deepEqual(before.body.notReady, [
    { app: 'web', why: 'not started' },
    { app: 'queue', why: 'not started' },
    { app: 'db', why: 'not ready yet' },
  ]);
  writeFileSync(flag, '');
  await waitWorkers(proc, ['db', 'queue', 'web']);
  await waitFor('/readyz 200', async () => (await get(port, '/readyz')).status === 200);
  const runs = [...proc.stderr.matchAll(/xdaemon\[\d+\] runs (\w+):/g)].map((m) => m[1]);
  assert.deepEqual(runs, ['db', 'queue', 'web'], 'started in order');
  signal(proc.pid, 'SIGTERM');
  const exit = await withTimeout(proc.done, 15_000, 'run to exit');
  assertCode(exit, 0);
  const ended = [...exit.stderr.matchAll(/xdaemon\[\d+\] (\w+) ended \(code 0\)/g)].map((m) => m[1]);
  assert.deepEqual(ended, ['web', 'queue', 'db'], 'stopped in reverse');
});

test('run FILE: bad input is one line and exit 2, nothing started', async () => {
  const home = newHome();
  const file = fleetFile([{ name: 'a', command: 'sh', args: ['-c', 'echo STARTED; sleep 5'] }]);
  const cases: Array<[string[], RegExp]> = [
    [['run', file, '--probe-listen', 'nope'], /^xdaemon: --probe-listen "nope": .*PORT, :PORT, HOST:PORT/],
    [['run', file, '--probe-listen', 'unix:/tmp/p.sock'], /^xdaemon: --probe-listen "unix:\/tmp\/p.sock": an orchestrator probes a TCP port/],
    [['run', file, '--log-format', 'xml'], /^xdaemon: --log-format "xml": it is text or json/],
    [['run', file, '--max-count', '3'], /^xdaemon: --max-count does not go with a fleet file: set it in the file/],
    [['run', '--probe-listen', ':9000', '--', 'true'], /^xdaemon: --probe-listen goes with a fleet file/],
    [['run', fleetFile([{ name: 'a', command: 'sh', maxSize: '1M' }])], /app a: maxSize needs a log file under xdaemon run/],
    [['run', fleetFile([{ name: 'a', command: 'no-such-command-here' }])], /app a: .*no-such-command-here/],
    [['run', fleetFile([{ name: 'a', command: 'true', dependsOn: 'b' }, { name: 'b', command: 'true', dependsOn: 'a' }])], /app a: dependsOn.* a cycle: a -> b -> a/],
  ];
  for (const [args, message] of cases) {
    const exit = await xd(home, args);
    assertCode(exit, 2, args.join(' '));
    assert.equal(exit.stdout, '', `nothing started: ${args.join(' ')}`);
    const lines = exit.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, exit.stderr);
    assert.match(lines[0] as string, message);
  }
});

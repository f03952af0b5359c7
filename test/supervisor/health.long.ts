/**
 * Health checks end to end, through `xdaemon` with real processes and loopback sockets: servers
 * that call nothing of xdaemon (Python's http.server, a plain Node server) are ready at their first
 * passing check, so a reload under load fails no request and waits no fixed grace; a replacement
 * that holds the shared socket but never accepts is not taken for ready, though the check through
 * the port passes (the old worker answers it); a hung worker is replaced within
 * `healthInterval × healthRetries` and a start; a worker that never passes is a failed start; an
 * exec check knows the worker it checks.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type Home, assertCode, newHome, startDaemon, statusOf, waitForAsync, xd } from '../support/cli';
import { FIXTURES, cleanup, tempDir } from '../support/fixtures';
import { freePort, isGone } from '../support/harness';
import { skipUnlessTool } from '../support/tools';
import { get } from '../support/http-load';

after(cleanup);

const NODE = process.execPath;
const PY_APP = join(FIXTURES, 'plain-http.py');
const NODE_APP = join(FIXTURES, 'plain-http.cjs');
const python = spawnSync('python3', ['-c', 'pass']).status === 0;
// Outside CI a missing python3 skips its tests; under CI=true (which installs it) it fails the run.
const noPython = skipUnlessTool(python, 'python3', 'Debian: apt-get install python3');

/** Requests one after the other until `done()` (at most `max`, a bounded load); the answers' tally. */
async function clientLoop(port: number, keepAlive: boolean, done: () => boolean, max = 20_000) {
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
  const tally = { ok: 0, failures: [] as string[], bodies: new Set<string>() };
  try {
    for (let i = 0; i < max && !done(); i++) {
      const answer = await get(port, agent);
      if ('error' in answer) tally.failures.push(answer.error);
      else if (answer.status !== 200) tally.failures.push(`HTTP ${answer.status}`);
      else {
        tally.ok += 1;
        tally.bodies.add(answer.body.trim());
      }
    }
  } finally {
    if (agent !== false) agent.destroy();
  }
  return tally;
}

interface Instance {
  instance: number;
  workerPid?: number;
  ready: boolean;
  health?: { state: string; failures: number; lastFailure?: { answer: string; at: string } };
}
type Status = Awaited<ReturnType<typeof statusOf>>['status'] & { instances?: Instance[]; reloads?: number; health?: Instance['health'] };

async function statusNow(home: Home, name: string): Promise<Status> {
  return (await statusOf(home, name)).status as Status;
}

const logOf = async (home: Home, name: string): Promise<string> => (await xd(home, ['logs', name, '-n', '2000'])).stdout;

describe('readiness by a health check, for any language', () => {
  for (const app of [
    { name: 'py', command: ['python3', PY_APP], way: 'poll', needs: python },
    { name: 'node', command: [NODE, NODE_APP], way: 'epoll', needs: true },
  ]) {
    test(`${app.name === 'py' ? "Python's http.server" : 'a plain Node server'} on a held socket: 2 instances, ready at the first pass (seen ${app.way}), reloaded under load: no request fails, no grace is waited`, { skip: !app.needs && noPython }, async (t) => {
      const home = newHome(t);
      const port = await freePort();
      const started = await xd(home, ['start', '--name', app.name, '--listen', `127.0.0.1:${port}`, '--instances', '2', '--health', `http://127.0.0.1:${port}/`, '--env', `PORT=${port}`, '--', ...app.command]);
      assertCode(started, 0);
      // The start waits for the first worker's first pass, as it waits for ready() with --wait-ready.
      assert.match(started.stdout, /^started \S+: supervisor \d+, log .*, worker \d+ ready after \d+\.\d{3} s$/m);
      const first = await statusNow(home, app.name);
      assert.deepEqual(first.instances?.map((i) => [i.ready, i.health?.state]), [[true, 'healthy'], [true, 'healthy']]);
      for (const keepAlive of [false, true]) {
        let reloading = true;
        const loop = clientLoop(port, keepAlive, () => !reloading);
        try {
          for (let i = 0; i < 2; i++) assertCode(await xd(home, ['reload', app.name]), 0, `reload ${i + 1} (keep-alive ${keepAlive})`);
        } finally {
          reloading = false;
        }
        const tally = await loop;
        assert.deepEqual(tally.failures, [], `keep-alive ${keepAlive}: failed requests (${tally.ok} answered)`);
        assert.ok(tally.ok > 0, 'the loop made requests');
      }
      const log = await logOf(home, app.name);
      const swaps = [...log.matchAll(/reload: instance \d: new pid (\d+) (ready|up \(reload grace over, no ready\(\)\)) after \d+\.\d+ s: stopping old pid/g)];
      assert.equal(swaps.length, 8, log);
      assert.deepEqual([...new Set(swaps.map((m) => m[2]))], ['ready'], 'every replacement was ready: no grace was waited');
      for (const [, pid] of swaps) assert.match(log, new RegExp(`health: worker pid ${pid} passed its first check after \\d+\\.\\d{3} s \\(seen accepting: ${app.way}\\)`));
      const s = await statusNow(home, app.name);
      assert.deepEqual([s.reloads, s.starts, s.errors], [8, 2, 0]);
    });
  }

  test('a replacement that holds the shared socket but never accepts is not ready, though the check through the port passes: the reload fails, the old worker serves on', { skip: noPython }, async (t) => {
    const home = newHome(t);
    const port = await freePort();
    const stall = join(tempDir(), 'stall');
    await startDaemon(home, ['--name', 'py', '--listen', `127.0.0.1:${port}`, '--health', `http://127.0.0.1:${port}/`, '--health-start-period', '1500', '--env', `W_STALL=${stall}`, '--', 'python3', PY_APP]);
    const oldPid = (await statusNow(home, 'py')).workerPid as number;
    writeFileSync(stall, 'stall');
    let reloading = true;
    const loop = clientLoop(port, false, () => !reloading);
    const reload = await xd(home, ['reload', 'py']);
    reloading = false;
    assertCode(reload, 1);
    assert.match(reload.stderr, /instance 0: the replacement pid \d+ did not pass its health check within 1500 ms; the old worker pid \d+ keeps running/);
    const tally = await loop;
    assert.deepEqual(tally.failures, []);
    assert.deepEqual([...tally.bodies], [`py ${oldPid}`], 'only the old worker answered');
    assert.equal((await statusNow(home, 'py')).workerPid, oldPid);
  });

  test('a worker that never passes within healthStartPeriod: a failed start, saying what the check found', async (t) => {
    const home = newHome(t);
    const port = await freePort();
    const exit = await xd(home, ['start', '--name', 'never', '--health', `tcp:127.0.0.1:${port}`, '--health-start-period', '500', '--', NODE, '-e', 'setInterval(() => {}, 1000)']);
    assertCode(exit, 1);
    assert.match(exit.stderr, /did not pass its health check within 500 ms/);
    assert.match(await logOf(home, 'never'), new RegExp(`worker pid \\d+ did not pass its health check within 500 ms \\(last check: not seen accepting on port ${port}\\): stopping it`));
    // Its first worker never ready: the daemon gave up (errored), it was not stopped on request.
    assert.equal((await statusNow(home, 'never')).state, 'errored');
  });

  test('an exec check runs in the working directory with XDAEMON_INSTANCE and XDAEMON_WORKER_PID', async (t) => {
    const home = newHome(t);
    const dir = tempDir();
    await startDaemon(home, ['--name', 'ex', '--cwd', dir, '--instances', '2', '--health', 'exec:echo "$XDAEMON_INSTANCE $XDAEMON_WORKER_PID" >> seen', '--', NODE, '-e', 'setInterval(() => {}, 1000)']);
    const s = await statusNow(home, 'ex');
    const seen = readFileSync(join(dir, 'seen'), 'utf8');
    for (const i of s.instances ?? []) assert.match(seen, new RegExp(`^${i.instance} ${i.workerPid}$`, 'm'));
  });
});

describe('liveness', () => {
  test('a worker that stops answering while it stays alive is replaced within healthInterval × healthRetries + one start, counted in restarts', async (t) => {
    const home = newHome(t);
    const port = await freePort();
    const hang = join(tempDir(), 'hang');
    const [interval, retries, timeout] = [300, 2, 200];
    await startDaemon(home, [
      '--name', 'web', '--listen', `127.0.0.1:${port}`, '--kill-timeout', '300', '--env', `PORT=${port}`, '--env', `W_HANG=${hang}`,
      '--health', `http://127.0.0.1:${port}/`, '--health-interval', String(interval), '--health-retries', String(retries), '--health-timeout', String(timeout),
      '--', NODE, NODE_APP,
    ]);
    const oldPid = (await statusNow(home, 'web')).workerPid as number;
    writeFileSync(hang, String(oldPid));
    const now = await waitForAsync('a new, healthy worker', async () => {
      const s = await statusNow(home, 'web');
      return s.workerPid !== oldPid && s.health?.state === 'healthy' ? s : undefined;
    });
    const log = await logOf(home, 'web');
    const hungAt = Number(/^HANG \d+ (\d+)$/m.exec(log)?.[1]);
    const at = (re: RegExp): number => Date.parse((re.exec(log) ?? [''])[0].slice(0, 24));
    const readyAt = at(new RegExp(`^\\S+ xdaemon\\[\\d+\\] health: worker pid ${now.workerPid} passed its first check after (\\d+\\.\\d+) s`, 'm'));
    const startup = Number(new RegExp(`health: worker pid ${now.workerPid} passed its first check after (\\d+\\.\\d+) s`).exec(log)?.[1]) * 1000;
    // From the hang to the new worker's first pass: the failing checks (each at most its timeout
    // after the last passing one's interval), then one start; 500 ms for a loaded machine.
    const bound = interval * retries + timeout + startup + 500;
    assert.ok(readyAt - hungAt <= bound, `replaced after ${readyAt - hungAt} ms, bound ${bound} ms\n${log}`);
    assert.match(log, new RegExp(`health: worker pid ${oldPid} is unhealthy: ${retries} failed checks in a row, the last: no answer within ${timeout} ms`));
    assert.match(log, new RegExp(`health: replacing worker pid ${oldPid} \\(${retries} failed checks in a row, the last: no answer within ${timeout} ms\\)`));
    assert.equal(now.restarts, 1, 'counted in restarts');
    assert.equal(now.errors, 0, 'never in errors');
    assert.ok(await waitForAsync('the hung worker gone', async () => isGone(oldPid) || undefined));
  });
});

test('bad input: one line naming the setting (and the app), exit 2, nothing started', async () => {
  const home = newHome();
  for (const [args, line] of [
    [['--health', 'localhost:80'], 'xdaemon: --health: health is not a health check: "localhost:80" is none of http://HOST:PORT/PATH, tcp:HOST:PORT, exec:COMMAND'],
    [['--health', 'tcp:1', '--health-interval', '50'], 'xdaemon: --health-interval: healthInterval must be at least 100 ms, got 50'],
    [['--health', 'tcp:1', '--health-interval', '1000', '--health-timeout', '3000'], 'xdaemon: --health-timeout must be at most --health-interval (1000 ms), got 3000 ms'],
    [['--health-retries', '2'], 'xdaemon: --health-retries cannot apply: it tunes the health check, and health is not set (give health too)'],
  ] as const) {
    const exit = await xd(home, ['start', '--name', 'x', ...args, '--', NODE, '-e', '1']);
    assertCode(exit, 2, args.join(' '));
    assert.equal(exit.stderr, `${line}\n`);
  }
  const file = join(tempDir(), 'xdaemon.config.js');
  writeFileSync(file, "module.exports = { apps: [{ name: 'w', command: 'true', health: 'tcp:1', healthInterval: 1000, healthTimeout: 5000 }] };\n");
  const fleet = await xd(home, ['start', file]);
  assertCode(fleet, 2);
  assert.equal(fleet.stderr, `xdaemon: ${file}: app w: healthTimeout must be at most healthInterval (1000 ms), got 5000 ms\n`);
  assert.equal((await xd(home, ['list', '--json'])).stdout, '[]\n');
});

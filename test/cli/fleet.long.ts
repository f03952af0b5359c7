/**
 * Fleet files end to end, as a user types them, against real daemons: a JSON file and a JS file
 * (a function returning the object) with three apps (one crashing, one with env_production):
 * start, start again (untouched), list, restart one with --only, stop the file, delete it; a real
 * pm2 ecosystem file whose processes get the right arguments, working directory, environment and
 * limits; bad files refused whole (exit 2, the file named, nothing started); pm2's one-liner
 * `start server.js`; save → stop --all → resurrect with the current environment; startup --dry-run
 * verified by systemd-analyze; install FILE.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readlinkSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SETTINGS } from '../../src/settings/table';
import { WORKER, assertCode, newHome, statusOf, waitForAsync, workerRunning, xd, type Home } from '../support/cli';
import { ROOT, cleanup, readText, tempDir } from '../support/fixtures';
import { waitFor } from '../support/harness';
import { findCommand, skipUnlessTool } from '../support/tools';

after(cleanup);

const NODE = process.execPath;

/**
 * `/proc/PID/cmdline`, `cwd` and `environ` of a process; a Node worker's cluster-mode preload
 * (`--require …/listen-preload.js`, right after node) is left out of its argv.
 */
function proc(pid: number): { argv: string[]; cwd: string; env: Record<string, string> } {
  const all = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  const argv = all[1] === '--require' && all[2]?.endsWith('/listen-preload.js') === true ? [all[0] as string, ...all.slice(3)] : all;
  const env = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  return { argv, cwd: readlinkSync(`/proc/${pid}/cwd`), env };
}

/** The names that have a record in the state directory. */
function recorded(home: Home): string[] {
  return existsSync(home.dir) ? readdirSync(home.dir).filter((f) => f.endsWith('.json') && !f.startsWith('.')).map((f) => f.slice(0, -5)).sort() : [];
}

/** A directory with the worker fixture as `w.cjs` and a fleet file written into it. */
function project(file: string, text: string): { dir: string; file: string } {
  const dir = tempDir();
  copyFileSync(WORKER, join(dir, 'w.cjs'));
  writeFileSync(join(dir, file), text);
  return { dir, file: join(dir, file) };
}

const THREE_APPS = {
  apps: [
    { name: 'web', script: 'w.cjs', args: ['--port', '8080'], env: { W_SHOW_ENV: 'MODE', MODE: 'dev' }, env_production: { MODE: 'prod' } },
    { name: 'crash', script: 'w.cjs', env: { W_EXIT: '3' }, maxError: 1, restartDelay: 50 },
    { name: 'tick', command: NODE, args: ['w.cjs'], env: { W_TICK: '100' } },
  ],
};

async function threeApps(t: import('node:test').TestContext, dir: string, file: string): Promise<void> {
  const home = newHome(t);
  const started = await xd(home, ['start', file, '--env', 'production'], { cwd: dir });
  // The crashing one did not come up: exit 1, the others started.
  assertCode(started, 1, 'start FILE');
  for (const name of ['web', 'tick']) assert.match(started.stdout, new RegExp(`^started ${name}: supervisor \\d+`, 'm'));
  assert.match(started.stderr, /^xdaemon: crash did not come up: its worker pid \d+ exited with code 3 after /m);
  const web = await workerRunning(home, 'web');
  const tick = await workerRunning(home, 'tick');
  await waitFor('web\'s env line', () => readText(web.logFile).includes('env MODE=prod'));
  assert.deepEqual(proc(web.workerPid as number).argv, [NODE, join(dir, 'w.cjs'), '--port', '8080']);
  assert.equal(proc(tick.workerPid as number).cwd, dir, 'relative to the file\'s directory');
  // The crashing one gives up by itself (maxError 1): its supervisor ends, exit 1 in its log.
  await waitFor('crash to give up', async () => (await statusOf(home, 'crash')).status.state === 'errored' || undefined);

  const list = await xd(home, ['list']);
  assertCode(list, 0);
  assert.match(list.stdout, new RegExp(`^\\d+ +web +running +${web.pid} `, 'm'));
  assert.match(list.stdout, new RegExp(`^\\d+ +tick +running +${tick.pid} `, 'm'));
  assert.match(list.stdout, /^\d+ +crash +errored /m);

  // Again: what runs is named and untouched; the stopped one is started.
  const again = await xd(home, ['start', file], { cwd: dir });
  assertCode(again, 1, 'start FILE again');
  assert.match(again.stdout, new RegExp(`^web already runs: supervisor ${web.pid} \\(untouched\\)$`, 'm'));
  assert.match(again.stdout, new RegExp(`^tick already runs: supervisor ${tick.pid} \\(untouched\\)$`, 'm'));
  assert.match(again.stderr, /^xdaemon: crash did not come up: /m);

  // restart --only web: a new supervisor with the file's current settings (no env set now: dev);
  // in the host that runs them all (tick keeps it running), a new supervision of web's.
  const restarted = await xd(home, ['restart', file, '--only', 'web'], { cwd: dir });
  assertCode(restarted, 0, 'restart --only web');
  assert.match(restarted.stdout, /^started web: supervisor \d+, .*\(restarted with the file's settings\)$/m);
  assert.doesNotMatch(restarted.stdout, /tick|crash/);
  const web2 = await workerRunning(home, 'web');
  assert.notEqual(web2.startedAt, web.startedAt, 'a new supervision');
  assert.equal(web2.host?.pid, tick.pid, 'in the host of the others');
  assert.equal(proc(web2.workerPid as number).env.MODE, 'dev');
  assert.equal((await statusOf(home, 'tick')).status.pid, tick.pid, 'tick untouched');

  const stopped = await xd(home, ['stop', file], { cwd: dir });
  assertCode(stopped, 0, 'stop FILE');
  for (const name of ['web', 'tick']) assert.match(stopped.stdout, new RegExp(`^stopped ${name}$`, 'm'));
  for (const name of ['web', 'tick']) assert.equal((await statusOf(home, name)).status.state, 'stopped');
  await waitFor('crash to give up again', async () => (await statusOf(home, 'crash')).status.state === 'errored' || undefined);

  const deleted = await xd(home, ['delete', file], { cwd: dir });
  assertCode(deleted, 0, 'delete FILE');
  assert.deepEqual(recorded(home), []);
}

describe('a fleet file of three apps', () => {
  test('JSON: start, again, list, restart --only, stop, delete', async (t) => {
    const { dir, file } = project('apps.json', JSON.stringify(THREE_APPS));
    await threeApps(t, dir, file);
  });
  test('JS (a function returning the object), found by its default name', async (t) => {
    const { dir } = project('xdaemon.config.js', `module.exports = () => (${JSON.stringify(THREE_APPS)});\n`);
    // Without FILE: start finds xdaemon.config.js; the other verbs take its name.
    const home = newHome(t);
    const started = await xd(home, ['start', '--env', 'production'], { cwd: dir });
    assertCode(started, 1, 'start (default file): crash did not come up');
    assert.match(started.stdout, /^started web: /m);
    assertCode(await xd(home, ['delete', 'xdaemon.config.js'], { cwd: dir }), 0);
    await threeApps(t, dir, join(dir, 'xdaemon.config.js'));
  });
});

describe('a pm2 ecosystem file, as it is', () => {
  test('its keys map: script, args, cwd, node_args, env_production, logs, limits; a key not carried out warns', async (t) => {
    const home = newHome(t);
    const { dir } = project(
      'ecosystem.config.js',
      `module.exports = {
  apps: [{
    name: 'api',
    script: './w.cjs',
    cwd: '.',
    args: '--port 8080 "two words"',
    node_args: '--max-old-space-size=64',
    env: { W_SHOW_ENV: 'NODE_ENV', NODE_ENV: 'development', PORT: 3000 },
    env_production: { NODE_ENV: 'production' },
    out_file: 'logs/api-out.log',
    error_file: 'logs/api-err.log',
    max_restarts: 7,
    min_uptime: '2s',
    restart_delay: 250,
    kill_timeout: 1600,
    treekill: true,
    autorestart: true,
    stop_exit_codes: [0, 3],
    time: true,
    exec_mode: 'fork',
    instances: 1,
    max_memory_restart: '64M',
    vizion: false,
  }],
};
`,
    );
    mkdirSync(join(dir, 'logs'));
    const exit = await xd(home, ['start', 'ecosystem.config.js', '--env', 'production'], { cwd: dir });
    assertCode(exit, 0, 'start ecosystem.config.js');
    assert.match(exit.stderr, /^xdaemon: warning: .*ecosystem\.config\.js: app api: pm2 key vizion is not carried out$/m);
    if (!('maxMemory' in SETTINGS)) assert.match(exit.stderr, /: app api: pm2 key max_memory_restart is not carried out$/m);
    const api = await workerRunning(home, 'api');
    const p = proc(api.workerPid as number);
    assert.deepEqual(p.argv, [NODE, '--max-old-space-size=64', join(dir, 'w.cjs'), '--port', '8080', 'two words']);
    assert.equal(p.cwd, dir);
    assert.equal(p.env.NODE_ENV, 'production');
    assert.equal(p.env.PORT, '3000');
    assert.equal(api.logFile, join(dir, 'logs', 'api-out.log'));
    assert.equal((api as unknown as { maxError: number }).maxError, 7);
    await waitFor('the worker\'s line, timestamped', () => /^\d{4}-\d\d-\d\dT\S+ out WORKER /m.test(readText(api.logFile)));
    assert.match(readText(api.logFile), /maxError 7, minExitTime 2 s/);
    const record = JSON.parse(readFileSync(join(home.dir, 'api.json'), 'utf8')) as { settings: Record<string, unknown> };
    if ('maxMemory' in SETTINGS) assert.equal(record.settings.maxMemory, 64 * 1024 * 1024, "max_memory_restart '64M' in bytes");
    assert.deepEqual(
      { ...record.settings, maxMemory: undefined },
      {
        maxError: 7,
        minExitTime: 2,
        restartDelay: 250,
        killTimeout: 1600,
        killMode: 'group',
        restart: 'on-failure',
        successExitCodes: [3],
        timestamps: true,
        errFile: join(dir, 'logs', 'api-err.log'),
        maxMemory: undefined,
        ...('instances' in SETTINGS ? { instances: 1 } : {}),
      },
    );
  });
});

describe("pm2 exec_mode 'cluster'", () => {
  test('instances share the port of env.PORT: an app that listens on process.env.PORT runs unchanged', { skip: 'listen' in SETTINGS ? false : 'this build has no listen setting' }, async (t) => {
    const home = newHome(t);
    const port = await new Promise<number>((done) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as AddressInfo;
        server.close(() => done(p));
      });
    });
    const { dir } = project('ecosystem.config.js', `module.exports = { apps: [{ name: 'web', script: 'srv.js', exec_mode: 'cluster', instances: 2, env: { PORT: '${port}' } }] };\n`);
    writeFileSync(join(dir, 'srv.js'), "require('http').createServer((q, r) => r.end(String(process.pid))).listen(process.env.PORT);\n");
    const exit = await xd(home, ['start', 'ecosystem.config.js'], { cwd: dir });
    assertCode(exit, 0);
    assert.doesNotMatch(exit.stderr, /exec_mode/);
    await waitForAsync('both instances running', async () => {
      const list = (await xd(home, ['list'])).stdout;
      return /^ +web\[0\] +(running|ready) /m.test(list) && /^ +web\[1\] +(running|ready) /m.test(list) ? true : undefined;
    });
    // A new connection each time (no keep-alive): the kernel hands each to one of the two.
    const answer = (): Promise<string> =>
      new Promise((done, fail) => {
        const req = httpGet({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => done(body));
        });
        req.on('error', fail);
      });
    const seen = new Set<string>();
    for (let i = 0; i < 400 && seen.size < 2; i++) {
      try {
        seen.add(await answer());
      } catch {
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    assert.equal(seen.size, 2, `answers from both instances: ${[...seen].join(', ')}`);
  });
});

describe('reload FILE', () => {
  test('reloads what runs as the file says (a restart for one whose workers share no socket), restarts what the file changed', async (t) => {
    const home = newHome(t);
    const app = (maxError: number): string => JSON.stringify({ apps: [{ name: 'r1', script: 'w.cjs', reloadGrace: 100 }, { name: 'r2', script: 'w.cjs', reloadGrace: 100, maxError }] });
    const { dir, file } = project('apps.json', app(3));
    assertCode(await xd(home, ['start', file], { cwd: dir }), 0);
    const r1 = await workerRunning(home, 'r1');
    const r2 = await workerRunning(home, 'r2');
    writeFileSync(file, app(6));
    const exit = await xd(home, ['reload', file], { cwd: dir });
    assertCode(exit, 0, 'reload FILE');
    assert.match(exit.stdout, /^restarted r1: worker \d+ \(its workers share no socket, so the reload was a restart: /m);
    assert.match(exit.stdout, /^started r2: supervisor \d+, .*\(restarted: the file changed it, which a reload cannot apply\)$/m);
    const r1b = (await statusOf(home, 'r1')).status;
    assert.deepEqual([r1b.pid, r1b.startedAt], [r1.pid, r1.startedAt], 'r1: the same supervisor, new workers');
    const r2b = (await statusOf(home, 'r2')).status;
    // Both run in the host (r1 keeps it running): r2's is a new supervision there.
    assert.notEqual(r2b.startedAt, r2.startedAt, 'r2: a new supervisor');
    assert.equal((r2b as unknown as { maxError: number }).maxError, 6);
  });
});

describe('pm2 wait_ready', () => {
  test("the app's process.send('ready') is its ready(): start returns once it is sent", async (t) => {
    const home = newHome(t);
    const { dir } = project(
      'ecosystem.config.js',
      "module.exports = { apps: [{ name: 'r', script: 'ready.js', wait_ready: true, listen_timeout: 10000 }] };\n",
    );
    writeFileSync(join(dir, 'ready.js'), "setTimeout(() => { console.log(`SENT ${process.pid}`); process.send('ready'); }, 300);\nsetInterval(() => {}, 1 << 30);\n");
    const exit = await xd(home, ['start', 'ecosystem.config.js'], { cwd: dir });
    assertCode(exit, 0, 'start with wait_ready');
    const m = /^started r: supervisor \d+, log (\S+), worker (\d+) ready after (\d+\.\d+) s$/m.exec(exit.stdout);
    assert.ok(m, exit.stdout);
    assert.ok(Number(m[3]) >= 0.3, `ready after the send, not before: ${m[3]} s`);
    await waitFor('the send line', () => readText(m[1] as string).includes(`SENT ${m[2]}`));
  });
});

describe('bad files: exit 2, one line naming the file (and the app and key), nothing started', () => {
  const cases: [string, string, string, RegExp][] = [
    ['a syntax error', 'ecosystem.config.js', 'module.exports = { apps: [ { name: "a", script: "w.cjs" }, ];\n}', /ecosystem\.config\.js: cannot load it: SyntaxError/],
    ['no apps', 'xdaemon.config.json', '{ "services": [] }', /xdaemon\.config\.json: no apps/],
    ['apps missing', 'xdaemon.config.json', '{}', /xdaemon\.config\.json: no apps/],
    ['an expression in a .json (pm2 would run it)', 'ecosystem.json', '{ apps: [{ name: "a", script: "w.cjs", env: { HOME2: process.env.HOME + "x" } }] }', /ecosystem\.json: cannot parse it as JSON5 .*: JSON5: invalid character 'p'/],
    ['a YAML syntax error', 'ecosystem.yml', 'apps:\n  - name: a\n    script: [w.cjs\n', /ecosystem\.yml: cannot parse it as YAML: /],
    ['two apps with one name', 'xdaemon.config.json', '{ "apps": [{ "name": "a", "script": "w.cjs" }, { "name": "a", "script": "w.cjs" }] }', /xdaemon\.config\.json: app a: two apps are named "a"/],
    ['a missing script', 'xdaemon.config.json', '{ "apps": [{ "name": "a", "script": "w.cjs" }, { "name": "b", "script": "gone.js" }] }', /xdaemon\.config\.json: app b: script .*gone\.js does not exist/],
    ['a bad value', 'xdaemon.config.json', '{ "apps": [{ "name": "a", "script": "w.cjs", "min_uptime": "soon" }] }', /xdaemon\.config\.json: app a: min_uptime must be milliseconds/],
    ['a setting out of range', 'xdaemon.config.json', '{ "apps": [{ "name": "a", "script": "w.cjs", "maxError": -1 }] }', /xdaemon\.config\.json: app a: maxError: maxError must be a finite number >= 0/],
  ];
  for (const [what, name, text, re] of cases) {
    test(what, async (t) => {
      const home = newHome(t);
      const { dir } = project(name, text);
      const exit = await xd(home, ['start', name], { cwd: dir });
      assertCode(exit, 2, what);
      assert.equal(exit.stderr.split('\n').length, 2, `one line: ${exit.stderr}`);
      assert.match(exit.stderr, re);
      assert.equal(exit.stdout, '');
      assert.deepEqual(recorded(home), [], 'nothing started');
    });
  }
});

describe("pm2's one-liner", () => {
  test('start server.js --name api -- --port 8080: this node runs it; an executable runs as is', async (t) => {
    const home = newHome(t);
    const { dir } = project('unused.json', '{}');
    const exit = await xd(home, ['start', 'w.cjs', '--name', 'api', '--', '--port', '8080'], { cwd: dir });
    assertCode(exit, 0);
    const api = await workerRunning(home, 'api');
    assert.deepEqual(proc(api.workerPid as number).argv, [NODE, join(dir, 'w.cjs'), '--port', '8080']);
    writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\nexec sleep 100\n');
    chmodSync(join(dir, 'run.sh'), 0o755);
    assertCode(await xd(home, ['start', 'run.sh'], { cwd: dir }), 0);
    const sh = await workerRunning(home, 'run');
    assert.equal(proc(sh.workerPid as number).argv[0], 'sleep');
  });
  test('a .ts script runs through its own installed tsx; without one, a clear error', async (t) => {
    const home = newHome(t);
    const dir = tempDir();
    writeFileSync(join(dir, 'app.ts'), "const n: number = 1;\nconsole.log(`TS ${process.pid} ${n}`);\nsetInterval(() => {}, 1 << 30);\n");
    const none = await xd(home, ['start', 'app.ts'], { cwd: dir });
    assertCode(none, 2);
    assert.match(none.stderr, /^xdaemon: script .*app\.ts is TypeScript and no loader is installed for it: npm install --save-dev tsx/);
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(join(ROOT, 'node_modules', 'tsx'), join(dir, 'node_modules', 'tsx'));
    assertCode(await xd(home, ['start', 'app.ts'], { cwd: dir }), 0);
    const app = await workerRunning(home, 'app');
    await waitFor('the TypeScript worker\'s line', () => readText(app.logFile).includes(`TS ${app.workerPid} 1`));
  });
});

describe('save, resurrect', () => {
  test('save → stop --all → resurrect brings back exactly the saved set, with the current environment', async (t) => {
    const home = newHome(t);
    const { dir } = project('unused.json', '{}');
    const shell = { FROM_SHELL: 'old' };
    for (const name of ['a', 'b', 'c']) {
      assertCode(await xd(home, ['start', 'w.cjs', '--name', name, '--env', `OWN=${name}`], { cwd: dir, env: shell }), 0);
    }
    await workerRunning(home, 'c');
    assertCode(await xd(home, ['stop', 'c']), 0);
    const saved = await xd(home, ['save']);
    assertCode(saved, 0);
    assert.equal(saved.stdout, 'saved 2 daemons: a, b (xdaemon resurrect starts them)\n');
    assertCode(await xd(home, ['stop', '--all']), 0);
    // An empty list is not saved over the non-empty one.
    const empty = await xd(home, ['save']);
    assertCode(empty, 1);
    assert.match(empty.stderr, /no daemon runs: the saved list \(a, b\) was kept/);

    const back = await xd(home, ['resurrect'], { env: { FROM_SHELL: 'new' } });
    assertCode(back, 0, 'resurrect');
    assert.match(back.stdout, /^started a: /m);
    assert.match(back.stdout, /^started b: /m);
    for (const name of ['a', 'b']) {
      const s = await workerRunning(home, name);
      const env = proc(s.workerPid as number).env;
      assert.equal(env.FROM_SHELL, 'new', 'the current environment, not the saving one');
      assert.equal(env.OWN, name, 'plus its recorded --env');
    }
    assert.equal((await statusOf(home, 'c')).status.state, 'stopped', 'c was not saved');
    const again = await xd(home, ['resurrect']);
    assertCode(again, 0);
    assert.match(again.stdout, /^a already runs: /m);
  });
});

describe('startup, install FILE', () => {
  const skip = skipUnlessTool(findCommand('systemd-analyze'), 'systemd-analyze', 'Debian: apt-get install systemd');

  test('startup --dry-run prints a oneshot unit (resurrect, stop --all) that systemd-analyze verifies', { skip }, async () => {
    const home = newHome();
    const root = tempDir();
    const exit = await xd(home, ['startup', '--dry-run', '--backend', 'systemd', '--root', root]);
    assertCode(exit, 0);
    const unit = /^would write (\S+) \(systemd\):\n([\s\S]*?)\nwould run:/.exec(exit.stdout);
    assert.ok(unit, exit.stdout);
    const text = unit[2] as string;
    const cli = join(ROOT, 'dist', 'cli.js');
    assert.match(text, new RegExp(`\\nExecStart="${NODE}" "${cli}" "resurrect"\\n`));
    assert.match(text, new RegExp(`\\nExecStop="${NODE}" "${cli}" "stop" "--all"\\n`));
    assert.match(text, /\nType=oneshot\nRemainAfterExit=yes\n/);
    assert.match(text, new RegExp(`\\nEnvironment="XDAEMON_HOME=${home.dir}"\\n`));
    const file = join(tempDir(), 'xdaemon-resurrect.service');
    writeFileSync(file, `${text}\n`);
    const res = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(res.status, 0, `${res.stdout}${res.stderr}`);
    assert.equal(`${res.stdout}${res.stderr}`.split('\n').filter((l) => l.includes(file)).join('\n'), '');
  });

  test('startup --user installs through the service manager; status warns when what it runs is gone; unstartup', async (t) => {
    const dir = tempDir();
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const calls = join(dir, 'calls');
    writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho "$*" >> '${calls}'\n`, { mode: 0o755 });
    const user = join(dir, 'home');
    const home = newHome(t, { HOME: user, XDG_CONFIG_HOME: join(user, '.config'), PATH: `${bin}:${process.env.PATH ?? ''}` });
    const unit = join(user, '.config', 'systemd', 'user', 'xdaemon-resurrect.service');
    const installed = await xd(home, ['startup', '--user', '--backend', 'systemd']);
    assertCode(installed, 0);
    assert.match(installed.stdout, /^installed xdaemon-resurrect: .*xdaemon-resurrect\.service \(systemd, user service\): at login it runs xdaemon resurrect/);
    assert.match(readText(unit), /\nExecStop=/);
    assert.equal(readText(calls), '--user daemon-reload\n--user enable xdaemon-resurrect.service\n');
    // What status checks: the recorded node and xdaemon; one of them gone (a Node upgrade).
    const record = join(home.dir, '.startup.json');
    const startup = JSON.parse(readText(record)) as { node: string };
    assert.equal(startup.node, NODE);
    assert.equal((await xd(home, ['status'])).stderr, '');
    writeFileSync(record, JSON.stringify({ ...startup, node: join(dir, 'old-node', 'bin', 'node') }));
    const warned = await xd(home, ['status']);
    assert.match(warned.stderr, /^xdaemon: warning: the startup service xdaemon-resurrect runs .*old-node\/bin\/node, which no longer exists .*xdaemon startup --user --force/m);
    const removed = await xd(home, ['unstartup', '--backend', 'systemd']);
    assertCode(removed, 0);
    assert.equal(existsSync(unit), false, 'the unit is removed');
    assert.equal(existsSync(record), false);
  });

  test('install FILE --only: one unit per app (dry run); a setting the manager lacks warns', async () => {
    const home = newHome();
    const { dir } = project('ecosystem.config.js', `module.exports = { apps: [
      { name: 'api', script: 'w.cjs', args: ['--port', '80'], env: { A: '1' }, kill_timeout: 3000, max_restarts: 5 },
      { name: 'worker', script: 'w.cjs' },
      { name: 'other', script: 'w.cjs' },
    ] };\n`);
    const root = tempDir();
    const exit = await xd(home, ['install', 'ecosystem.config.js', '--only', 'api,worker', '--dry-run', '--backend', 'systemd', '--root', root], { cwd: dir });
    assertCode(exit, 0);
    assert.match(exit.stdout, new RegExp(`would write ${root}/etc/systemd/system/api.service \\(systemd\\):`));
    assert.match(exit.stdout, new RegExp(`\\nExecStart="${NODE}" "${join(dir, 'w.cjs')}" "--port" "80"\\n`));
    assert.match(exit.stdout, /\nTimeoutStopSec=3\n/);
    assert.match(exit.stdout, /\nEnvironment="A=1"\n/);
    assert.match(exit.stdout, /would write .*\/worker\.service/);
    assert.doesNotMatch(exit.stdout, /other\.service/);
    assert.match(exit.stderr, /app api: maxError is not carried out by a service manager/);
  });
});

/**
 * pm2's ecosystem files as pm2 reads them, against real daemons, with fixtures shaped like real
 * files found in public repositories (their facts, not their code): a `.json` written as
 * JavaScript (comments, unquoted keys, single quotes, trailing commas, `cmd` for `script`, a name
 * with a space, a null in `args`), a YAML file whose top level is one app, a config in a subfolder
 * whose paths are the shell's (pm2 7), `./logs/*.log` in a folder that does not exist, `script:
 * 'npm run start'`-like command lines, `--env production` without `env_production`, a typo
 * (`instance`) warned with the key it missed, every problem of a file at once; and the front door:
 * an argument is a config file by its name, never by loading it (a script that writes a marker
 * when loaded writes it from its worker only).
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { WORKER, assertCode, newHome, waitForAsync, workerRunning, xd, type Home } from '../support/cli';
import { ROOT, cleanup, readText, tempDir } from '../support/fixtures';
import { waitFor } from '../support/harness';

after(cleanup);

const NODE = process.execPath;
/** A Node app of a named daemon runs in cluster mode: the listen preload comes first. */
const CLUSTER = ['--require', join(ROOT, 'dist', 'listen-preload.js')];

/** `/proc/PID/cmdline`, `cwd` and `environ` of a process. */
function proc(pid: number): { argv: string[]; cwd: string; env: Record<string, string> } {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  const env = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  return { argv, cwd: readlinkSync(`/proc/${pid}/cwd`), env };
}

/** A project directory with the worker fixture as `w.cjs` and `files` written into it (folders made). */
function project(files: Record<string, string>): string {
  const dir = tempDir();
  copyFileSync(WORKER, join(dir, 'w.cjs'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** The records in the state directory (file names). */
function recordFiles(home: Home): string[] {
  return existsSync(home.dir) ? readdirSync(home.dir).filter((f) => f.endsWith('.json')).sort() : [];
}

describe('pm2 files as pm2 reads them', () => {
  test('a .json written as JavaScript, cmd, a name with a space, a null in args: runs as pm2 runs it, shown as written', async (t) => {
    const home = newHome(t);
    const dir = project({
      'process.json': `// as pm2 reads it: comments, unquoted keys, single quotes, trailing commas
{
  apps: [
    {
      name: 'Loose app',
      cmd: 'w.cjs',           /* pm2's alias of script */
      args: ['a', null, 'b'],
      env: { W_SHOW_ENV: 'MODE', MODE: 'dev', },
      ignore_watch: ['node_modules', null, 'logs'],
      instance: 2,
    },
    null,
  ],
}
`,
    });
    const exit = await xd(home, ['start', 'process.json'], { cwd: dir });
    assertCode(exit, 0);
    assert.match(exit.stdout, /^started Loose app: supervisor \d+/m);
    assert.match(exit.stderr, /^xdaemon: warning: .*process\.json: apps\[1\] is null: skipped$/m);
    assert.match(exit.stderr, /^xdaemon: warning: .*process\.json: app Loose app: unknown key "instance" ignored \(did you mean instances\?\)$/m);
    const app = await workerRunning(home, 'Loose app');
    assert.deepEqual(proc(app.workerPid as number).argv, [NODE, ...CLUSTER, join(dir, 'w.cjs'), 'a', 'b'], 'the null is skipped, never the word "null"');
    assert.deepEqual(recordFiles(home), ['Loose%20app.json'], 'a safe file stem');
    assert.match((await xd(home, ['list'])).stdout, /^0 +Loose app +running /m);
    assertCode(await xd(home, ['stop', 'Loose app']), 0);
  });

  test('YAML whose top level is one app; a config in a subfolder: paths are the shell\'s, log folders made (0750)', async (t) => {
    const home = newHome(t);
    const dir = project({
      'deploy/ecosystem.yml': "name: api\nscript: ./w.cjs\nnode_args: --max-old-space-size=64\nout_file: ./logs/out.log\nenv:\n  W_SHOW_ENV: PORT\n  PORT: 3000\n",
    });
    const exit = await xd(home, ['start', 'deploy/ecosystem.yml'], { cwd: dir });
    assertCode(exit, 0);
    const api = await workerRunning(home, 'api');
    const p = proc(api.workerPid as number);
    assert.deepEqual(p.argv, [NODE, ...CLUSTER, '--max-old-space-size=64', join(dir, 'w.cjs')], 'the script of the shell\'s directory, not deploy/');
    assert.equal(p.cwd, dir);
    assert.equal(p.env.PORT, '3000');
    assert.equal(api.logFile, join(dir, 'logs', 'out.log'));
    assert.equal(statSync(join(dir, 'logs')).mode & 0o777, 0o750);
    await waitFor('the env line', () => readText(api.logFile).includes('env PORT=3000'));
  });

  test("a script that is a command line runs through a shell (its args dropped, as pm2 drops them, with a warning); --env SET that no app has warns", async (t) => {
    const home = newHome(t);
    const dir = project({
      'app.config.js': `module.exports = () => ({ apps: [{ name: 'cmdline', script: '${NODE} w.cjs from-shell', args: 'lost', env_staging: { X: '1' } }] });\n`,
    });
    const exit = await xd(home, ['start', 'app.config.js', '--env', 'production'], { cwd: dir });
    assertCode(exit, 0);
    assert.match(exit.stderr, /--env production: no app has env_production; the apps start with their env$/m);
    assert.match(exit.stderr, /app cmdline: script ".*w\.cjs from-shell" is a command line \(run through (bash|sh)\): its args "lost" are dropped, as pm2 drops them/m);
    const app = await workerRunning(home, 'cmdline');
    await waitFor('the worker line', () => /^WORKER \d+ from-shell$/m.test(readText(app.logFile)));
  });

  test('every problem of a file at once: one line each with the app and the key, exit 2, nothing started', async (t) => {
    const home = newHome(t);
    const dir = project({
      'ecosystem.config.js': `module.exports = { apps: [
  { name: 'a', script: 'w.cjs', max_memory_restart: 'lots' },
  { name: 'b', script: 'gone.js' },
  { name: 'c', script: 'w.cjs', min_uptime: 'soon', restart_delay: 'later' },
  { name: 'b', script: 'w.cjs' },
] };\n`,
    });
    const exit = await xd(home, ['start', 'ecosystem.config.js'], { cwd: dir });
    assertCode(exit, 2);
    const lines = exit.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 5, exit.stderr);
    assert.match(lines[0] as string, /^xdaemon: .*ecosystem\.config\.js: app a: max_memory_restart must be bytes/);
    assert.match(lines[1] as string, /app c: min_uptime must be milliseconds/);
    assert.match(lines[2] as string, /app c: restart_delay must be milliseconds/);
    assert.match(lines[3] as string, /app b: two apps are named "b"/);
    assert.match(lines[4] as string, /app b: script .*gone\.js does not exist$/);
    assert.deepEqual(recordFiles(home), [], 'nothing started');
  });
});

describe('the front door: a config file by its name, a script by its path', () => {
  test('start ./server.js (and dist/server.js) never loads the script in the CLI; start pm2.config.js reads a config', async (t) => {
    const home = newHome(t);
    // Writes a marker named by the pid that loaded it: only the worker may.
    const marker = "require('fs').writeFileSync(require('path').join(__dirname, '..', 'loaded-' + process.pid), '');\nsetInterval(() => {}, 1 << 30);\n";
    const dir = project({ 'dist/server.js': marker, 'pm2.config.js': "module.exports = { apps: [{ name: 'from-config', script: 'w.cjs' }] };\n" });
    copyFileSync(join(dir, 'dist', 'server.js'), join(dir, 'server.js'));
    writeFileSync(join(dir, 'server.js'), marker.replace("'..', ", ''));
    const one = await xd(home, ['start', './server.js'], { cwd: dir });
    assertCode(one, 0);
    assert.match(one.stdout, /^started server: /m);
    const two = await xd(home, ['start', 'dist/server.js', '--name', 'server2'], { cwd: dir });
    assertCode(two, 0);
    const workers = [(await workerRunning(home, 'server')).workerPid, (await workerRunning(home, 'server2')).workerPid];
    await waitFor('both markers', () => readdirSync(dir).filter((f) => f.startsWith('loaded-')).length >= 2);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('loaded-')).sort(), workers.map((pid) => `loaded-${pid}`).sort(), 'loaded by the workers only');
    const config = await xd(home, ['start', 'pm2.config.js'], { cwd: dir });
    assertCode(config, 0);
    assert.match(config.stdout, /^started from-config: /m);
  });

  test('the one-liner for any script path, named as pm2 names it: /abs/app.mjs, an executable ./bin/worker, a command on PATH', async (t) => {
    const home = newHome(t);
    const dir = project({ 'app.mjs': "console.log(`MJS ${process.pid}`);\nsetInterval(() => {}, 1 << 30);\n", 'bin/worker': '#!/bin/sh\nexec sleep 1000\n' });
    chmodSync(join(dir, 'bin', 'worker'), 0o755);
    assertCode(await xd(home, ['start', join(dir, 'app.mjs')]), 0);
    assertCode(await xd(home, ['start', './bin/worker'], { cwd: dir }), 0);
    assertCode(await xd(home, ['start', 'sleep', '--', '1000'], { cwd: dir }), 0);
    const mjs = await workerRunning(home, 'app');
    assert.deepEqual(proc(mjs.workerPid as number).argv, [NODE, ...CLUSTER, join(dir, 'app.mjs')]);
    const worker = await workerRunning(home, 'worker');
    assert.deepEqual(proc(worker.workerPid as number).argv, ['sleep', '1000'], 'its #! line is honoured (pm2 would run it with node)');
    const sleep = await workerRunning(home, 'sleep');
    assert.deepEqual(proc(sleep.workerPid as number).argv.slice(1), ['1000']);
  });
});

describe("pm2's verbs and flags", () => {
  test('ls, jlist, pid, describe, sendSignal, stop 0, start NAME, restart all, scale, delete all; did you mean', async (t) => {
    const home = newHome(t);
    const dir = project({});
    // pm2's flags: -n, -o, --time, --no-autorestart.
    assertCode(await xd(home, ['start', 'w.cjs', '-n', 'alpha', '-o', 'alpha.log', '--time'], { cwd: dir }), 0);
    assertCode(await xd(home, ['start', 'w.cjs', '-n', 'beta', '--no-autorestart'], { cwd: dir }), 0);
    const alpha = await workerRunning(home, 'alpha');
    const beta = await workerRunning(home, 'beta');
    assert.equal(alpha.logFile, join(dir, 'alpha.log'));
    assert.match((await xd(home, ['ls'])).stdout, /^0 +alpha +running[\s\S]*^1 +beta +running/m);
    const jlist = await xd(home, ['jlist']);
    assert.equal(jlist.stdout.trimEnd().split('\n').length, 1);
    assert.deepEqual((JSON.parse(jlist.stdout) as { name: string }[]).map((d) => d.name), ['alpha', 'beta']);
    assert.equal((await xd(home, ['pid', 'beta'])).stdout.trim(), String(beta.workerPid));
    assert.match((await xd(home, ['describe', '1'])).stdout, /^beta: running/);
    const sent = await xd(home, ['sendSignal', 'SIGWINCH', 'alpha']);
    assertCode(sent, 0);
    assert.equal(sent.stdout.trim(), `SIGWINCH sent to alpha: worker ${alpha.workerPid}`);
    assertCode(await xd(home, ['stop', '0']), 0);
    assert.equal((await xd(home, ['pid', 'alpha'])).stdout.trim(), '0');
    const again = await xd(home, ['start', 'alpha'], { cwd: dir });
    assertCode(again, 0);
    assert.match(again.stdout, /^started alpha: .*\(it was stopped\)$/m);
    const all = await xd(home, ['restart', 'all']);
    assertCode(all, 0);
    assert.match(all.stdout, /^restarted alpha: worker \d+$/m);
    assert.match(all.stdout, /^restarted beta: worker \d+$/m);
    const scaled = await xd(home, ['scale', 'beta', '2']);
    assertCode(scaled, 0);
    assert.match(scaled.stdout, /^scaled beta from 1 to 2 instances \(started anew with them\)$/m);
    await waitForAsync('two instances', async () => {
      const s = await workerRunning(home, 'beta');
      return (s as { instances?: { workerPid?: number }[] }).instances?.filter((i) => i.workerPid !== undefined).length === 2 ? s : undefined;
    });
    const typo = await xd(home, ['strat', 'w.cjs']);
    assertCode(typo, 2);
    assert.match(typo.stderr, /^xdaemon: unknown verb "strat" \(did you mean start\?\)/);
    const flag = await xd(home, ['start', 'w.cjs', '--max-memroy', '1G']);
    assertCode(flag, 2);
    assert.match(flag.stderr, /unknown flag --max-memroy for start \(did you mean --max-memory\?\)/);
    const pm2only = await xd(home, ['start', 'w.cjs', '--no-vizion']);
    assertCode(pm2only, 2);
    assert.match(pm2only.stderr, /^xdaemon: pm2's --no-vizion is not supported by xdaemon: /);
    const deleted = await xd(home, ['delete', 'all']);
    assertCode(deleted, 0);
    assert.deepEqual(recordFiles(home), []);
  });
});

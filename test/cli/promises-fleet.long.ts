/**
 * Fleet-file, save and resurrect promises that the other CLI tests leave open (README, "pm2's
 * files", "Fleet files", "Save, resurrect, startup"): the default file search order; `.cjs`,
 * `.mjs` with `export default`, `export const apps` and a function; `reload FILE` starting an app
 * that does not run; pm2's `exec_interpreter` (and `'none'`), `log_file`, `disable_logs`,
 * `log_date_format` and `instance_var` (carried out, not only warned); `save --force`; resurrect looking a command up again and
 * falling back to the recorded absolute path; a fleet app's file `env` on resurrect.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WORKER, assertCode, newHome, statusOf, waitForAsync, workerRunning, xd } from '../support/cli';
import { cleanup, matching, readText, tempDir } from '../support/fixtures';
import { waitFor } from '../support/harness';

after(cleanup);

const NODE = process.execPath;

/** A folder with the worker fixture as `w.cjs`. */
function project(): string {
  const dir = tempDir();
  copyFileSync(WORKER, join(dir, 'w.cjs'));
  return dir;
}

/** The environment of a process. */
function environ(pid: number): Record<string, string> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/** The `WORKER <pid> <args>` line of `pid` in `log`, once written. */
const workerLine = (log: string, pid: number): Promise<string> => waitFor(`WORKER ${pid} in ${log}`, () => matching(readText(log), new RegExp(`WORKER ${pid}\\b`))[0]);

test('start without FILE: the first of xdaemon.config.{js,cjs,mjs,json,yaml,yml}, ecosystem.config.{js,cjs,mjs}, ecosystem.{json,yaml,yml}', async () => {
  const home = newHome();
  const dir = tempDir();
  const bad = "{ apps: [{ name: 'x', script: 'w.cjs', instances: 'lots' }] }";
  const content: Record<string, string> = { js: `module.exports = ${bad};\n`, cjs: `module.exports = ${bad};\n`, mjs: `export default ${bad};\n`, json: bad, yaml: "apps:\n  - name: x\n    script: w.cjs\n    instances: lots\n" };
  content.yml = content.yaml as string;
  const order = [
    ...['js', 'cjs', 'mjs', 'json', 'yaml', 'yml'].map((ext) => `xdaemon.config.${ext}`),
    ...['js', 'cjs', 'mjs'].map((ext) => `ecosystem.config.${ext}`),
    ...['json', 'yaml', 'yml'].map((ext) => `ecosystem.${ext}`),
  ];
  // Written in reverse, so that the order of creation cannot be what decides.
  for (const file of [...order].reverse()) writeFileSync(join(dir, file), content[file.slice(file.lastIndexOf('.') + 1)] as string);
  // Each file's app has a bad value: the refusal names the file that was read, and nothing starts.
  for (const file of order) {
    const exit = await xd(home, ['start'], { cwd: dir });
    assertCode(exit, 2, `start with ${file} first`);
    assert.match(exit.stderr, new RegExp(`^xdaemon: ${join(dir, file).replace(/\./g, '\\.')}: app x: instances must be`, 'm'), `${file} is read`);
    rmSync(join(dir, file));
  }
});

test('.cjs, and .mjs with export default, export const apps and a function returning the object', async (t) => {
  const home = newHome(t);
  const dir = project();
  const app = (name: string): string => `{ name: '${name}', script: 'w.cjs' }`;
  const files = {
    'a.config.cjs': `module.exports = { apps: [${app('cjs')}] };\n`,
    'b.config.mjs': `export default { apps: [${app('mjs-default')}] };\n`,
    'c.config.mjs': `export const apps = [${app('mjs-apps')}];\n`,
    'd.config.mjs': `export default () => ({ apps: [${app('mjs-function')}] });\n`,
  };
  for (const [file, text] of Object.entries(files)) {
    writeFileSync(join(dir, file), text);
    const exit = await xd(home, ['start', file], { cwd: dir });
    assertCode(exit, 0, `start ${file}`);
  }
  for (const name of ['cjs', 'mjs-default', 'mjs-apps', 'mjs-function']) {
    const s = await workerRunning(home, name);
    assert.match(await workerLine(s.logFile, s.workerPid as number), /WORKER \d+/, name);
  }
});

test('reload FILE starts an app of the file that does not run, and reloads the one that runs (a restart: its workers share no socket)', async (t) => {
  const home = newHome(t);
  const dir = project();
  writeFileSync(join(dir, 'apps.json'), JSON.stringify({ apps: [{ name: 'on', script: 'w.cjs', reloadGrace: 100 }, { name: 'off', script: 'w.cjs' }] }));
  assertCode(await xd(home, ['start', 'apps.json', '--only', 'on'], { cwd: dir }), 0, 'start --only on');
  const on = await workerRunning(home, 'on');
  assert.equal((await xd(home, ['status', 'off'])).code, 4, 'off was never started');
  const exit = await xd(home, ['reload', 'apps.json'], { cwd: dir });
  assertCode(exit, 0, 'reload FILE');
  assert.match(exit.stdout, new RegExp(`^(reloaded on: instance 0 ${on.workerPid} -> \\d+ |restarted on: worker \\d+ )`, 'm'));
  assert.match(exit.stdout, /^started off: supervisor \d+/m);
  const off = await workerRunning(home, 'off');
  await workerLine(off.logFile, off.workerPid as number);
  assert.equal((await statusOf(home, 'on')).status.pid, on.pid, 'on: the same supervisor');
});

test("pm2's exec_interpreter (and 'none'), log_file, disable_logs, log_date_format", async (t) => {
  const home = newHome(t);
  const dir = project();
  // Shell text in a .js: run by the interpreter named, never by node.
  writeFileSync(join(dir, 'shell.js'), `exec ${NODE} ${join(dir, 'w.cjs')} by-interpreter\n`);
  // An executable .js with a #! line: 'none' runs it as it is.
  writeFileSync(join(dir, 'direct.js'), `#!/bin/sh\nexec ${NODE} ${join(dir, 'w.cjs')} as-is\n`);
  chmodSync(join(dir, 'direct.js'), 0o755);
  const apps = [
    { name: 'interp', script: 'shell.js', exec_interpreter: 'sh' },
    { name: 'none', script: 'direct.js', exec_interpreter: 'none' },
    { name: 'logfile', script: 'w.cjs', log_file: 'logs/all.log' },
    { name: 'both', script: 'w.cjs', out_file: 'logs/out.log', log_file: 'logs/combined.log' },
    { name: 'nolog', script: 'w.cjs', disable_logs: true },
    { name: 'datefmt', script: 'w.cjs', log_date_format: 'YYYY-MM-DD HH:mm Z' },
  ];
  writeFileSync(join(dir, 'ecosystem.config.js'), `module.exports = ${JSON.stringify({ apps })};\n`);
  const exit = await xd(home, ['start', 'ecosystem.config.js'], { cwd: dir });
  assertCode(exit, 0, 'start');

  const interp = await workerRunning(home, 'interp');
  assert.match(interp.command[0] as string, /(^|\/)sh$/, 'the interpreter runs it');
  assert.equal(interp.command[1], join(dir, 'shell.js'), 'the script its first argument');
  assert.match(await workerLine(interp.logFile, interp.workerPid as number), / by-interpreter$/);

  const none = await workerRunning(home, 'none');
  assert.deepEqual(none.command, [join(dir, 'direct.js')], "'none': the script as it is");
  assert.match(await workerLine(none.logFile, none.workerPid as number), / as-is$/);

  const logfile = await workerRunning(home, 'logfile');
  assert.equal(logfile.logFile, join(dir, 'logs', 'all.log'), 'log_file is the log without out_file');
  await workerLine(logfile.logFile, logfile.workerPid as number);

  const both = await workerRunning(home, 'both');
  assert.equal(both.logFile, join(dir, 'logs', 'out.log'), 'out_file wins over log_file');
  assert.match(exit.stderr, /^xdaemon: warning: .*: app both: pm2 key log_file is not carried out/m);

  const nolog = await workerRunning(home, 'nolog');
  assert.equal(nolog.logFile, '/dev/null', 'disable_logs');

  const datefmt = await workerRunning(home, 'datefmt');
  assert.match(exit.stderr, /^xdaemon: warning: .*: app datefmt: pm2 key log_date_format is not carried out/m, 'its format warns');
  assert.match(await workerLine(datefmt.logFile, datefmt.workerPid as number), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z out WORKER /, 'timestamps on, ISO 8601 UTC');
});

test("pm2's instance_var names the variable that holds each instance's number", async (t) => {
  const home = newHome(t);
  const dir = project();
  writeFileSync(join(dir, 'ecosystem.config.js'), `module.exports = ${JSON.stringify({ apps: [{ name: 'ivar', script: 'w.cjs', instances: 2, instance_var: 'INSTANCE_ID' }] })};\n`);
  const exit = await xd(home, ['start', 'ecosystem.config.js'], { cwd: dir });
  assertCode(exit, 0, 'start');
  assert.doesNotMatch(exit.stderr, /instance_var/, 'no warning: carried out');
  const pids = await waitForAsync('two workers', async () => {
    const s = (await statusOf(home, 'ivar')).status as unknown as { instances: { workerPid?: number }[] };
    return s.instances.length === 2 && s.instances.every((i) => i.workerPid !== undefined) ? s.instances.map((i) => i.workerPid as number) : undefined;
  });
  assert.deepEqual(pids.map((pid) => environ(pid).INSTANCE_ID), ['0', '1']);
});

test('save --force, resurrect: a command looked up again, else its recorded absolute path; a fleet app\'s file env', async (t) => {
  const home = newHome(t);
  const dir = project();
  const bin = (name: string): string => {
    const folder = join(dir, name);
    mkdirSync(folder);
    writeFileSync(join(folder, 'mycmd'), `#!/bin/sh\nexec ${NODE} ${join(dir, 'w.cjs')} ${name}\n`);
    chmodSync(join(folder, 'mycmd'), 0o755);
    return folder;
  };
  const bin1 = bin('bin1');
  const bin2 = bin('bin2');
  const PATH = process.env.PATH ?? '/usr/bin:/bin';
  assertCode(await xd(home, ['start', '--name', 'cmd', '--', 'mycmd'], { env: { PATH: `${bin1}:${PATH}` } }), 0, 'start mycmd');
  writeFileSync(join(dir, 'apps.json'), JSON.stringify({ apps: [{ name: 'file', script: 'w.cjs', env: { FROM_FILE: 'file env' } }] }));
  assertCode(await xd(home, ['start', 'apps.json'], { cwd: dir }), 0, 'start FILE');
  await workerRunning(home, 'cmd');
  await workerRunning(home, 'file');
  assertCode(await xd(home, ['save']), 0, 'save');

  const resurrect = async (path: string): Promise<{ line: string; env: Record<string, string> }> => {
    assertCode(await xd(home, ['stop', '--all']), 0, 'stop --all');
    assertCode(await xd(home, ['resurrect'], { env: { PATH: path } }), 0, 'resurrect');
    const cmd = await workerRunning(home, 'cmd');
    const file = await workerRunning(home, 'file');
    return { line: await workerLine(cmd.logFile, cmd.workerPid as number), env: environ(file.workerPid as number) };
  };
  // PATH does not find mycmd: the recorded absolute path serves.
  const fallback = await resurrect(PATH);
  assert.match(fallback.line, / bin1$/);
  assert.equal(fallback.env.FROM_FILE, 'file env', "the file's env is recorded and given again");
  // PATH finds another mycmd first: it is looked up again.
  const again = await resurrect(`${bin2}:${bin1}:${PATH}`);
  assert.match(again.line, / bin2$/);

  // With nothing running, save keeps the list; save --force writes the empty one.
  assertCode(await xd(home, ['stop', '--all']), 0, 'stop --all');
  const kept = await xd(home, ['save']);
  assertCode(kept, 1, 'save with nothing running');
  assert.match(kept.stderr, /no daemon runs: the saved list \(cmd, file\) was kept/);
  const forced = await xd(home, ['save', '--force']);
  assertCode(forced, 0, 'save --force');
  const none = await xd(home, ['resurrect']);
  assertCode(none, 0, 'resurrect of the empty list');
  assert.doesNotMatch(none.stdout, /^started /m, 'nothing started');
  for (const name of ['cmd', 'file']) assert.equal((await statusOf(home, name)).status.state, 'stopped', `${name} stays stopped`);
});

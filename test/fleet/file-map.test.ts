/**
 * The pure side of fleet files, table-driven: pm2's units read as pm2 reads them, every pm2 key of
 * the mapping table to our setting, the keys that only mean something together (wait_ready with
 * listen_timeout, autorestart with stop_exit_codes, exec_mode cluster with listen or env.PORT), a
 * setting this build lacks warned and not applied, our own keys and pm2's camelCase spellings (the
 * command lines that name a file are read in test/cli/parse.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EUSAGE } from '../../src/errors';
import { SETTINGS } from '../../src/settings/table';
import { type FleetContext, mapFleet } from '../../src/fleet/file-map';
import { PM2_KEYS, meaningOf } from '../../src/fleet/pm2-keys';
import { pm2Bytes, pm2Instances, pm2Millis, pm2Words } from '../../src/fleet/pm2-units';

const CONTEXT: FleetContext = { path: '/srv/ecosystem.config.js', cwd: '/srv', home: '/home/u', envSet: undefined, env: {}, only: [], cpus: 4 };
const has = (name: string): boolean => name in SETTINGS;
const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The rows of the README's pm2 key table whose xdaemon column starts with one of our setting names: [pm2 key, setting, whether the row says a part of it warns]. */
function readmeSettingRows(): [string, string, boolean][] {
  const table = README.slice(README.indexOf('| pm2 key | xdaemon |'));
  const rows = table.slice(0, table.indexOf('\n\n')).split('\n');
  const out: [string, string, boolean][] = [];
  for (const row of rows) {
    const m = /^\| `([a-z_]+)` \| `([a-z][A-Za-z]*)`/.exec(row);
    if (m === null || m[1] === undefined || m[2] === undefined || !(m[1] in PM2_KEYS)) continue;
    // A setting of the table, or a camelCase name that looks like one (a setting this build lacks); not a field such as args.
    if (has(m[2]) || /[A-Z]/.test(m[2])) out.push([m[1], m[2], /\bwarns\b/.test(row)]);
  }
  assert.ok(out.length >= 10, `the README's pm2 key table was found (${out.length} rows naming a setting)`);
  return out;
}

/** The one app of a file `{ apps: [app] }`. */
function one(app: Record<string, unknown>, context: Partial<FleetContext> = {}): ReturnType<typeof mapFleet>['apps'][number] {
  const [mapped] = mapFleet({ apps: [{ name: 'a', script: 'a.js', ...app }] }, { ...CONTEXT, ...context }).apps;
  assert.ok(mapped);
  return mapped;
}

describe("pm2's units", () => {
  test('times: ms, or h/m/s', () => {
    for (const [v, ms] of [[1500, 1500], ['10s', 10_000], ['1m', 60_000], ['2h', 7_200_000], ['500', 500], ['0.5s', 500]] as const) assert.equal(pm2Millis(v), ms, String(v));
    for (const bad of ['soon', '-1s', -5, '1d', null]) assert.throws(() => pm2Millis(bad), /must be milliseconds/);
  });
  test('sizes: bytes, or K/M/G 1024-based', () => {
    for (const [v, b] of [[1024, 1024], ['300K', 300 * 1024], ['512M', 512 * 1024 ** 2], ['1G', 1024 ** 3], ['1.5G', 1.5 * 1024 ** 3]] as const) assert.equal(pm2Bytes(v), b, String(v));
    for (const bad of ['big', '1T', -1]) assert.throws(() => pm2Bytes(bad), /must be bytes/);
  });
  test("instances: 'max' and 0 one per CPU, -N that many fewer, never below 1", () => {
    for (const [v, n] of [[3, 3], ['max', 4], [0, 4], [-1, 3], [-9, 1], ['2', 2]] as const) assert.equal(pm2Instances(v, 4), n, String(v));
    assert.throws(() => pm2Instances('many', 4), /must be a whole number, 'max'/);
  });
  test('args: a string split as pm2 splits it, or an array', () => {
    assert.deepEqual(pm2Words('--port 8080 "two words" \'x y\''), ['--port', '8080', 'two words', 'x y']);
    assert.deepEqual(pm2Words(['a', 1]), ['a', '1']);
  });
});

describe('the mapping table', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['max_restarts', { max_restarts: 7 }, { maxError: 7 }],
    ['min_uptime in seconds', { min_uptime: '2s' }, { minExitTime: 2 }],
    ['min_uptime in ms', { min_uptime: 1500 }, { minExitTime: 1.5 }],
    ['restart_delay', { restart_delay: '4s' }, { restartDelay: 4000 }],
    ['restartDelay (camelCase) with a unit', { restartDelay: '4s' }, { restartDelay: 4000 }],
    ['exp_backoff_restart_delay', { exp_backoff_restart_delay: 100 }, { backoff: 'exponential', restartDelay: 100 }],
    ['kill_timeout', { kill_timeout: 1600 }, { killTimeout: 1600 }],
    ['treekill false', { treekill: false }, { killMode: 'process' }],
    ['autorestart false', { autorestart: false }, { restart: 'never' }],
    ['stop_exit_codes', { stop_exit_codes: [0, 3] }, { restart: 'on-failure', successExitCodes: [3] }],
    ['wait_ready: pm2 listen_timeout default', { wait_ready: true }, { waitReady: 3000 }],
    ['wait_ready with listen_timeout', { wait_ready: true, listen_timeout: '8s' }, { waitReady: 8000 }],
    ['listen_timeout alone: how long a reload waits for a replacement to listen', { listen_timeout: 5000 }, { reloadGrace: 5000 }],
    ['increment_var, instance_var', { increment_var: 'PORT', instance_var: 'INSTANCE_ID' }, { incrementVar: 'PORT', instanceVar: 'INSTANCE_ID' }],
    ['waitReady: true (camelCase of wait_ready)', { waitReady: true }, { waitReady: 3000 }],
    ['waitReady in ms (ours)', { waitReady: 500 }, { waitReady: 500 }],
    ['time', { time: true }, { timestamps: true }],
    ['error_file (err alias)', { err: 'logs/e.log' }, { errFile: '/srv/logs/e.log' }],
    ['maxError (ours)', { maxError: 5 }, { maxError: 5 }],
  ];
  for (const [what, keys, settings] of cases) test(what, () => assert.deepEqual(one(keys).settings, settings));

  test('fields: script with interpreter and node_args, args, cwd, env + env_<set> + --env, logs', () => {
    const app = one(
      { script: 'server.js', cwd: 'api', interpreter_args: '--inspect=0', args: 'a b', env: { A: '1', PORT: 3000 }, env_production: { A: 'prod' }, out_file: 'o.log', port: 4000 },
      { envSet: 'production', env: { B: 'cli' } },
    );
    assert.deepEqual(app.program, { script: '/srv/api/server.js', written: 'server.js', interpreter: undefined, interpreterArgs: ['--inspect=0'] });
    assert.deepEqual(app.args, ['a', 'b']);
    assert.equal(app.cwd, '/srv/api');
    assert.deepEqual(app.env, { A: 'prod', PORT: '4000', B: 'cli' });
    assert.equal(app.log, '/srv/api/o.log');
  });

  test('a setting this build lacks: one warning, not applied; where it exists: applied', () => {
    const keys: [string, unknown, string, unknown][] = [
      ['max_memory_restart', '1G', 'maxMemory', 1024 ** 3],
      ['maxMemoryRestart', '512M', 'maxMemory', 512 * 1024 ** 2],
      ['instances', 'max', 'instances', 4],
      ['cron_restart', '0 3 * * *', 'cronRestart', '0 3 * * *'],
      ['watch', true, 'watch', ['/srv']],
    ];
    for (const [key, value, setting, expected] of keys) {
      const app = one({ [key]: value });
      if (has(setting)) assert.deepEqual(app.settings[setting as keyof typeof app.settings], expected, key);
      else assert.deepEqual(app.warnings, [`pm2 key ${meaningOf(key).kind === 'rule' ? (meaningOf(key) as { key: string }).key : key} is not carried out`], key);
    }
  });

  test('ignore_watch and watch_delay go with watch; beside watch: false (as pm2 files keep them) they are dropped', () => {
    // A setting that goes from the table must fail here, not pass with no assertion.
    assert.ok(has('watch') && has('watchIgnore') && has('watchDebounce'), 'this build has watch, watchIgnore and watchDebounce');
    const watched = one({ watch: 'src', ignore_watch: ['dist'], watch_delay: 300 });
    assert.deepEqual([watched.settings.watch, watched.settings.watchIgnore, watched.settings.watchDebounce], [['/srv/src'], ['dist'], 300]);
    const off = one({ watch: false, ignore_watch: ['node_modules'], watch_delay: 300 });
    assert.deepEqual([off.settings.watch, off.settings.watchIgnore, off.settings.watchDebounce, off.warnings], [undefined, undefined, undefined, []]);
    // Our own watchIgnore without watch is refused, as the settings table refuses it.
    assert.throws(() => one({ watchIgnore: ['dist'] }), /app a: watchIgnore cannot apply/);
  });

  test("exec_mode 'cluster' or 'fork': accepted, nothing to add (a Node app runs in cluster mode either way: its own listen() shares the port)", () => {
    for (const mode of ['cluster', 'cluster_mode', 'fork', 'fork_mode']) {
      const app = one({ exec_mode: mode, instances: 2, env: { PORT: '8080' } });
      assert.deepEqual([app.settings, app.warnings], [{ instances: 2 }, []], mode);
    }
  });

  test('pm2 keys not carried out warn; unknown keys warn with the nearest key; bad values are refused naming file, app and key', () => {
    assert.deepEqual(one({ vizion: false, merge_logs: true, combine_logs: true }).warnings, ['pm2 key vizion is not carried out'], 'merge_logs: what xdaemon always does');
    assert.deepEqual(one({ restart_dealy: 1, instance: 2, zzqx: 1 }).warnings, [
      'unknown key "restart_dealy" ignored (did you mean restart_delay?)',
      'unknown key "instance" ignored (did you mean instances?)',
      'unknown key "zzqx" ignored',
    ]);
    assert.throws(() => one({ max_restarts: 'lots' }), {
      name: 'XDaemonError',
      code: EUSAGE,
      message: /^\/srv\/ecosystem\.config\.js: app a: max_restarts must be a whole number/,
      file: '/srv/ecosystem.config.js',
      app: 'a',
      option: 'max_restarts',
    });
    assert.throws(() => one({ max_restarts: 'lots' }), /app a: max_restarts must be a whole number >= 0/);
    assert.throws(() => one({ exec_mode: 'thread' }), /app a: exec_mode must be 'fork' or 'cluster'/);
    assert.throws(() => one({ successExitCodes: [3] }), /app a: successExitCodes cannot apply: /);
    assert.throws(() => one({ command: 'x' }), /app a: has both script \(pm2\) and command/);
    assert.throws(() => mapFleet({ apps: [{ name: 'a' }] }, CONTEXT), /app a: no script \(or command\)/);
    assert.deepEqual(mapFleet({ apps: [{ script: 'x.js' }], only: 1 }, CONTEXT).warnings, ['/srv/ecosystem.config.js: top-level key "only" ignored (a fleet file holds apps: [...])']);
    assert.throws(() => mapFleet({ apps: [{ script: 'x.js' }] }, { ...CONTEXT, only: ['y'] }), /--only y: no app of that name \(apps: x\)/);
    assert.deepEqual(mapFleet({ apps: [{ script: 'x.js' }], deploy: {} }, CONTEXT).warnings, ['/srv/ecosystem.config.js: pm2 key deploy is not carried out']);
  });

  test('every pm2 key of the table has its README row', () => {
    for (const key of Object.keys(PM2_KEYS)) assert.match(README, new RegExp(`\\| \`${key}\``), key);
  });

  // A row of the README's table that names one of our settings says the key is carried out: the
  // key, read with a value, must then set that setting and warn nothing. A setting this build
  // lacks turns the key into a warning (the file still runs), which the row must not hide.
  const SAMPLES: Record<string, unknown> = {
    error_file: 'e.log', time: true, max_restarts: 1, min_uptime: 1000, restart_delay: 100, kill_timeout: 100, treekill: false,
    instance_var: 'WORKER_N', max_memory_restart: '1G', cron_restart: '0 3 * * *', watch: true, ignore_watch: ['x'], watch_delay: 100, instances: 2, wait_ready: true, log_date_format: 'YYYY-MM-DD', env_file: 'app.env', increment_var: 'PORT',
  };
  const NEEDS: Record<string, Record<string, unknown>> = { ignore_watch: { watch: true }, watch_delay: { watch: true } };
  // Rows this build does not keep yet, found by this test (a todo shows in every run, a skip would not).
  const BROKEN: Record<string, string> = {};
  for (const [key, setting, warns] of readmeSettingRows()) {
    const todo = !has(setting) ? `the README maps ${key} to ${setting}, which this build lacks: it is only warned` : (BROKEN[key] ?? false);
    test(`README row ${key} → ${setting}: carried out, not only warned`, { todo }, () => {
      assert.ok(key in SAMPLES, `a sample value for ${key} (add one to SAMPLES)`);
      const app = one({ ...NEEDS[key], [key]: SAMPLES[key] });
      if (!warns) assert.deepEqual(app.warnings.filter((w) => w.startsWith(`pm2 key ${key} `)), [], `${key} is not warned as not carried out`);
      assert.notEqual((app.settings as Record<string, unknown>)[setting], undefined, `${key} sets ${setting}`);
    });
  }
});

/**
 * The CLI's pure parts, without processes: a command line read into a typed request for every verb,
 * every bad input refused with its one-line message, the settings flags derived from the table,
 * the help made from it, the table and status rendering, and where the last lines of a log begin
 * (names and the state directory's location: test/fleet/).
 */
import { namedDaemonDefaults } from '../../src/settings/profiles';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SETTINGS } from '../../src/settings/table';
import { type Request, parseCommandLine } from '../../src/cli/dispatch';
import { SETTING_FLAGS, kebab, parseBytes } from '../../src/cli/flags';
import { VERBS, helpText } from '../../src/cli/verbs';
import { installHelp } from '../../src/cli/install';
import { type NamedStatus, formatDuration, healthCell, listTable, lsbCode, lsbCodeOfAll, statusLines, summaryLine } from '../../src/cli/render';
import { statusReport } from '../../src/cli/status';
import { tailStart } from '../../src/cli/logs';
import { UsageError } from '../../src/cli/usage-error';
import { supervisorRunArgs } from '../../src/service/windows-task';
import { resolveServiceConfig } from '../../src/service/options';
import type { DaemonStatus } from '../../src/control/status';

const parse = (line: string[]): Request => parseCommandLine(line);

/** Asserts that `line` is refused as usage with a message matching `re`. */
function refused(line: string[], re: RegExp): void {
  assert.throws(
    () => parse(line),
    (err: unknown) => {
      assert.ok(err instanceof UsageError, `${line.join(' ')}: ${String(err)}`);
      assert.match(err.message, re, line.join(' '));
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    },
  );
}

describe('reading command lines', () => {
  test('start: flags from the settings table, --name/--log/--cwd/--env, the command after -- unchanged', () => {
    const r = parse([
      'start', '--name', 'web', '--max-count=5', '--max-error', '2', '--min-exit-time', '1.5', '--kill-timeout', '800', '--restart-delay', '100',
      '--backoff', 'exponential', '--max-restart-delay', '5000', '--restart', 'on-failure', '--success-exit-codes', '3,4', '--kill-mode', 'process',
      '--wait-ready', '3000', '--timestamps', '--err-file', 'e.log', '--max-size', '5M', '--max-files', '3', '--log', 'a.log', '--cwd', '/srv',
      '--env', 'A=1', '--env=B=x=y', '--', 'node', 'server.js', '--port', '80', '--', '--name',
    ]);
    assert.deepEqual(r, {
      verb: 'start', fleet: undefined, script: undefined, force: false,
      name: 'web',
      command: 'node',
      args: ['server.js', '--port', '80', '--', '--name'],
      settings: {
        maxCount: 5, maxError: 2, minExitTime: 1.5, killTimeout: 800, restartDelay: 100, backoff: 'exponential', maxRestartDelay: 5000,
        restart: 'on-failure', successExitCodes: [3, 4], killMode: 'process', waitReady: 3000, timestamps: true, errFile: 'e.log',
        maxSize: 5 * 1024 * 1024, maxFiles: 3,
      },
      log: 'a.log',
      cwd: '/srv',
      env: { A: '1', B: 'x=y' },
    });
  });

  test('the limits and watch: --max-memory SIZE, --cron-restart, --watch (bare: the working directory) or --watch=PATH repeated, --ignore repeated', () => {
    const r = parse(['start', '--max-memory', '512M', '--cron-restart', '0 3 * * *', '--watch', '--watch=src', '--ignore', 'dist', '--ignore=*.tmp', '--watch-debounce', '50', '--', 'node', 'a.js']);
    assert.ok(r.verb === 'start');
    assert.deepEqual((r as { settings: unknown }).settings, { maxMemory: 512 * 1024 * 1024, cronRestart: '0 3 * * *', watch: ['.', 'src'], watchIgnore: ['dist', '*.tmp'], watchDebounce: 50 });
  });

  test('run: the same flags; no name means an anonymous foreground run', () => {
    const r = parse(['run', '--restart=never', '--', 'sh', '-c', 'exit 3']);
    assert.deepEqual(r, { verb: 'run', name: undefined, command: 'sh', args: ['-c', 'exit 3'], settings: { restart: 'never' }, log: undefined, cwd: undefined, env: {} });
  });

  test('--listen is repeatable; --instances max is one worker per CPU; reload takes names', () => {
    const r = parse(['start', '--listen', 'http=8080', '--listen', 'unix:/run/a.sock', '--instances', 'max', '--reload-grace', '500', '--', 'node', 'a.js']);
    assert.ok(r.verb === 'start' && r.fleet === undefined);
    assert.deepEqual(r.settings, { listen: ['http=8080', 'unix:/run/a.sock'], instances: availableParallelism(), reloadGrace: 500 });
    assert.deepEqual(parse(['reload', 'a', 'b']), { verb: 'reload', names: ['a', 'b'] });
    assert.throws(() => parse(['reload']), /reload needs a NAME/);
    assert.throws(() => parse(['start', '--listen', '', '--', 'x']), /--listen needs a value/);
  });

  test('every setting but pidFile and cluster is a flag, in kebab case (or the name its row gives), with the table\'s kind', () => {
    const names = Object.keys(SETTINGS).filter((n) => n !== 'pidFile' && n !== 'cluster');
    assert.deepEqual(SETTING_FLAGS.map((f) => f.setting), names);
    // Spelled out here, not by the function under test: each capital becomes a dash and its letter (watchIgnore's row names its flag).
    assert.deepEqual(SETTING_FLAGS.map((f) => f.flag), names.map((n) => (n === 'watchIgnore' ? 'ignore' : n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))));
    assert.ok(SETTING_FLAGS.some((f) => f.flag === 'max-restart-delay' && f.setting === 'maxRestartDelay'));
    assert.equal(kebab('maxRestartDelay'), 'max-restart-delay');
    for (const f of SETTING_FLAGS) assert.equal(f.kind, SETTINGS[f.setting].kind, `${f.flag} has its row's kind`);
  });

  test('sizes: digits with k, M or G, 1024-based, either case', () => {
    assert.equal(parseBytes('max-size', '0'), 0);
    assert.equal(parseBytes('max-size', '10k'), 10_240);
    assert.equal(parseBytes('max-size', '10K'), 10_240);
    assert.equal(parseBytes('max-size', '5M'), 5_242_880);
    assert.equal(parseBytes('max-size', '1g'), 1_073_741_824);
    for (const bad of ['', '5X', '1.5M', '-1', 'M', '5 M', '5MB']) assert.throws(() => parseBytes('max-size', bad), UsageError, bad);
  });

  test('stop, restart, status, list, logs, delete, uninstall', () => {
    assert.deepEqual(parse(['stop', 'a', 'b']), { verb: 'stop', names: ['a', 'b'], all: false, timeout: 30_000 });
    assert.deepEqual(parse(['stop', '--all', '--timeout', '500']), { verb: 'stop', names: [], all: true, timeout: 500 });
    assert.deepEqual(parse(['restart', 'a', 'b']), { verb: 'restart', names: ['a', 'b'], updateEnv: false });
    assert.deepEqual(parse(['status']), { verb: 'status', name: undefined, json: false });
    assert.deepEqual(parse(['status', 'web', '--json']), { verb: 'status', name: 'web', json: true });
    assert.deepEqual(parse(['list', '--json']), { verb: 'list', json: true });
    assert.deepEqual(parse(['logs', 'web']), { verb: 'logs', names: ['web'], lines: 10, follow: false });
    assert.deepEqual(parse(['logs', 'web', '-n', '3', '-f']), { verb: 'logs', names: ['web'], lines: 3, follow: true });
    assert.deepEqual(parse(['logs', '-fn5', 'web']), { verb: 'logs', names: ['web'], lines: 5, follow: true });
    assert.deepEqual(parse(['logs']), { verb: 'logs', names: [], lines: 10, follow: false }, 'every daemon');
    assert.deepEqual(parse(['logs', 'a', 'b', 'a', '-f']), { verb: 'logs', names: ['a', 'b'], lines: 10, follow: true });
    assert.deepEqual(parse(['flush', 'a', 'b']), { verb: 'flush', names: ['a', 'b'], all: false, rotated: false });
    assert.deepEqual(parse(['flush', '--all', '--rotated']), { verb: 'flush', names: [], all: true, rotated: true });
    assert.deepEqual(parse(['delete', 'web']), { verb: 'delete', names: ['web'] });
    assert.deepEqual(parse(['uninstall', 'web', '--backend', 'systemd']), { verb: 'uninstall', name: 'web', backend: 'systemd', root: undefined });
  });

  test('install: the settings a service manager has, --user, --dry-run, --force, --backend, --root', () => {
    const r = parse(['install', '--user', '--name', 'web', '--restart-delay', '2000', '--wait-ready', '5000', '--dry-run', '--force', '--backend', 'launchd', '--root', '/img', '--', 'node', 'app.js']);
    assert.equal(r.verb, 'install');
    assert.deepEqual(r, {
      verb: 'install', name: 'web', command: 'node', args: ['app.js'], user: true, dryRun: true, force: true, now: false, cwd: undefined, log: undefined,
      env: {}, settings: { restartDelay: 2000, waitReady: 5000 }, backend: 'launchd', root: '/img',
    });
  });

  test('--help and -h anywhere before --, for every verb; --version', () => {
    assert.deepEqual(parse(['--help']), { verb: 'help', topic: undefined });
    assert.deepEqual(parse(['-h']), { verb: 'help', topic: undefined });
    assert.deepEqual(parse(['--version']), { verb: 'version' });
    for (const verb of VERBS) assert.deepEqual(parse([verb, '--help']), { verb: 'help', topic: verb });
    assert.deepEqual(parse(['start', '--bogus', '-h']), { verb: 'help', topic: 'start' });
    assert.equal(parse(['start', '--', 'node', '--help']).verb, 'start', '--help after -- belongs to the command');
  });

  test("the Windows task's command line is one `run` accepts", () => {
    const config = resolveServiceConfig(
      { name: 'web', command: '/usr/bin/node', args: ['/srv/app.js', '--x'], logFile: '/var/log/web.log', errFile: '/var/log/e.log', waitReady: 3000, env: { A: '1' }, workingDirectory: '/srv' },
      { process: { execPath: '/usr/bin/node', execArgv: [], argv: ['/usr/bin/node', '/srv/x.js'], nodeOptions: undefined, isSea: false }, cwd: '/srv' },
    );
    const r = parse(supervisorRunArgs(config));
    assert.deepEqual(r, {
      verb: 'run', name: 'web', command: '/usr/bin/node', args: ['/srv/app.js', '--x'],
      settings: { restart: 'always', restartDelay: 1000, killTimeout: 5000, waitReady: 3000, errFile: '/var/log/e.log' },
      log: '/var/log/web.log', cwd: undefined, env: { A: '1' },
    });
  });
});

describe('bad input: one line, usage', () => {
  const cases: [string, string[], RegExp][] = [
    ['no verb', [], /^missing verb/],
    ['unknown verb', ['frobnicate'], /^unknown verb "frobnicate"/],
    ['a flag instead of a verb', ['--json'], /^unknown flag --json: a verb comes first/],
    ['unknown flag', ['start', '--max-cont', '3', '--', 'sleep', '1'], /^unknown flag --max-cont for start/],
    ['unknown short flag', ['logs', 'web', '-q'], /^unknown flag -q for logs/],
    ['missing --', ['start', '--name', 'web'], /^missing -- <command>/],
    ['command without --', ['start', 'node', 'app.js'], /^unexpected argument "app.js": the program's arguments go after --/],
    ['nothing after --', ['run', '--'], /^missing the command after --/],
    ['empty command', ['start', '--', ''], /^missing the command after --/],
    ['a count that is not a number', ['start', '--max-count', 'many', '--', 'x'], /^--max-count must be a whole number >= 0, got "many"/],
    ['a negative count', ['start', '--max-error', '-1', '--', 'x'], /^--max-error must be a whole number >= 0, got "-1"/],
    ['a fractional count', ['start', '--max-files', '2.5', '--', 'x'], /^--max-files must be a whole number >= 0/],
    ['a count beyond 2^53', ['start', '--max-count', '9007199254740993', '--', 'x'], /^--max-count is out of range/],
    ['seconds that are not a number', ['start', '--min-exit-time', '1e3', '--', 'x'], /^--min-exit-time must be a number of seconds >= 0/],
    ['ms beyond a timer', ['start', '--kill-timeout', '2147483648', '--', 'x'], /^--kill-timeout is out of range \(at most 2147483647 ms\)/],
    ['ms negative', ['start', '--restart-delay=-5', '--', 'x'], /^--restart-delay must be a number of milliseconds >= 0/],
    ['an unknown choice', ['start', '--restart', 'sometimes', '--', 'x'], /^--restart must be always, on-failure, never, got "sometimes"/],
    ['an exit code beyond 255', ['start', '--success-exit-codes', '1,256', '--', 'x'], /^--success-exit-codes must be exit codes from 0 to 255/],
    ['a bad size', ['start', '--max-size', '5X', '--', 'x'], /^--max-size must be a size in bytes/],
    ['a boolean with a value', ['start', '--timestamps=yes', '--', 'x'], /^--timestamps takes no value/],
    ['a flag without its value', ['start', '--name'], /^--name needs a value/],
    ['a flag as a value', ['start', '--name', '--max-count', '3', '--', 'x'], /^--name needs a value \(got the flag --max-count/],
    ['a flag twice', ['start', '--name', 'a', '--name', 'b', '--', 'x'], /^--name is given twice/],
    ['--env without = (a set) without a file', ['start', '--env', 'A', '--', 'x'], /^--env A: a word without "=" selects env_A of a fleet file; for a variable write --env NAME=VALUE/],
    ['two env sets', ['start', 'ecosystem.config.js', '--env', 'A', '--env', 'B'], /^--env selects one env set, got A and B/],
    ['a setting flag with a file', ['start', 'xdaemon.config.json', '--max-error', '3'], /^--max-error does not go with a fleet file: set it in the file/],
    ['--only without a file', ['start', '--only', 'a', '--', 'x'], /^--only goes with a fleet file/],
    ['two files', ['stop', 'a.json', 'b.json'], /^stop takes one fleet file, got also "b.json"/],
    ['a script with two arguments before --', ['start', 'server.js', 'x'], /^unexpected argument "x": the program's arguments go after --/],
    ['startup with an argument', ['startup', 'now'], /^startup takes no argument/],
    ['save with a name', ['save', 'web'], /^save takes no NAME/],
    ['--env without a name', ['start', '--env', '=1', '--', 'x'], /^--env needs NAME=VALUE, got "=1" \(no name\)/],
    ['an empty --log', ['start', '--log=', '--', 'x'], /^--log needs a file name/],
    ['stop without a name', ['stop'], /^stop needs a NAME or --all/],
    ['stop with names and --all', ['stop', 'a', '--all'], /^stop takes NAME… or --all, not both/],
    ['stop --timeout not a number', ['stop', '--all', '--timeout', 'soon'], /^--timeout must be a number of milliseconds/],
    ['restart without a name', ['restart'], /^restart needs a NAME/],
    ['logs -n not a number', ['logs', 'web', '-n', 'all'], /^-n must be a whole number of lines >= 0, got "all"/],
    ['flush without a name', ['flush'], /^flush needs a NAME or --all/],
    ['flush with both', ['flush', 'a', '--all'], /^flush takes NAME… or --all, not both/],
    ['a bad schedule', ['start', '--cron-restart', '61 * * * *', '--', 'x'], /^--cron-restart: cronRestart "61 \* \* \* \*" is not a schedule: .*minute/],
    ['a schedule of 6 fields', ['start', '--cron-restart', '0 0 3 * * *', '--', 'x'], /^--cron-restart: cronRestart "0 0 3 \* \* \*" is not a schedule: it has 6 field/],
    ['a watch path after a space that is no folder', ['start', '--watch', 'no-such-dir', '--', 'x'], /^--watch "no-such-dir": not an existing folder; a path to watch is written --watch=DIR/],
    ['an empty --ignore', ['start', '--watch', '--ignore', '', '--', 'x'], /^--ignore needs a value that is not empty/],
    ['--ignore without --watch', ['start', '--ignore', 'dist', '--', 'x'], /^--ignore cannot apply: it adds to what watch ignores, and watch is off/],
    ['--watch-debounce without --watch', ['start', '--watch-debounce', '50', '--', 'x'], /^--watch-debounce cannot apply: .*watch is off/],
    ['a memory limit with a unit it does not know', ['start', '--max-memory', '1T', '--', 'x'], /^--max-memory must be a size in bytes/],
    ['status with two names', ['status', 'a', 'b'], /^status takes one NAME at most/],
    ['list with a name', ['list', 'web'], /^list takes no NAME/],
    ['install with a setting services do not have', ['install', '--max-count', '3', '--', 'x'], /^--max-count is not an option of install/],
    ['install with an unknown backend', ['install', '--backend', 'upstart', '--', 'x'], /^--backend must be systemd, launchd, windows/],
  ];
  for (const [what, line, re] of cases) test(what, () => refused(line, re));

  const badNames = ['', 'a\0b', 'a\tb', '   ', 'x'.repeat(101)];
  for (const name of badNames) {
    test(`the name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 5)}…(${name.length})` : name)} is refused`, () => {
      refused(['start', '--name', name, '--', 'x'], /^(invalid name|--name needs a value)/);
      if (name !== '') {
        refused(['status', name], /^invalid name/);
        // A name with a path separator is a fleet file to stop, not a name.
        if (!/[\\/]/.test(name)) refused(['stop', name], /^invalid name/);
        refused(['logs', name], /^invalid name/);
      }
    });
  }
});

describe('what a user reads', () => {
  const now = Date.parse('2026-01-01T01:00:00Z');
  const base: DaemonStatus = { state: 'running', pidFile: '/s/web.pid', pid: 100, workerPid: 101, startedAt: '2026-01-01T00:00:00Z', workerStartedAt: '2026-01-01T00:55:30Z', starts: 3, restarts: 1, errors: 2, maxCount: 0, maxError: 3, ready: false, command: ['/usr/bin/node', 'app.js', 'a b'], logFile: '/s/web.log' };
  const web: NamedStatus = { name: 'web', ...base };
  const off: NamedStatus = { name: 'off', state: 'stopped', pidFile: '/s/off.pid', starts: 0, restarts: 0, errors: 0, maxCount: 0, maxError: 0, command: [], logFile: '/s/off.log', ended: { at: '2026-01-01T00:00:00Z', code: 0, signal: null, reason: 'stopped (count 1/unlimited; errors 0/3)', unwritten: [] } };

  test('durations: two units at most', () => {
    assert.deepEqual([0, 999, 12_000, 4 * 60_000 + 3000, 5 * 3_600_000 + 2 * 60_000, 3 * 86_400_000 + 4 * 3_600_000, -5].map(formatDuration), ['0s', '0s', '12s', '4m 3s', '5h 2m', '3d 4h', '0s']);
  });

  test('list: name, state, pid, worker pid, uptime, cpu, memory, health, starts, restarts (every cause), errors, log', () => {
    const measured = { ...web, usage: { cpu: 12.25, cpuWindow: 5, rss: 530 * 1024 * 1024, pss: 200 * 1024 * 1024, processes: 2, supervisorRss: 40 * 1024 * 1024 } };
    assert.equal(
      listTable([measured, off], now),
      [
        'ID  NAME  STATE    PID  WORKER  UPTIME  CPU    MEM       HEALTH  STARTS  RESTARTS  ERRORS  LOG',
        '0   web   running  100  101     4m 30s  12.3%  530.0 MB  -       3       3         2/3     /s/web.log',
        '1   off   stopped  -    -       -       -      -         -       -       -         -       /s/off.log',
      ].join('\n'),
    );
    assert.equal(listTable([], now), 'ID  NAME  STATE  PID  WORKER  UPTIME  CPU  MEM  HEALTH  STARTS  RESTARTS  ERRORS  LOG');
    const checked: NamedStatus = { ...web, health: { state: 'unhealthy', failures: 3, lastFailure: { at: '2026-01-01T00:59:00.000Z', reason: 'HTTP 503' } } };
    assert.match(listTable([checked], now), /^0 +web +running +100 +101 +4m 30s +- +- +unhealthy +3 /m);
    assert.match(statusLines(checked, undefined, now), /\n  health      unhealthy; last failure at 2026-01-01T00:59:00\.000Z: HTTP 503\n/);
    assert.equal(healthCell({ state: 'healthy', failures: 1 }), 'healthy (1 failed)');
    // An errored daemon (it gave up) keeps the restarts its supervisor last recorded.
    const gaveUp: NamedStatus = { ...off, name: 'bad', state: 'errored', starts: 16, errors: 16, maxError: 15, ended: { at: '2026-01-01T00:30:00Z', code: 1, signal: null, reason: 'giving up: 16 consecutive failures exceed maxError 15 (…; 16 starts in all)', unwritten: [], gaveUp: true } };
    assert.match(listTable([gaveUp], now), /\n0 +bad +errored +- +- +- +- +- +- +- +15 +- +\/s\/off\.log$/);
    assert.equal(summaryLine(gaveUp, now), 'bad: errored (giving up: 16 consecutive failures exceed maxError 15 (…; 16 starts in all), 30m 0s ago)');
    assert.match(statusLines(gaveUp, undefined, now, ['Error: boom']), /\n  restarts    15\n[\s\S]*\n  last lines of the log:\n    Error: boom$/);
    assert.match(statusLines(measured, undefined, now), /\n  cpu         12\.3% of a core over the last 5\.0 s, 2 process\(es\)\n  memory      RSS 530\.0 MB, PSS 200\.0 MB \(the worker's whole tree\); supervisor RSS 40\.0 MB\n/);
    assert.equal(summaryLine(measured, now), 'web: running (supervisor 100, worker 101, up 4m 30s, cpu 12.3%, mem 530.0 MB)');
  });

  test('LSB codes: running and restarting 0, dead 1, stopped 3; for all: the worst', () => {
    assert.deepEqual((['running', 'restarting', 'dead', 'stopped', 'errored'] as const).map(lsbCode), [0, 0, 1, 3, 3]);
    assert.equal(lsbCodeOfAll([]), 0);
    assert.equal(lsbCodeOfAll(['running', 'stopped']), 3);
    assert.equal(lsbCodeOfAll(['stopped', 'dead', 'running']), 1);
  });

  test('status lines', () => {
    assert.equal(summaryLine(web, now), 'web: running (supervisor 100, worker 101, up 4m 30s)');
    assert.equal(summaryLine(off, now), 'off: stopped (on request, 1h 0m ago)');
    const text = statusLines(web, '/srv', now);
    assert.match(text, /^web: running\n  supervisor  100 since 2026-01-01T00:00:00Z \(up 1h 0m\)\n  worker      101 since/);
    assert.match(text, /\n  command     \/usr\/bin\/node app.js 'a b'\n  cwd         \/srv\n  log         \/s\/web.log\n  pid file    \/s\/web.pid$/);
  });

  test('several instances: each in status and list, which one restarts, the sockets', () => {
    const i = (instance: number, workerPid: number | undefined, extra: object = {}) => ({ instance, workerPid, workerStartedAt: '2026-01-01T00:59:00Z', ready: workerPid !== undefined, restarting: workerPid === undefined, starts: 1, restarts: 0, reloads: 2, errors: 0, ...extra });
    const many: NamedStatus = { ...web, state: 'restarting', reloads: 4, instances: [i(0, 101, { usage: { cpu: 3.5, rss: 1024 * 1024, processes: 1 } }), i(1, undefined, { starts: 2, errors: 1 })], listen: [{ name: 'http', address: '127.0.0.1:8080' }] };
    assert.equal(summaryLine(many, now), 'web: restarting (supervisor 100, 2 instances, restarting: 1, workers 101, -, up 4m 30s)');
    const text = statusLines(many, '/srv', now);
    assert.match(text, /\n  restarts    5 \(after an exit 0, requested 1, reloads 4\)\n  failures    2 in a row \(maxError 3\); starts 3\n/);
    assert.match(text, /\n  instance 0  pid 101 since 2026-01-01T00:59:00Z \(up 1m 0s\), ready, starts 1, restarts 0, errors 0, reloads 2, cpu 3\.5%, mem 1\.0 MB\n  instance 1  no worker, restarting, starts 2, restarts 0, errors 1, reloads 2\n  listen      127\.0\.0\.1:8080 \(http\)\n/);
    assert.match(listTable([many], now), /\n +web\[0\] +ready +101 +1m 0s +3\.5% +1\.0 MB +- +1 +2 +0\/3\n +web\[1\] +restarting +- +1m 0s +- +2 +3 +1\/3$/);
  });

  test('status NAME with an OS service of that name: both shown; the daemon decides the code, a service alone its own state', () => {
    const svc = { status: { name: 'web', backend: 'systemd' as const, state: 'running' as const, detail: 'active/running', pid: 999, path: '/etc/systemd/system/web.service', warnings: ['lingering is off'] }, user: false };
    const both = statusReport('web', { status: { ...base, state: 'stopped' }, cwd: '/srv' }, svc, false, now);
    assert.equal(both?.code, 3);
    assert.match(both?.stdout ?? '', /^web: stopped\n[\s\S]*\nservice web \(systemd\): running \(active\/running\), pid 999\n  warning: lingering is off$/);
    const alone = statusReport('web', undefined, svc, false, now);
    assert.deepEqual(alone, { stdout: 'service web (systemd): running (active/running), pid 999\n  warning: lingering is off', code: 0 });
    const stopped = statusReport('web', undefined, { ...svc, status: { ...svc.status, state: 'failed', pid: undefined, warnings: [] } }, true, now);
    assert.equal(stopped?.code, 3);
    const { pid: _pid, ...failed } = { ...svc.status, state: 'failed', warnings: [] };
    assert.deepEqual(JSON.parse(stopped?.stdout ?? ''), { name: 'web', state: 'failed', service: failed });
    assert.equal(statusReport('web', undefined, undefined, false, now), undefined, 'neither: unknown (exit 4)');
    const json = JSON.parse(statusReport('web', { status: base, cwd: '/srv' }, undefined, true, now)?.stdout ?? '') as Record<string, unknown>;
    assert.deepEqual(json, { name: 'web', ...base }, 'the library\'s status object plus name');
  });

  test('the help lists every setting flag with its default from the table', () => {
    for (const verb of ['start', 'run'] as const) {
      const text = helpText(verb);
      for (const f of SETTING_FLAGS) assert.match(text, new RegExp(`--${f.flag}\\b.*\\(default [^)]*\\)`), `${verb}: --${f.flag}`);
      assert.match(text, /--max-count N +total worker starts; 0 = unlimited \(default 0\)/);
      assert.match(text, /--max-size SIZE .*\(default 0\)/);
      assert.match(text, /10k, 5M, 1G/);
    }
    assert.match(installHelp({ restartDelay: 1000 }), /--restart-delay MS .*\(default 1000\)/, "install shows the service's defaults");
    for (const verb of VERBS) assert.match(helpText(), new RegExp(`^  ${verb} `, 'm'));
  });

  test("the README's option table has every setting flag with a named daemon's default", () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const defaults = namedDaemonDefaults();
    for (const f of SETTING_FLAGS) {
      const d = defaults[f.setting];
      const shown = d === false ? 'off' : d === '' || (Array.isArray(d) && d.length === 0) ? 'none' : `\`${String(d)}\``;
      assert.match(readme, new RegExp(`^\\| \`--${f.flag}[^\`]*\` \\| ${shown} \\| `, 'm'), `--${f.flag} (default ${shown})`);
    }
  });
});

describe('logs: where the last lines begin', () => {
  const at = (text: string, lines: number): string => {
    const bytes = Buffer.from(text);
    return bytes.subarray(tailStart(bytes.length, lines, (p, n) => bytes.subarray(p, p + n))).toString();
  };
  test('a final newline ends the last line; fewer lines than asked: all of it; 0: nothing', () => {
    assert.equal(at('a\nb\nc\n', 2), 'b\nc\n');
    assert.equal(at('a\nb\nc', 2), 'b\nc');
    assert.equal(at('a\nb\n', 10), 'a\nb\n');
    assert.equal(at('a\nb\n', 0), '');
    assert.equal(at('', 3), '');
    assert.equal(at('\n\n\n', 2), '\n\n');
  });
  test('across chunks (lines longer than the 64 KB read size)', () => {
    const long = 'x'.repeat(100_000);
    assert.equal(at(`${long}\n${long}\nend\n`, 2), `${long}\nend\n`);
  });
});

describe('command lines that name a file', () => {
  test('start FILE --only --env SET; stop/restart/delete FILE; start SCRIPT', () => {
    assert.deepEqual(parse(['start', 'ecosystem.config.js', '--only', 'a,b', '--env', 'production', '--env', 'X=1']), {
      verb: 'start',
      fleet: { file: 'ecosystem.config.js', only: ['a', 'b'], envSet: 'production', env: { X: '1' } },
    });
    assert.deepEqual(parse(['start']), { verb: 'start', fleet: { file: undefined, only: [], envSet: undefined, env: {} } });
    assert.deepEqual(parse(['stop', 'apps.json', '--only', 'web']), {
      verb: 'stop', names: [], all: false, timeout: 30_000, fleet: { file: 'apps.json', only: ['web'], envSet: undefined, env: {} },
    });
    assert.deepEqual(parse(['restart', './x/xdaemon.config.mjs']), { verb: 'restart', names: [], fleet: { file: './x/xdaemon.config.mjs', only: [], envSet: undefined, env: {} } });
    assert.equal((parse(['delete', 'apps.json']) as { fleet?: unknown }).fleet !== undefined, true);
    assert.deepEqual(parse(['start', 'server.js', '--name', 'api', '--', '--port', '8080']), {
      verb: 'start', fleet: undefined, script: 'server.js', interpreter: undefined, interpreterArgs: [], force: false, name: 'api', settings: {}, log: undefined, cwd: undefined, env: {}, args: ['--port', '8080'],
    });
  });
});

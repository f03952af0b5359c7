/**
 * The pure renderers: the systemd unit (checked by systemd-analyze verify too), the launchd plist
 * (read back with a plist parser) and the Windows task XML (as text). No processes but
 * systemd-analyze, which only parses.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { renderLaunchdPlist, renderSystemdUnit, renderWindowsTask, type ServiceOptions } from '../../src/service/index';
import { supervisorCliPath } from '../../src/service/windows-task';
import { systemdSocketUnits, unitSockets } from '../../src/service/systemd-unit';
import { resolveServiceConfig } from '../../src/service/options';
import { cleanup, tempDir } from '../support/fixtures';
import { parseUnit, plainSetting, single, splitWindowsCommandLine, xmlElement } from '../support/unit-syntax';

after(cleanup);

const WEB: ServiceOptions = {
  name: 'web',
  description: 'Web front end',
  command: '/usr/bin/node',
  args: ['/srv/web/server.js', '--port', '8080'],
  workingDirectory: '/srv/web',
  env: { NODE_ENV: 'production' },
  user: 'www-data',
  logFile: '/var/log/web.log',
};

const xdaemonError = (re: RegExp) => (err: unknown): boolean => {
  assert.ok(err instanceof Error && err.name === 'XDaemonError', `expected an XDaemonError, got ${String(err)}`);
  assert.match(err.message, re);
  return true;
};

describe('renderSystemdUnit', () => {
  test('a system service, every line', () => {
    assert.equal(
      renderSystemdUnit(WEB),
      [
        '# web.service: written by xdaemon (Service#install). Install again rather than edit it.',
        '[Unit]',
        'Description=Web front end',
        'After=network-online.target',
        'Wants=network-online.target',
        'StartLimitIntervalSec=15',
        'StartLimitBurst=5',
        '',
        '[Service]',
        'Type=exec',
        'ExecStart="/usr/bin/node" "/srv/web/server.js" "--port" "8080"',
        'WorkingDirectory=/srv/web',
        'Environment="NODE_ENV=production"',
        'User=www-data',
        'Restart=always',
        'RestartSec=1',
        'KillMode=control-group',
        'TimeoutStopSec=5',
        'StandardOutput=append:/var/log/web.log',
        '',
        '[Install]',
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
    );
  });

  test('a user service: default.target, no network target, no User=', () => {
    const unit = parseUnit(renderSystemdUnit({ ...WEB, user: undefined, userService: true }));
    assert.equal(single(unit, 'Install', 'WantedBy'), 'default.target');
    assert.equal(single(unit, 'Unit', 'After'), undefined);
    assert.equal(single(unit, 'Unit', 'Wants'), undefined);
    assert.equal(single(unit, 'Service', 'User'), undefined);
  });

  test('waitReady: Type=notify, NotifyAccess=all and the start timeout', () => {
    const ms = parseUnit(renderSystemdUnit({ ...WEB, waitReady: 2500 }));
    assert.equal(single(ms, 'Service', 'Type'), 'notify');
    assert.equal(single(ms, 'Service', 'NotifyAccess'), 'all');
    assert.equal(single(ms, 'Service', 'TimeoutStartSec'), '2.5');
    const yes = parseUnit(renderSystemdUnit({ ...WEB, waitReady: true }));
    assert.equal(single(yes, 'Service', 'TimeoutStartSec'), '90');
    for (const off of [false, 0, undefined]) {
      const unit = parseUnit(renderSystemdUnit({ ...WEB, waitReady: off }));
      assert.equal(single(unit, 'Service', 'Type'), 'exec');
      assert.equal(single(unit, 'Service', 'NotifyAccess'), undefined);
    }
  });

  test('restart, delays and timeouts (seconds with fractions; killTimeout 0 is not "no timeout")', () => {
    const cases: [Partial<ServiceOptions>, Record<string, string>][] = [
      [{ restart: 'never' }, { Restart: 'no', RestartSec: '1' }],
      [{ restart: 'on-failure', restartDelay: 1500 }, { Restart: 'on-failure', RestartSec: '1.5' }],
      [{ restartDelay: 0, killTimeout: 0 }, { Restart: 'always', RestartSec: '0', TimeoutStopSec: '0.001' }],
      [{ killTimeout: 2250 }, { TimeoutStopSec: '2.25' }],
    ];
    for (const [over, expected] of cases) {
      const unit = parseUnit(renderSystemdUnit({ ...WEB, ...over }));
      for (const [key, value] of Object.entries(expected)) assert.equal(single(unit, 'Service', key), value, `${JSON.stringify(over)} ${key}`);
    }
    const slow = parseUnit(renderSystemdUnit({ ...WEB, restartDelay: 4000 }));
    assert.equal(single(slow, 'Unit', 'StartLimitIntervalSec'), '30', '10 s + 5 × the restart delay');
    const ready = parseUnit(renderSystemdUnit({ ...WEB, restartDelay: 1000, waitReady: 5000 }));
    assert.equal(single(ready, 'Unit', 'StartLimitIntervalSec'), '40', '10 s + 5 × (the restart delay + the readiness timeout)');
  });

  test('stderr: its own file, or the journal/stdout default', () => {
    const both = parseUnit(renderSystemdUnit({ ...WEB, errFile: '/var/log/web.err' }));
    assert.equal(single(both, 'Service', 'StandardError'), 'append:/var/log/web.err');
    const errOnly = parseUnit(renderSystemdUnit({ ...WEB, logFile: undefined, errFile: '/var/log/web.err' }));
    assert.equal(single(errOnly, 'Service', 'StandardOutput'), undefined);
    const none = parseUnit(renderSystemdUnit({ ...WEB, logFile: undefined }));
    assert.equal(single(none, 'Service', 'StandardOutput'), undefined);
    assert.equal(single(none, 'Service', 'StandardError'), undefined);
  });

  test('description and displayName: one line whatever they hold; specifiers escaped', () => {
    const unit = parseUnit(renderSystemdUnit({ ...WEB, description: '100% [Service] ExecStart=/bin/sh $x;"q" <&>' }));
    assert.equal(plainSetting(unit, 'Unit', 'Description'), '100% [Service] ExecStart=/bin/sh $x;"q" <&>');
    assert.deepEqual([...(unit.get('Service')?.keys() ?? [])].filter((k) => k === 'ExecStart').length, 1);
    assert.equal(plainSetting(parseUnit(renderSystemdUnit({ ...WEB, description: undefined, displayName: 'Web 1' })), 'Unit', 'Description'), 'Web 1');
    assert.equal(plainSetting(parseUnit(renderSystemdUnit({ ...WEB, description: undefined })), 'Unit', 'Description'), 'web');
    for (const bad of ['two\nlines', 'cr\rhere', 'tab\there', 'nel\u0085']) {
      assert.throws(() => renderSystemdUnit({ ...WEB, description: bad }), RangeError);
      assert.throws(() => renderSystemdUnit({ ...WEB, displayName: bad }), RangeError);
    }
    assert.throws(() => renderSystemdUnit({ ...WEB, description: 'joins the next line\\' }), xdaemonError(/trailing backslash/));
    assert.throws(() => renderSystemdUnit({ ...WEB, description: ' padded' }), xdaemonError(/blanks/));
  });

  test('refuses what a unit cannot hold: relative or $ commands, newline paths, odd users', () => {
    assert.throws(() => renderSystemdUnit({ ...WEB, command: 'node' }), xdaemonError(/not an absolute path/));
    assert.throws(() => renderSystemdUnit({ ...WEB, command: '/opt/$x/node' }), xdaemonError(/"\$"/));
    assert.throws(() => renderSystemdUnit({ ...WEB, workingDirectory: '/srv/a\nb' }), xdaemonError(/control character/));
    assert.throws(() => renderSystemdUnit({ ...WEB, logFile: '/var/log/x\\' }), xdaemonError(/trailing backslash/));
    assert.throws(() => renderSystemdUnit({ ...WEB, user: 'DOMAIN\\web' }), xdaemonError(/not a user name systemd accepts/));
  });

  test('an unset command is this program: node, its flags, the main script made absolute', () => {
    const unit = parseUnit(renderSystemdUnit({ name: 'self', args: ['x'] }));
    const line = single(unit, 'Service', 'ExecStart') as string;
    assert.ok(line.startsWith(`"${process.execPath}" `), line);
    assert.ok(line.endsWith(`"${process.argv[1]}" "x"`), line);
  });
});

describe('systemdSocketUnits', () => {
  const units = (listen: string[]) => systemdSocketUnits(resolveServiceConfig({ name: 'web', command: '/usr/bin/node', userService: true, listen }));
  const lines = (text: string, key: string): string[] => text.split('\n').filter((l) => l.startsWith(`${key}=`));

  test('unnamed addresses: one NAME.socket, in the order given, no descriptor name', () => {
    const [only, ...rest] = units(['8080', '127.0.0.1:9090']);
    assert.deepEqual(rest, []);
    assert.equal(only?.unit, 'web.socket');
    assert.deepEqual(lines(only?.content ?? '', 'ListenStream'), ['ListenStream=8080', 'ListenStream=127.0.0.1:9090']);
    assert.deepEqual(lines(only?.content ?? '', 'FileDescriptorName'), []);
  });

  test('one named address: NAME.socket carries its name', () => {
    const [only] = units(['http=8080']);
    assert.equal(only?.unit, 'web.socket');
    assert.deepEqual(lines(only?.content ?? '', 'FileDescriptorName'), ['FileDescriptorName=http']);
  });

  test('several, one named: a unit per address, each with its name (systemd orders several units as it likes)', () => {
    const all = units(['http=8080', '[::1]:9090', 'a@b=unix:/run/web.sock']);
    assert.deepEqual(all.map((u) => u.unit), ['web-http.socket', 'web-listen1.socket', 'web-a\\x40b.socket']);
    assert.deepEqual(all.map((u) => lines(u.content, 'FileDescriptorName')[0]), ['FileDescriptorName=http', 'FileDescriptorName=listen1', 'FileDescriptorName=a@b']);
    assert.deepEqual(all.map((u) => lines(u.content, 'ListenStream')), [['ListenStream=8080'], ['ListenStream=[::1]:9090'], ['ListenStream=/run/web.sock']]);
    const service = renderSystemdUnit({ name: 'web', command: '/usr/bin/node', userService: true, listen: ['http=8080', '[::1]:9090', 'a@b=unix:/run/web.sock'] });
    const names = 'web-http.socket web-listen1.socket web-a\\x40b.socket';
    assert.match(service, new RegExp(`\\nRequires=${names.replace(/\\/g, '\\\\')}\\nAfter=${names.replace(/\\/g, '\\\\')}\\n`));
    assert.deepEqual(unitSockets(service), names.split(' '));
  });
});

describe('systemd-analyze verify', () => {
  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  const missing = analyze.error !== undefined || analyze.status !== 0;
  // Outside CI a missing tool is a skip with its reason; in CI (which installs it) it is a failure.
  const inCi = process.env.CI === 'true';
  const skip = missing && !inCi ? 'systemd-analyze is not installed (CI installs it: apt-get install systemd)' : false;
  if (missing && inCi) {
    test('systemd-analyze is installed (CI=true)', () => {
      assert.fail(`systemd-analyze is missing under CI=true: .ci/run installs it (${analyze.error?.message ?? analyze.stderr})`);
    });
  }
  const node = process.execPath;
  const cases: [string, ServiceOptions][] = [
    ['defaults', { name: 'verify-defaults', command: node }],
    ['everything', { ...WEB, name: 'verify-all', command: node, user: 'root', errFile: '/var/log/e.log', restart: 'on-failure', restartDelay: 1500, killTimeout: 0 }],
    ['notify', { name: 'verify-notify', command: node, waitReady: 30_000 }],
    ['user service', { name: 'verify-user', command: node, userService: true, restart: 'never' }],
    [
      'hostile values',
      {
        name: 'verify-hostile',
        command: node,
        args: ['a b', '$HOME', '${X}', '100%', '%h', 'x"y\\', '\n;\r\t', ';', '\\;', '<&>', 'é🙂', '', "'", '\u0085\u0007'],
        env: { A: 'x y', B: '%p $x "q" \\ \n', C: '' },
        workingDirectory: '/tmp/a b;%c$x',
        logFile: '/tmp/log %h "x".log',
        description: '100% "quoted" & <b> $x',
      },
    ],
    ['template-like name', { name: 'verify@1', command: node }],
    ['oneshot with a stop command', { name: 'verify-oneshot', command: node, args: ['/x/cli.js', 'resurrect'], oneshot: true, stopArgs: ['/x/cli.js', 'stop', '--all'], killTimeout: 35_000 }],
  ];
  for (const [title, options] of cases) {
    test(title, { skip }, () => {
      const file = join(tempDir(), `${options.name}.service`);
      writeFileSync(file, renderSystemdUnit(options));
      const res = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', timeout: 30_000 });
      const said = `${res.stdout}${res.stderr}`.trim();
      assert.equal(res.status, 0, `systemd-analyze verify failed:\n${said}`);
      assert.equal(said.split('\n').filter((l) => l.includes(file)).join('\n'), '', 'no warning about the unit');
    });
  }
});

describe('renderLaunchdPlist', () => {
  const parsePlist = async (text: string): Promise<Record<string, unknown>> => {
    const { parse } = await import('plist');
    return parse(text) as Record<string, unknown>;
  };

  test('a system daemon, read back', async () => {
    const p = await parsePlist(renderLaunchdPlist({ ...WEB, name: 'com.example.web' }));
    assert.deepEqual(p, {
      Label: 'com.example.web',
      ProgramArguments: ['/usr/bin/node', '/srv/web/server.js', '--port', '8080'],
      WorkingDirectory: '/srv/web',
      EnvironmentVariables: { NODE_ENV: 'production' },
      StandardOutPath: '/var/log/web.log',
      StandardErrorPath: '/var/log/web.log',
      UserName: 'www-data',
      RunAtLoad: true,
      KeepAlive: true,
      ThrottleInterval: 1,
      ExitTimeOut: 5,
    });
  });

  test('KeepAlive follows restart; ThrottleInterval and ExitTimeOut are whole seconds, at least 1', async () => {
    const cases: [Partial<ServiceOptions>, unknown, number, number][] = [
      [{ restart: 'on-failure', restartDelay: 1500, killTimeout: 0 }, { SuccessfulExit: false }, 2, 1],
      [{ restart: 'never', restartDelay: 0, killTimeout: 12_001 }, false, 1, 13],
    ];
    for (const [over, keepAlive, throttle, exitTimeout] of cases) {
      const p = await parsePlist(renderLaunchdPlist({ ...WEB, ...over }));
      assert.deepEqual(p.KeepAlive, keepAlive);
      assert.equal(p.ThrottleInterval, throttle);
      assert.equal(p.ExitTimeOut, exitTimeout);
    }
  });

  test('an agent has no UserName; no env, no log: no keys', async () => {
    const p = await parsePlist(renderLaunchdPlist({ name: 'agent', command: '/usr/bin/node', userService: true, workingDirectory: '/' }));
    assert.deepEqual(Object.keys(p).sort(), ['ExitTimeOut', 'KeepAlive', 'Label', 'ProgramArguments', 'RunAtLoad', 'ThrottleInterval', 'WorkingDirectory']);
    const errOnly = await parsePlist(renderLaunchdPlist({ ...WEB, logFile: undefined, errFile: '/var/log/e.log' }));
    assert.equal(errOnly.StandardOutPath, undefined);
    assert.equal(errOnly.StandardErrorPath, '/var/log/e.log');
  });

  test('refuses what XML cannot carry', () => {
    assert.throws(() => renderLaunchdPlist({ ...WEB, args: ['bell\u0007'] }), xdaemonError(/control character/));
    assert.throws(() => renderLaunchdPlist({ ...WEB, env: { A: 'esc\u001b' } }), xdaemonError(/control character/));
  });
});

describe('renderWindowsTask', () => {
  const task = (over: Partial<ServiceOptions> = {}): string => renderWindowsTask({ ...WEB, user: undefined, ...over });

  test('a system task: at boot as SYSTEM, no time limit, one instance, normal priority', () => {
    const xml = task();
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-16"?>\r\n'));
    assert.match(xml, /<BootTrigger>\s*<Enabled>true<\/Enabled>\s*<\/BootTrigger>/);
    assert.equal(xmlElement(xml, 'UserId'), 'S-1-5-18');
    assert.equal(xmlElement(xml, 'RunLevel'), 'HighestAvailable');
    assert.equal(xmlElement(xml, 'ExecutionTimeLimit'), 'PT0S');
    assert.equal(xmlElement(xml, 'MultipleInstancesPolicy'), 'IgnoreNew');
    assert.equal(xmlElement(xml, 'Priority'), '5');
    assert.equal(xmlElement(xml, 'Description'), 'Web front end');
    assert.equal(xmlElement(xml, 'URI'), '\\web');
    assert.equal(xmlElement(xml, 'Command'), process.execPath);
    assert.equal(xmlElement(xml, 'WorkingDirectory'), '/srv/web');
    assert.match(xml, /<RestartOnFailure>/);
    assert.doesNotMatch(task({ restart: 'never' }), /<RestartOnFailure>/);
  });

  test("it runs xdaemon's supervisor in the foreground with the settings as flags", () => {
    const args = splitWindowsCommandLine(xmlElement(task({ errFile: '/var/log/e.log', waitReady: 3000 }), 'Arguments') as string);
    assert.deepEqual(args, [
      supervisorCliPath(),
      'run',
      '--name=web',
      '--restart=always',
      '--restart-delay=1000',
      '--kill-timeout=5000',
      '--wait-ready=3000',
      '--log=/var/log/web.log',
      '--err-file=/var/log/e.log',
      '--env=NODE_ENV=production',
      '--',
      '/usr/bin/node',
      '/srv/web/server.js',
      '--port',
      '8080',
    ]);
  });

  test('a user task starts at logon as that user; a named user without a password is S4U', () => {
    const user = task({ userService: true });
    assert.match(user, /<LogonTrigger>/);
    assert.equal(xmlElement(user, 'LogonType'), 'InteractiveToken');
    const named = task({ user: 'CORP\\svc-web' });
    assert.match(named, /<BootTrigger>/);
    assert.equal(xmlElement(named, 'UserId'), 'CORP\\svc-web');
    assert.equal(xmlElement(named, 'LogonType'), 'S4U');
  });

  test('refuses % (Task Scheduler expands %NAME%, with no escape)', () => {
    assert.throws(() => task({ args: ['100%'] }), xdaemonError(/expands %NAME%/));
    assert.throws(() => task({ env: { P: '%PATH%' } }), xdaemonError(/expands %NAME%/));
    assert.throws(() => task({ workingDirectory: '/srv/%x' }), xdaemonError(/expands %NAME%/));
  });
});

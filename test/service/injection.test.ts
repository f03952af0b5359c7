/**
 * Injection-proof rendering: arguments, paths and environment values full of quotes, `$`, `%`,
 * backslashes, `;`, newlines, `<`, `&` and unicode are rendered, read back by an independent reader
 * (systemd's rules in test/support/unit-syntax, a plist parser, the Windows command-line rules)
 * and compared with the originals. Names that could escape the service directory are refused.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Service, renderLaunchdPlist, renderSystemdUnit, renderWindowsTask, type ServiceOptions } from '../../src/service/index';
import { execStartArgv, parseUnit, plainSetting, splitWindowsCommandLine, unitEnvironment, xmlElement } from '../support/unit-syntax';

/** Values that would break a naive renderer somewhere. */
const NASTY = [
  'plain',
  'with space',
  "single ' quote",
  'double " quote',
  '"',
  '$HOME',
  '${HOME}',
  '$$',
  '$',
  '100%',
  '%h',
  '%%',
  'back\\slash',
  'trailing\\',
  '\\\\',
  '\\"',
  'semi;colon',
  ';',
  '\\;',
  'new\nline',
  'crlf\r\n',
  'tab\there',
  '<tag attr="x">',
  '&amp; &',
  ']]>',
  'unicode é ü 漢字 🙂',
  '',
  ' ',
  '  leading',
  'trailing  ',
  '#not a comment',
  '-dash',
  '--flag=a b',
  '@at',
  'line\u2028separator',
  'next\u0085line',
  '\u00a0nbsp',
];
const env = (values: readonly string[]): Record<string, string> => Object.fromEntries(values.map((v, i) => [`V_${i}`, v]));
const BASE: ServiceOptions = { name: 'inject', command: '/usr/bin/node', workingDirectory: '/srv/app' };

describe('systemd: the program gets exactly its argv and env', () => {
  const values = [...NASTY, 'bell\u0007', 'esc\u001b[0m', 'del\u007f'];

  test('arguments', () => {
    const unit = parseUnit(renderSystemdUnit({ ...BASE, args: values }));
    assert.deepEqual(execStartArgv(unit), ['/usr/bin/node', ...values]);
  });

  test('the command path and the working directory', () => {
    const odd = '/opt/my app;%x\'"é/<&>/node';
    const unit = parseUnit(renderSystemdUnit({ ...BASE, command: odd, workingDirectory: "/srv/my app;%c 'x' \"y\" <&> é", args: ['a'] }));
    assert.deepEqual(execStartArgv(unit), [odd, 'a']);
    assert.equal(plainSetting(unit, 'Service', 'WorkingDirectory'), "/srv/my app;%c 'x' \"y\" <&> é");
  });

  test('environment values', () => {
    const unit = parseUnit(renderSystemdUnit({ ...BASE, env: env(values) }));
    assert.deepEqual(unitEnvironment(unit), env(values));
  });

  test('log paths', () => {
    const unit = parseUnit(renderSystemdUnit({ ...BASE, logFile: '/var/log/a b;%h$x"<&>é.log', errFile: '/var/log/e%%.log' }));
    assert.equal(plainSetting(unit, 'Service', 'StandardOutput'), 'append:/var/log/a b;%h$x"<&>é.log');
    assert.equal(plainSetting(unit, 'Service', 'StandardError'), 'append:/var/log/e%%.log');
  });

  test('a description cannot add a directive', () => {
    for (const description of ['x\nExecStartPre=/bin/evil', 'x\rExecStartPre=/bin/evil', 'x\\\nExecStartPre=/bin/evil']) {
      assert.throws(() => renderSystemdUnit({ ...BASE, description }), RangeError);
    }
    const text = renderSystemdUnit({ ...BASE, description: '[Service] ExecStartPre=/bin/evil ; # %n $x' });
    const unit = parseUnit(text);
    assert.equal(unit.get('Service')?.get('ExecStartPre'), undefined);
    assert.equal(plainSetting(unit, 'Unit', 'Description'), '[Service] ExecStartPre=/bin/evil ; # %n $x');
  });
});

describe('launchd: the plist reads back to the same values', () => {
  test('arguments, environment, paths', async () => {
    const { parse } = await import('plist');
    const options: ServiceOptions = {
      ...BASE,
      command: '/opt/my app/<&>/node',
      args: NASTY,
      env: env(NASTY),
      workingDirectory: '/srv/a b/<&>"é\r\n',
      logFile: '/var/log/<&> é.log',
      errFile: '/var/log/e\n.log',
    };
    const p = parse(renderLaunchdPlist(options)) as Record<string, unknown>;
    assert.deepEqual(p.ProgramArguments, ['/opt/my app/<&>/node', ...NASTY]);
    assert.deepEqual(p.EnvironmentVariables, env(NASTY));
    assert.equal(p.WorkingDirectory, '/srv/a b/<&>"é\r\n');
    assert.equal(p.StandardOutPath, '/var/log/<&> é.log');
    assert.equal(p.StandardErrorPath, '/var/log/e\n.log');
  });
});

describe('Windows: the supervisor gets exactly the command line', () => {
  // Task Scheduler expands %NAME% (refused, see render.test.ts); XML cannot carry other controls.
  const values = NASTY.filter((v) => !v.includes('%'));

  test('arguments and environment values', () => {
    const xml = renderWindowsTask({ ...BASE, args: values, env: env(values), workingDirectory: 'C:\\srv\\my app & <co>' });
    const argv = splitWindowsCommandLine(xmlElement(xml, 'Arguments') as string);
    const dash = argv.indexOf('--');
    assert.deepEqual(argv.slice(dash + 1), ['/usr/bin/node', ...values]);
    const envFlags = argv.slice(0, dash).filter((a) => a.startsWith('--env='));
    assert.deepEqual(envFlags, Object.entries(env(values)).map(([k, v]) => `--env=${k}=${v}`));
    assert.equal(xmlElement(xml, 'WorkingDirectory'), 'C:\\srv\\my app & <co>');
  });

  test('a description cannot add an element', () => {
    const xml = renderWindowsTask({ ...BASE, description: '</Description><Exec><Command>evil</Command>' });
    assert.equal(xmlElement(xml, 'Description'), '</Description><Exec><Command>evil</Command>');
    assert.equal(xml.match(/<Command>/g)?.length, 1);
  });
});

describe('names', () => {
  const refused = ['', '.hidden', '..', 'a/b', '../etc/passwd', 'a\\b', 'a b', 'a:b', 'ä', 'a\0b', 'x@', '@x', 'a@b@c', 'a..b', 'x'.repeat(101), 'tab\t'];
  for (const name of refused) {
    test(`refused: ${JSON.stringify(name)}`, () => {
      assert.throws(() => new Service({ name }), RangeError);
      assert.throws(() => renderSystemdUnit({ ...BASE, name }), RangeError);
    });
  }
  test('accepted: letters, digits, . _ - and one inner @', () => {
    for (const name of ['web', 'my-app_2.service-ish', '0day', 'app@1', 'x'.repeat(100), '_x', '-x']) {
      assert.equal(new Service({ name }).name, name);
    }
  });
});

/** Service options: validation errors that name the option and the value, defaults, resolution. Pure. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Service, type ServiceOptions } from '../../src/service/index';
import { type ResolveFacts, SERVICE_DEFAULTS, resolveServiceConfig } from '../../src/service/options';

const facts = (over: Partial<ResolveFacts['process']> = {}, cwd = '/home/me/app'): ResolveFacts => ({
  process: { execPath: '/usr/local/bin/node', execArgv: [], argv: ['/usr/local/bin/node', 'bin/server.js', 'install'], nodeOptions: undefined, isSea: false, ...over },
  cwd,
});

describe('validation', () => {
  const bad: [string, unknown, ErrorConstructor, RegExp][] = [
    ['options not an object', null, TypeError, /service options must be an object, got null/],
    ['unknown key', { name: 'a', restartSec: 1 }, TypeError, /unknown service option "restartSec" \(known: name, displayName/],
    ['name not a string', { name: 5 }, TypeError, /option name must be a string, got number 5/],
    ['command empty', { name: 'a', command: '' }, TypeError, /option command must be a non-empty string, got ""/],
    ['args not an array', { name: 'a', args: 'x' }, TypeError, /option args must be an array of strings, got "x"/],
    ['args with a number', { name: 'a', args: ['x', 1] }, TypeError, /option args\[1\] must be a string, got number 1/],
    ['args with NUL', { name: 'a', args: ['a\0b'] }, RangeError, /option args\[0\] must not contain a NUL character/],
    ['args with a lone surrogate', { name: 'a', args: ['\ud800x'] }, RangeError, /args\[0\] must be valid Unicode/],
    ['env not an object', { name: 'a', env: ['A=1'] }, TypeError, /option env must be an object of strings, got an array/],
    ['env name', { name: 'a', env: { '1A': 'x' } }, RangeError, /env has a name that is not letters.*"1A"/],
    ['env name with =', { name: 'a', env: { 'A=B': 'x' } }, RangeError, /"A=B"/],
    ['env value', { name: 'a', env: { A: 1 } }, TypeError, /option env\.A must be a string, got number 1/],
    ['restart', { name: 'a', restart: 'sometimes' }, TypeError, /option restart must be one of "always", "on-failure", "never", got "sometimes"/],
    ['restartDelay negative', { name: 'a', restartDelay: -1 }, RangeError, /restartDelay must be a whole number of milliseconds from 0 to 2147483647, got number -1/],
    ['restartDelay fraction', { name: 'a', restartDelay: 1.5 }, RangeError, /restartDelay must be a whole number/],
    ['killTimeout NaN', { name: 'a', killTimeout: Number.NaN }, RangeError, /killTimeout .* got NaN/],
    ['killTimeout string', { name: 'a', killTimeout: '5000' }, TypeError, /killTimeout must be a number of milliseconds, got "5000"/],
    ['waitReady', { name: 'a', waitReady: 'yes' }, TypeError, /waitReady must be a number of milliseconds, got "yes"/],
    ['userService', { name: 'a', userService: 1 }, TypeError, /userService must be a boolean, got number 1/],
    ['backend', { name: 'a', backend: 'upstart' }, TypeError, /backend must be one of "systemd", "launchd", "windows", got "upstart"/],
    ['root relative', { name: 'a', root: 'tmp/x' }, TypeError, /option root must be an absolute path, got "tmp\/x"/],
    ['exec', { name: 'a', exec: 'systemctl' }, TypeError, /option exec must be a function/],
    ['user with userService', { name: 'a', user: 'www', userService: true }, TypeError, /user \("www"\) and userService cannot be combined/],
    ['displayName with a newline', { name: 'a', displayName: 'a\nb' }, RangeError, /displayName must be one line without control characters, got "a\\nb"/],
    ['user with a newline', { name: 'a', user: 'a\nb' }, RangeError, /option user must be one line/],
    ['logFile empty', { name: 'a', logFile: '' }, TypeError, /logFile must be a non-empty string/],
    ['oneshot not a boolean', { name: 'a', oneshot: 1 }, TypeError, /option oneshot must be a boolean, got number 1/],
    ['stopArgs without oneshot', { name: 'a', stopArgs: ['stop'] }, TypeError, /stopArgs goes with oneshot: true/],
    ['stopArgs with a number', { name: 'a', oneshot: true, stopArgs: [1] }, TypeError, /option stopArgs\[0\] must be a string/],
    ['oneshot with restart always', { name: 'a', oneshot: true, restart: 'always' }, TypeError, /oneshot runs the command once: restart must be "never"/],
    ['oneshot with waitReady', { name: 'a', oneshot: true, waitReady: 1000 }, TypeError, /oneshot and waitReady cannot be combined/],
  ];
  for (const [title, options, type, re] of bad) {
    test(title, () => {
      assert.throws(() => new Service(options as ServiceOptions), (err: unknown) => {
        assert.ok(err instanceof type, `${String(err)} is not a ${type.name}`);
        assert.match((err as Error).message, re);
        return true;
      });
    });
  }

  test('undefined means not set, for every option', () => {
    const all: Record<string, undefined> = {};
    for (const key of ['displayName', 'description', 'command', 'args', 'workingDirectory', 'env', 'user', 'logFile', 'errFile', 'restart', 'restartDelay', 'killTimeout', 'userService', 'waitReady', 'oneshot', 'stopArgs', 'backend', 'root', 'exec']) {
      all[key] = undefined;
    }
    const config = resolveServiceConfig({ name: 'a', command: '/bin/true', ...all }, facts());
    assert.equal(config.restart, 'always');
    assert.equal(config.restartDelay, 1000);
    assert.equal(config.killTimeout, 5000);
    assert.equal(config.userService, false);
    assert.equal(config.waitReady, 0);
    assert.equal(config.displayName, 'a');
    assert.equal(config.description, 'a');
    assert.equal(config.workingDirectory, '/home/me/app');
    assert.deepEqual(config.env, {});
  });
});

describe('resolution', () => {
  test('defaults', () => {
    assert.deepEqual(SERVICE_DEFAULTS, { restart: 'always', restartDelay: 1000, killTimeout: 5000, userService: false, waitReady: false });
  });

  test('an unset command is this program: node, its flags (less debugger flags), the script made absolute, then args', () => {
    const config = resolveServiceConfig({ name: 'a', args: ['--port', '80'] }, facts({ execArgv: ['--inspect', '--enable-source-maps', '--import', 'tsx'] }));
    assert.equal(config.command, '/usr/local/bin/node');
    assert.deepEqual(config.args, ['--enable-source-maps', '--import', 'tsx', '/home/me/app/bin/server.js', '--port', '80']);
  });

  test('a single executable application runs itself', () => {
    const config = resolveServiceConfig({ name: 'a', args: ['serve'] }, facts({ execPath: '/opt/app/app', argv: ['/opt/app/app', '/opt/app/app', 'install'], isSea: true }));
    assert.equal(config.command, '/opt/app/app');
    assert.deepEqual(config.args, ['serve']);
  });

  test('node -e cannot be a service', () => {
    assert.throws(() => resolveServiceConfig({ name: 'a' }, facts({ execArgv: ['-e', 'x'], argv: ['/usr/local/bin/node'] })), (err: unknown) => {
      assert.equal((err as Error).name, 'XDaemonError');
      assert.match((err as Error).message, /cannot start this program again: it was run with -e/);
      return true;
    });
  });

  test('relative paths are resolved against the current directory; bare commands and Windows paths are kept', () => {
    const config = resolveServiceConfig(
      { name: 'a', command: './bin/app', workingDirectory: 'data', logFile: '../log/a.log', errFile: '/var/log/a.err' },
      facts(),
    );
    assert.equal(config.command, '/home/me/app/bin/app');
    assert.equal(config.workingDirectory, '/home/me/app/data');
    assert.equal(config.logFile, '/home/me/log/a.log');
    assert.equal(config.errFile, '/var/log/a.err');
    assert.equal(resolveServiceConfig({ name: 'a', command: 'node' }, facts()).command, 'node');
    const win = resolveServiceConfig({ name: 'a', command: 'C:\\Program Files\\nodejs\\node.exe', workingDirectory: 'D:/srv', logFile: '\\\\host\\share\\a.log' }, facts());
    assert.equal(win.command, 'C:\\Program Files\\nodejs\\node.exe');
    assert.equal(win.workingDirectory, 'D:/srv');
    assert.equal(win.logFile, '\\\\host\\share\\a.log');
  });

  test('waitReady: true is 90 s, a number is ms, false and 0 are off', () => {
    assert.equal(resolveServiceConfig({ name: 'a', command: '/x', waitReady: true }, facts()).waitReady, 90_000);
    assert.equal(resolveServiceConfig({ name: 'a', command: '/x', waitReady: 1234 }, facts()).waitReady, 1234);
    assert.equal(resolveServiceConfig({ name: 'a', command: '/x', waitReady: false }, facts()).waitReady, 0);
    assert.equal(resolveServiceConfig({ name: 'a', command: '/x', waitReady: 0 }, facts()).waitReady, 0);
  });

  test('the constructor copies and freezes the options; nothing is detected yet', () => {
    const options: ServiceOptions = { name: 'a', args: ['x'] };
    const svc = new Service(options);
    options.name = 'b';
    assert.equal(svc.name, 'a');
    assert.ok(Object.isFrozen(svc.options));
    assert.equal(svc.displayName, 'a');
  });
});

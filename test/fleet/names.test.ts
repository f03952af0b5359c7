/**
 * Daemon names, pure: which names the state directory can hold, and the name a command line gets
 * without one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultName, isValidName } from '../../src/fleet/names';

describe('names', () => {
  const files = new Set(['server.js', 'lib/app.test.ts', 'run']);
  const isFile = (arg: string): boolean => files.has(arg);
  test('the base name of the first argument that is a file, less its extension', () => {
    assert.equal(defaultName('node', ['server.js'], isFile), 'server');
    assert.equal(defaultName('node', ['--inspect', 'lib/app.test.ts', 'server.js'], isFile), 'app.test');
    assert.equal(defaultName('/usr/bin/python3', ['-m', 'http.server'], isFile), 'python3');
  });
  test('else the executable\'s', () => {
    assert.equal(defaultName('sh', ['-c', 'sleep 1'], isFile), 'sh');
    assert.equal(defaultName('/opt/bin/my-server', [], isFile), 'my-server');
  });
  test('a base name that is not a valid name asks for --name', () => {
    assert.throws(() => defaultName('/opt/my server', [], isFile), /cannot make a name of "\/opt\/my server".*give one with --name/);
  });
  test('valid names: letters, digits, . _ - @, 1 to 100, no leading dot', () => {
    for (const name of ['web', 'a', 'my-app_2.1', 'api@eu', '@scope', 'x'.repeat(100), '1']) assert.ok(isValidName(name), name);
  });
});

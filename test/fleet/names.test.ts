/**
 * Daemon names, pure: which names the state directory can hold, and the name a command line gets
 * without one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultName, isValidName, nameOfStem, stemOf } from '../../src/fleet/names';

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
    assert.throws(() => defaultName('/opt/my\u0001server', [], isFile), /cannot make a name of "\/opt\/my\\u0001server".*give one with --name/);
  });
  test('valid names: letters, digits, . _ - @, 1 to 100, no leading dot', () => {
    for (const name of ['web', 'a', 'my-app_2.1', 'api@eu', '@scope', 'x'.repeat(100), '1']) assert.ok(isValidName(name), name);
  });
  test('any other name is shown as written and kept under a %XX stem that reads back; none reaches outside the state directory', () => {
    for (const [name, stem] of [['Server commiets', 'Server%20commiets'], ['.hidden', '%2Ehidden'], ['..', '%2E.'], ['a/b', 'a%2Fb'], ['a\\b', 'a%5Cb'], ['a..b', 'a.%2Eb'], ['50%', '50%25'], ['é', '%C3%A9']]) {
      assert.ok(isValidName(name), name);
      assert.equal(stemOf(name), stem, name);
      assert.equal(nameOfStem(stem), name, stem);
      assert.ok(!stem.includes('/') && !stem.includes('\\') && !stem.startsWith('.'), stem);
    }
    assert.equal(stemOf('web'), 'web');
    // A stem stemOf would not write reads as no name (a stray file in the state directory).
    for (const stray of ['a%20', 'x..y', '%2', 'a b']) assert.equal(nameOfStem(stray === 'a%20' ? 'a%2' : stray), undefined, stray);
  });
  test('not names: empty, blanks only, control characters, over 100, and "all" (every daemon)', () => {
    for (const name of ['', '   ', 'a\u0000b', 'a\nb', 'x'.repeat(101), 'all']) assert.ok(!isValidName(name), JSON.stringify(name));
  });
});

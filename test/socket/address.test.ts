/** The `listen` address parser, from a table: what each form means, and the line a bad one gets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeAddress, parseAddress, parseAddresses } from '../../src/socket/address';

test('the address forms', () => {
  const cases: [string, object, string][] = [
    ['8080', { kind: 'tcp', name: 'listen0', host: '', port: 8080 }, '*:8080'],
    ['127.0.0.1:8080', { kind: 'tcp', name: 'listen0', host: '127.0.0.1', port: 8080 }, '127.0.0.1:8080'],
    ['[::1]:8080', { kind: 'tcp', name: 'listen0', host: '::1', port: 8080 }, '[::1]:8080'],
    ['localhost:80', { kind: 'tcp', name: 'listen0', host: 'localhost', port: 80 }, 'localhost:80'],
    ['http=8080', { kind: 'tcp', name: 'http', host: '', port: 8080 }, '*:8080'],
    ['unix:/run/a=b.sock', { kind: 'unix', name: 'listen0', path: '/run/a=b.sock' }, 'unix:/run/a=b.sock'],
    ['api=unix:/run/api.sock', { kind: 'unix', name: 'api', path: '/run/api.sock' }, 'unix:/run/api.sock'],
  ];
  for (const [text, expected, described] of cases) {
    const a = parseAddress(text, 0);
    assert.deepEqual({ ...a, text: undefined }, { ...expected, text: undefined }, text);
    assert.equal(describeAddress(a), described);
  }
});

test('bad addresses: one line naming the address and why', () => {
  const cases: [string, RegExp][] = [
    ['0', /"0": the port must be a number from 1 to 65535/],
    ['65536', /the port must be/],
    ['host:', /the port must be/],
    ['::1:80', /write an IPv6 address as \[ADDR\]:PORT/],
    ['[::1]80', /\[ADDR\]:PORT/],
    ['[1.2.3.4]:80', /is not an IPv6 address/],
    ['unix:', /unix: needs a path/],
    ['unix:rel', /must be absolute/],
    [`unix:/${'x'.repeat(120)}`, /at most 107 bytes/],
    ['a:b=80', /a name is letters/],
    ['=80', /a name is letters/],
  ];
  for (const [text, why] of cases) assert.throws(() => parseAddress(text, 0), why, text);
  assert.throws(() => parseAddresses(['a=80', 'a=81']), /the name "a" is given twice/);
  assert.throws(() => parseAddresses(['80', 'x=80']), /"x=80" is given twice/);
  assert.deepEqual(parseAddresses(['80', '81']).map((a) => a.name), ['listen0', 'listen1']);
});

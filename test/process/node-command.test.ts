/**
 * The pure pieces behind the spare and the parent-death wrapper: reading a node command line
 * (flags, entry, arguments), what a spare is refused for, the environment changes an order
 * carries, and the setpriv command line.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isNodeExecutable, splitNodeArgs, whyNoSpare } from '../../src/process/node-command';
import { withParentDeath } from '../../src/process/parent-death';
import { envChanges } from '../../src/supervisor/spare';

test('splitNodeArgs: flags (with a value as the next word where Node takes one), the entry, its arguments', () => {
  const cases: [string[], ReturnType<typeof splitNodeArgs>][] = [
    [['app.js'], { flags: [], script: 'app.js', args: [] }],
    [['app.js', '-r', 'x'], { flags: [], script: 'app.js', args: ['-r', 'x'] }],
    [['--import', 'tsx', 'app.ts', 'a'], { flags: ['--import', 'tsx'], script: 'app.ts', args: ['a'] }],
    [['--import=tsx', '--enable-source-maps', 'app.ts'], { flags: ['--import=tsx', '--enable-source-maps'], script: 'app.ts', args: [] }],
    [['-r', './pre.js', '--max-old-space-size=100', 'srv.js', '--port', '1'], { flags: ['-r', './pre.js', '--max-old-space-size=100'], script: 'srv.js', args: ['--port', '1'] }],
    [['--require', 'a', '--', '-weird.js', 'b'], { flags: ['--require', 'a'], script: '-weird.js', args: ['b'] }],
    [['-e', '1'], { why: 'node runs no entry script with -e' }],
    [['--test', 'a.js'], { why: 'node runs no entry script with --test' }],
    [['--inspect'], { why: 'node reads its program from stdin' }],
    [['-'], { why: 'node reads its program from stdin' }],
    [['--import'], { why: '--import has no value' }],
  ];
  for (const [argv, expected] of cases) assert.deepEqual(splitNodeArgs(argv), expected, argv.join(' '));
});

test('isNodeExecutable and whyNoSpare', () => {
  assert.ok(isNodeExecutable(process.execPath));
  assert.ok(isNodeExecutable('/opt/node20/bin/node') && isNodeExecutable('nodejs') && isNodeExecutable('node22'));
  assert.ok(!isNodeExecutable('/bin/sh') && !isNodeExecutable('nodemon') && !isNodeExecutable('tsx'));
  assert.equal(whyNoSpare(process.execPath, ['app.js']), undefined);
  assert.match(whyNoSpare('/usr/bin/python3', ['app.py']) ?? '', /^prewarm applies to Node workers only: \/usr\/bin\/python3 is not node/);
  assert.equal(whyNoSpare(process.execPath, ['-p', '1']), 'prewarm needs an entry script: node runs no entry script with -p');
});

test('envChanges: the values that differ, null for the names dropped; nothing for what stays', () => {
  assert.deepEqual(envChanges({ A: '1', B: '2', C: '3' }, { A: '1', B: '20', D: '4' }), { B: '20', D: '4', C: null });
  assert.deepEqual(envChanges({ A: '1' }, { A: '1' }), {});
});

test('withParentDeath: setpriv sets the signal and execs the command, its arguments untouched', () => {
  assert.deepEqual(withParentDeath('/usr/bin/setpriv', '/bin/sh', ['-c', 'echo "$0"', '--']), {
    file: '/usr/bin/setpriv',
    args: ['--pdeathsig', 'TERM', '--', '/bin/sh', '-c', 'echo "$0"', '--'],
  });
});

/** The command line of a re-spawn: pure functions, no processes. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ProcessFacts, programCommand, splitNodeOptions, withoutInspectFlags } from '../../src/launcher/program';

const facts = (over: Partial<ProcessFacts>): ProcessFacts => ({
  execPath: '/usr/bin/node',
  execArgv: [],
  argv: ['/usr/bin/node', '/srv/app.js'],
  nodeOptions: undefined,
  isSea: false,
  ...over,
});

describe('programCommand', () => {
  test('keeps execArgv and argv in order, byte for byte', () => {
    const cmd = programCommand(facts({ execArgv: ['--max-old-space-size=64', '--import', 'tsx'], argv: ['/usr/bin/node', '/srv/app.ts', 'a b', '', '--'] }));
    assert.equal(cmd.file, '/usr/bin/node');
    assert.deepEqual(cmd.args, ['--max-old-space-size=64', '--import', 'tsx', '/srv/app.ts', 'a b', '', '--']);
    // The display shows the command as it runs, Node flags included (a loader kept is visible).
    assert.equal(cmd.display, 'node --max-old-space-size=64 --import tsx /srv/app.ts "a b" "" --');
  });

  test('drops every debugger flag, with a separate port value too', () => {
    const cmd = programCommand(facts({ execArgv: ['--inspect', '--inspect-brk=0.0.0.0:9229', '--inspect-port', '9230', '--inspect-wait', '--no-warnings', '--debug-port=1'] }));
    assert.deepEqual(cmd.args, ['--no-warnings', '/srv/app.js']);
    assert.deepEqual(cmd.dropped, ['--inspect', '--inspect-brk=0.0.0.0:9229', '--inspect-port', '9230', '--inspect-wait', '--debug-port=1']);
  });

  test('drops debugger flags from NODE_OPTIONS and keeps the rest verbatim', () => {
    const cmd = programCommand(facts({ nodeOptions: '--inspect-brk  --require "/a b/x.js" --max-old-space-size=99' }));
    assert.equal(cmd.nodeOptions, '--require "/a b/x.js" --max-old-space-size=99');
    assert.equal(programCommand(facts({ nodeOptions: '--max-old-space-size=99' })).nodeOptions, '--max-old-space-size=99');
  });

  test('a single executable application restarts itself with argv from index 2', () => {
    const cmd = programCommand(facts({ execPath: '/opt/app', execArgv: ['--no-warnings'], argv: ['/opt/app', '/opt/app', '-d', 'x'], isSea: true }));
    assert.equal(cmd.file, '/opt/app');
    assert.deepEqual(cmd.args, ['-d', 'x']);
  });

  for (const [name, over] of [
    ['node -e', { execArgv: ['-e', 'x'], argv: ['/usr/bin/node'] }],
    ['node -p with extra args', { execArgv: ['-p', 'x'], argv: ['/usr/bin/node', 'a'] }],
    ['node --eval=…', { execArgv: ['--eval=x'], argv: ['/usr/bin/node'] }],
    ['a REPL', { argv: ['/usr/bin/node'] }],
    ['a script on stdin', { argv: ['/usr/bin/node', '-'] }],
  ] as const) {
    test(`refuses ${name}`, () => {
      assert.throws(() => programCommand(facts(over)), { name: 'XDaemonError', message: /cannot start this program again/ });
    });
  }

  test('splitNodeOptions keeps quoted words whole', () => {
    assert.deepEqual(splitNodeOptions(' --a  --b="x y" --c '), ['--a', '--b="x y"', '--c']);
    assert.deepEqual(withoutInspectFlags(['--inspect-port', '--x']).kept, ['--x']);
  });
});

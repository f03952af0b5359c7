/**
 * `xdaemon logs` of several daemons (all of them without a name, or those named): every line once,
 * after its daemon's name (aligned), in order per daemon, `-n` per daemon; `-f` follows all of them
 * across a rotation. `xdaemon flush`: the files emptied in place, the next lines land in them, the
 * rotated copies deleted with --rotated.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { PrefixedLines, linePrefixes, wantsColour } from '../../src/cli/log-prefix';
import { assertCode, newHome, startDaemon, workerRunning, xd, xdStart } from '../support/cli';
import { cleanup, readText } from '../support/fixtures';
import { signal, signalOurs, waitFor, withTimeout } from '../support/harness';

after(cleanup);

const lines = (name: string): string => `for i in 1 2 3 4 5; do echo "${name} says $i"; done; exec sleep 300`;

test('logs without a name: every daemon, each line once, prefixed and aligned, in order; -n per daemon; -f follows a rotation', async (t) => {
  const home = newHome(t);
  for (const name of ['a', 'bb', 'ccc']) await startDaemon(home, ['--name', name, '--', 'sh', '-c', lines(name)]);
  const logs = await Promise.all(['a', 'bb', 'ccc'].map(async (name) => (await workerRunning(home, name)).logFile));
  for (const log of logs) await waitFor(`the lines of ${log}`, () => readText(log).includes('says 5\n'));

  const all = await xd(home, ['logs', '-n', '100']);
  assertCode(all, 0);
  for (const [i, name] of ['a', 'bb', 'ccc'].entries()) {
    const mine = all.stdout.split('\n').filter((l) => l.startsWith(`${name.padEnd(3)} | `));
    assert.deepEqual(
      mine.map((l) => l.slice(6)),
      readText(logs[i] as string).trimEnd().split('\n'),
      `${name}: its whole log, each line once, in order`,
    );
    assert.deepEqual(mine.map((l) => l.slice(6)).filter((l) => l.startsWith(`${name} says `)), [1, 2, 3, 4, 5].map((n) => `${name} says ${n}`));
  }
  assert.equal(all.stdout.split('\n').filter((l) => l !== '').length, logs.reduce((n, log) => n + readText(log).trimEnd().split('\n').length, 0), 'no other line');
  assert.doesNotMatch(all.stdout, /\x1b\[/, 'no colour when stdout is not a terminal');

  const two = await xd(home, ['logs', 'ccc', 'a', '-n', '1']);
  assertCode(two, 0);
  assert.deepEqual(two.stdout.split('\n').filter(Boolean).map((l) => l.slice(0, 6)), ['ccc | ', 'a   | '], 'the names given, in their order, one line each');

  const follower = xdStart(home, ['logs', '-f', '-n', '1', 'a', 'bb']);
  t.after(() => signalOurs(follower.pid, 'SIGKILL'));
  const seen = (text: string): Promise<true> => waitFor(`"${text}" from logs -f`, () => follower.stdout.includes(text), 10_000);
  const lastLine = (log: string): string => readText(log).trimEnd().split('\n').at(-1) as string;
  await seen(`a  | ${lastLine(logs[0] as string)}\n`);
  await seen(`bb | ${lastLine(logs[1] as string)}\n`);
  appendFileSync(logs[0] as string, 'appended to a\n');
  await seen('a  | appended to a\n');
  renameSync(logs[1] as string, `${logs[1]}.1`);
  appendFileSync(`${logs[1]}.1`, 'last of the old bb\n');
  writeFileSync(logs[1] as string, 'first of the new bb\n');
  await seen('bb | last of the old bb\nbb | first of the new bb\n');
  appendFileSync(logs[1] as string, 'then more\n');
  await seen('bb | then more\n');
  signal(follower.pid, 'SIGINT');
  const exit = await withTimeout(follower.done, 5000, 'logs -f to end');
  assertCode(exit, 0);
  assert.equal(exit.stdout.split('appended to a').length, 2, 'each line once');
  assert.equal((exit.stdout.split('a  | appended to a')[0] as string).split('\n').filter(Boolean).length, 2, '-n 1: the last line of each, then what came');
});

test('flush: the logs emptied in place, the next lines land in them; --rotated deletes the copies; --all', async (t) => {
  const home = newHome(t);
  const tick = ['--', process.execPath, '-e', 'let n = 0; setInterval(() => console.log(`tick ${++n}`), 50)'];
  await startDaemon(home, ['--name', 'direct', ...tick]);
  await startDaemon(home, ['--name', 'piped', '--timestamps', ...tick]);
  const direct = (await workerRunning(home, 'direct')).logFile;
  const piped = (await workerRunning(home, 'piped')).logFile;
  for (const log of [direct, piped]) await waitFor(`ticks in ${log}`, () => readText(log).includes('tick 3\n'));
  writeFileSync(`${direct}.1`, 'old\n');
  writeFileSync(`${direct}.2`, 'older\n');

  const flushed = await xd(home, ['flush', 'direct', '--rotated']);
  assertCode(flushed, 0);
  assert.match(flushed.stdout, /^flushed direct: emptied \S+direct\.log and deleted 2 rotated file\(s\); its supervisor reopened them$/m);
  assert.equal(existsSync(`${direct}.1`) || existsSync(`${direct}.2`), false);
  // The worker writes on through its own descriptor, opened for appending: from the start, no hole.
  const after = await waitFor('new ticks in the emptied log', () => (/tick \d+\n/.test(readText(direct)) ? readFileSync(direct) : undefined));
  assert.notEqual(after[0], 0, 'no hole of NUL bytes where the old lines were');
  assert.doesNotMatch(after.toString(), /tick [123]\n/, 'the old lines are gone');

  const all = await xd(home, ['flush', '--all']);
  assertCode(all, 0);
  assert.match(all.stdout, /^flushed piped: emptied \S+piped\.log; its supervisor reopened them$/m);
  const fresh = await waitFor('new ticks in the piped log', () => (/Z out tick \d+\n/.test(readText(piped)) ? readText(piped) : undefined));
  assert.ok(!fresh.startsWith('\0'));
  assert.doesNotMatch(fresh, /out tick [123]\n/);

  assertCode(await xd(home, ['flush']), 2);
  assertCode(await xd(home, ['flush', 'nosuch']), 1);
});

describe('prefixes', () => {
  test('aligned names; colours only on a terminal without NO_COLOR', () => {
    assert.deepEqual(linePrefixes(['a', 'web'], false), ['a   | ', 'web | ']);
    assert.match(linePrefixes(['a', 'web'], true)[1] as string, /^\x1b\[33mweb \|\x1b\[0m $/);
    assert.equal(wantsColour(true, {}), true);
    assert.equal(wantsColour(true, { NO_COLOR: '1' }), false);
    assert.equal(wantsColour(true, { NO_COLOR: '' }), true);
    assert.equal(wantsColour(false, {}), false);
  });
  test('whole lines only; a partial last line waits, and is ended at the end', () => {
    const out: string[] = [];
    const p = new PrefixedLines('x | ', (b) => out.push(b.toString()));
    p.push(Buffer.from('one\ntw'));
    p.push(Buffer.from('o\nthr'));
    assert.deepEqual(out, ['x | one\n', 'x | two\n']);
    p.end();
    assert.deepEqual(out, ['x | one\n', 'x | two\n', 'x | thr\n']);
  });
});

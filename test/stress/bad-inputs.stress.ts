/**
 * Bad inputs across the API, each with its documented error (README, src/settings/,
 * src/log-file.ts): background() log paths and argument types, Daemon settings and options, log
 * paths for the daemon, odd XW_DAEMON_IDX markers, and odd argv that must survive background()
 * byte for byte. Every case checks the message, the exit code, and that nothing is left behind.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { SETTINGS } from '../../src/settings/table';
import { FIXTURES, cleanup, readText, records, run, tempDir } from '../support/fixtures';
import { waitFor, waitGone, waitNoTagged } from '../support/harness';
import {
  STRESS_FIXTURES,
} from './stress-helpers';

after(cleanup);

const BG = join(FIXTURES, 'bg.cjs');
const BG_ARGS = join(STRESS_FIXTURES, 'bg-args.cjs');
const DAEMON_JS = join(STRESS_FIXTURES, 'daemon-js.cjs');
/** Root ignores permissions: such cases run the fixture as nobody. */
const NOBODY = process.getuid?.() === 0 ? { uid: 65534 } : {};

/** Regex-escapes `s`. */
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A directory nobody can write to (but anyone can enter), inside a fresh temp dir. */
function lockedDir(): string {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  const locked = join(dir, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o555);
  return locked;
}

interface Refusal {
  script: string;
  env: NodeJS.ProcessEnv;
  /** The whole of stderr must match this (anchor it for one-line messages). */
  stderr: RegExp;
  uid?: number;
}

/** Runs a fixture that must refuse its input in the foreground: exit code 1, the message, nothing left. */
async function refused(c: Refusal): Promise<void> {
  const res = await run(c.script, [], { env: c.env, ...(c.uid === undefined ? {} : { uid: c.uid }) });
  assert.equal(res.code, 1, `exit code 1 expected; stderr: ${res.stderr}`);
  assert.match(res.stderr, c.stderr);
  assert.doesNotMatch(res.stderr, /started (background process|supervisor)/);
  assert.equal(res.stdout, '', 'the code after the call must not run');
  await waitNoTagged(3000);
}

/**
 * The single line an XDaemonError prints before the library exits with 1: `xdaemon: ` + `message`,
 * then `rest` (default: the system error's text after its code), and nothing else.
 */
const printed = (message: string, rest = '(: [^\\n]*)?'): RegExp => new RegExp(`^xdaemon: ${message}${rest}\\n$`);
/** An uncaught error of class `cls` whose message is `message` (Node prints it on stderr, then exits 1). */
const thrown = (cls: 'TypeError' | 'RangeError' | 'XDaemonError', message: string, rest = ''): RegExp =>
  new RegExp(`\\n${cls}: ${message}${rest}\\n`);

/**
 * The log paths every entry point must refuse before anything detaches: in a missing directory,
 * naming a directory, without write permission. `envVar` is how the fixture takes its log path.
 */
function logPathTests(script: string, envVar: string): void {
  test('log path in a missing directory: message and exit 1, nothing started', async () => {
    const log = join(tempDir(), 'missing', 'app.log');
    await refused({ script, env: { [envVar]: log }, stderr: printed(`cannot open log file ${esc(JSON.stringify(log))}: ENOENT`) });
  });

  test('log path that is a directory', async () => {
    const dir = tempDir();
    await refused({ script, env: { [envVar]: dir }, stderr: printed(`cannot open log file ${esc(JSON.stringify(dir))}: it is a directory`, '') });
  });

  test('log path without write permission (EACCES, as uid 65534)', async () => {
    const log = join(lockedDir(), 'app.log');
    await refused({ script, env: { [envVar]: log }, stderr: printed(`cannot open log file ${esc(JSON.stringify(log))}: EACCES`), ...NOBODY });
  });
}

describe('background(): bad log paths and argument types', () => {
  logPathTests(BG, 'BG_LOG');

  test('log path in a missing directory with isExit false: a thrown XDaemonError, exit 1', async () => {
    const log = join(tempDir(), 'missing', 'app.log');
    await refused({ script: BG, env: { BG_LOG: log, BG_NOEXIT: '1' }, stderr: thrown('XDaemonError', `cannot open log file ${esc(JSON.stringify(log))}: ENOENT`, '[^\\n]*') });
  });

  const types: [string, string, RegExp][] = [
    ['a NUL byte in the log path', `['/tmp/a\\u0000b.log']`, thrown('TypeError', 'xdaemon: logFile must not contain a NUL byte')],
    ['a number as logFile', '[42]', thrown('TypeError', 'xdaemon: logFile must be a string, got number 42')],
    ['null as logFile', '[null]', thrown('TypeError', 'xdaemon: logFile must be a string, got null')],
    ['an object as logFile', '[{ path: "x.log" }]', thrown('TypeError', 'xdaemon: logFile must be a string, got object')],
    ['isExit "yes"', `['', 'yes']`, thrown('TypeError', 'xdaemon: isExit must be a boolean, got "yes"')],
    ['isExit 0', `['', 0]`, thrown('TypeError', 'xdaemon: isExit must be a boolean, got number 0')],
    ['isExit null', `['', null]`, thrown('TypeError', 'xdaemon: isExit must be a boolean, got null')],
  ];
  for (const [name, args, stderr] of types) {
    test(`${name}: TypeError, exit 1`, async () => {
      await refused({ script: BG_ARGS, env: { BG_ARGS_JS: args }, stderr });
    });
  }
});

describe('Daemon: bad settings, options and log paths', () => {
  const settings: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['maxError -1 (negative)', { D_FIELDS_JS: '{ maxError: -1 }' }, thrown('RangeError', 'xdaemon: maxError must be a finite number >= 0, got number -1')],
    ['minExitTime -0.5 (negative)', { D_FIELDS_JS: '{ minExitTime: -0.5 }' }, thrown('RangeError', 'xdaemon: minExitTime must be a finite number >= 0, got number -0.5')],
    ['minExitTime NaN', { D_FIELDS_JS: '{ minExitTime: NaN }' }, thrown('RangeError', 'xdaemon: minExitTime must be a finite number >= 0, got NaN')],
    ['killTimeout Infinity', { D_FIELDS_JS: '{ killTimeout: Infinity }' }, thrown('RangeError', 'xdaemon: killTimeout must be a finite number >= 0, got number Infinity')],
    ['maxCount "2" (a string number)', { D_FIELDS_JS: `{ maxCount: '2' }` }, thrown('TypeError', 'xdaemon: maxCount must be a number, got "2"')],
    ['maxCount 1.5 (not whole)', { D_FIELDS_JS: '{ maxCount: 1.5 }' }, thrown('RangeError', 'xdaemon: maxCount must be a whole number, got 1\\.5')],
    ['maxError 2.5 (not whole)', { D_FIELDS_JS: '{ maxError: 2.5 }' }, thrown('RangeError', 'xdaemon: maxError must be a whole number, got 2\\.5')],
    ['killTimeout 2^31 (above the timer limit)', { D_FIELDS_JS: '{ killTimeout: 2 ** 31 }' }, thrown('RangeError', 'xdaemon: killTimeout must be at most 2147483647 ms, got 2147483648')],
    ['restartDelay 2^31 in the options', { D_ARGS_JS: `['', { restartDelay: 2 ** 31 }]` }, thrown('RangeError', 'xdaemon: restartDelay must be at most 2147483647 ms, got 2147483648')],
    ['maxError -1 in the options (thrown by run())', { D_ARGS_JS: `['', { maxError: -1 }]` }, thrown('RangeError', 'xdaemon: maxError must be a finite number >= 0, got number -1')],
    ['backoff "linear"', { D_FIELDS_JS: `{ backoff: 'linear' }` }, thrown('TypeError', 'xdaemon: backoff must be "fixed" or "exponential", got "linear"')],
    ['backoff "Exponential" in the options (case matters)', { D_ARGS_JS: `['', { backoff: 'Exponential' }]` }, thrown('TypeError', 'xdaemon: backoff must be "fixed" or "exponential", got "Exponential"')],
    ['an unknown option key (maxcount)', { D_ARGS_JS: `['', { maxcount: 2 }]` }, thrown('TypeError', `xdaemon: unknown option "maxcount" \\(known: ${Object.keys(SETTINGS).join(', ')}\\)`)],
    ['options that are an array', { D_ARGS_JS: `['', [1, 2]]` }, thrown('TypeError', 'xdaemon: options must be an object, got an array')],
    ['options that are a string', { D_ARGS_JS: `['', 'fast']` }, thrown('TypeError', 'xdaemon: options must be an object, got "fast"')],
    ['options that are null', { D_ARGS_JS: `['', null]` }, thrown('TypeError', 'xdaemon: options must be an object, got null')],
    ['a number as logFile', { D_ARGS_JS: '[7]' }, thrown('TypeError', 'xdaemon: logFile must be a string, got number 7')],
    ['a NUL byte in the log path', { D_ARGS_JS: `['/tmp/d\\u0000.log']` }, thrown('TypeError', 'xdaemon: logFile must not contain a NUL byte')],
    ['logFile set to null after construction', { D_FIELDS_JS: '{ logFile: null }' }, thrown('TypeError', 'xdaemon: logFile must be a string, got null')],
  ];
  for (const [name, env, stderr] of settings) {
    test(`${name}: ${/TypeError/.test(stderr.source) ? 'TypeError' : 'RangeError'}, exit 1, no supervisor`, async () => {
      await refused({ script: DAEMON_JS, env, stderr });
    });
  }

  logPathTests(DAEMON_JS, 'D_LOG');
});

interface Ready {
  pid: number;
  seen: string | null;
  argv: string[];
}

/** The single READY record in `log`, once it is there. */
async function readyIn(log: string): Promise<Ready> {
  return waitFor(`READY in ${log}`, () => records<Ready>(readText(log), 'READY')[0]);
}

/** The pid of the background child the parent names on stderr. */
function childPid(stderr: string): number {
  const m = /^xdaemon: \[\d+\] started background process (\d+) \(generation 1\)\n$/.exec(stderr);
  assert.ok(m, `one "started background process N (generation 1)" line expected: ${JSON.stringify(stderr)}`);
  return Number(m[1]);
}

describe('XW_DAEMON_IDX markers (Go strconv.Atoi semantics)', () => {
  for (const marker of ['abc', '-1', '1.5', '', '  2']) {
    test(`marker ${JSON.stringify(marker)}: not above call 1, so the call spawns generation 1`, async () => {
      const log = join(tempDir(), 'marker.log');
      const res = await run(BG, [], { env: { BG_LOG: log, XW_DAEMON_IDX: marker } });
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, '', 'the code after background() does not run in the parent');
      const pid = childPid(res.stderr);
      const rec = await readyIn(log);
      assert.equal(rec.pid, pid);
      assert.equal(rec.seen, '1', 'the child is generation 1');
      await waitGone(pid);
      await waitNoTagged(3000);
    });
  }

  test('marker "+1": Atoi gives 1, so the first call is a no-op and the code after it runs here', async () => {
    const log = join(tempDir(), 'plus.log');
    const res = await run(BG, [], { env: { BG_LOG: log, XW_DAEMON_IDX: '+1' } });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, '', 'nothing was started');
    const [rec] = records<Ready>(res.stdout, 'READY');
    assert.equal(rec?.pid, res.pid, 'the code after background() ran in this very process');
    assert.equal(rec?.seen, '+1');
    assert.equal(existsSync(log), false, 'the log was not even opened for writing');
    await waitNoTagged(3000);
  });
});

describe('argv oddities survive background() byte for byte', () => {
  const big = Array.from({ length: 10 * 1024 }, (_, i) => String.fromCharCode(32 + (i % 95))).join('') + '\t\r\n"\'\\$`ü✓😀';
  const many = Array.from({ length: 200 }, (_, i) => [`arg${i}`, '', ' ', '--', '-e', `"${i}"`, `a b\n${i}`, '*', `ü${i}`, '$HOME'][i % 10] as string);
  const cases: [string, string[]][] = [
    ['an argument that is only a newline', ['\n']],
    ['a 10 KB argument', [big]],
    ['200 arguments', many],
    ['all of them together', ['\n', big, ...many, '\n']],
  ];
  for (const [name, args] of cases) {
    test(name, async () => {
      const log = join(tempDir(), 'argv.log');
      const res = await run(BG, args, { env: { BG_LOG: log } });
      assert.equal(res.code, 0, res.stderr);
      const pid = childPid(res.stderr);
      const rec = await readyIn(log);
      assert.equal(rec.pid, pid);
      assert.equal(rec.argv.length, args.length);
      assert.ok(
        Buffer.from(rec.argv.join('\0')).equals(Buffer.from(args.join('\0'))),
        'the child got the same bytes',
      );
      assert.deepEqual(rec.argv, args);
      await waitGone(pid);
      await waitNoTagged(3000);
    });
  }
});

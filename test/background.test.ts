/** background(): real processes started from fixtures that import the built package. */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FIXTURES, TSX, cleanup, matching, readText, records, run, tempDir } from './support/fixtures';
import { isGone, isOurs, signal, waitFor, waitGone, waitNoTagged } from './support/harness';

after(cleanup);

interface Ready {
  pid: number;
  ppid?: number;
  seen?: string | null;
  markerNow?: string | null;
  argv: string[];
  execArgv: string[];
  nodeOptions?: string | null;
  cwd?: string;
  kind?: string;
  grandchildMarker?: string | null;
  grandchildMarkerSet?: string | null;
}

const BG_CJS = join(FIXTURES, 'bg.cjs');

/** Waits for the single READY record in `log` and returns it. */
async function ready(log: string): Promise<Ready> {
  const [rec] = await waitFor(`READY in ${log}`, () => {
    const recs = records<Ready>(readText(log), 'READY');
    return recs.length > 0 ? recs : undefined;
  });
  return rec as Ready;
}

/** The pid the launcher names in its `started background process PID` line. */
function startedPid(stderr: string): number {
  const m = /started background process (\d+)/.exec(stderr);
  assert.ok(m, `no "started background process" line in: ${stderr}`);
  return Number(m[1]);
}

describe('background()', () => {
  test('re-spawns the same script with argv byte for byte, same execArgv and cwd; parent exits 0', async () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    const args = ['a b', '"double"', "it's", 'line1\nline2', 'ünïcødé ✓ 😀', '', '--', '-x', '$HOME', '*', '\\', ' '];
    const res = await run(BG_CJS, args, { cwd: dir, env: { BG_LOG: log }, nodeArgs: ['--max-old-space-size=123'] });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, '', 'the code after background() must not run in the parent');
    const pid = startedPid(res.stderr);
    const rec = await ready(log);
    assert.equal(rec.pid, pid);
    assert.deepEqual(rec.argv, args);
    assert.deepEqual(rec.execArgv, ['--max-old-space-size=123']);
    assert.equal(rec.cwd, dir);
    assert.equal(rec.seen, '1', 'the child is generation 1');
    assert.equal(rec.markerNow, null, 'the marker is removed from process.env at load');
    await waitNoTagged();
  });

  test('works from an ES module', async () => {
    const log = join(tempDir(), 'esm.log');
    const res = await run(join(FIXTURES, 'bg.mjs'), ['x y'], { env: { BG_LOG: log } });
    assert.equal(res.code, 0, res.stderr);
    const rec = await ready(log);
    assert.equal(rec.kind, 'esm');
    assert.equal(rec.pid, startedPid(res.stderr));
    assert.deepEqual(rec.argv, ['x y']);
    await waitNoTagged();
  });

  test('works from a .ts entry run through tsx (loader flags are kept)', async () => {
    const log = join(tempDir(), 'ts.log');
    const res = await run(join(FIXTURES, 'bg.ts'), ['--flag', 'v w'], { command: TSX, env: { BG_LOG: log } });
    assert.equal(res.code, 0, res.stderr);
    const rec = await ready(log);
    assert.equal(rec.kind, 'ts');
    assert.deepEqual(rec.argv, ['--flag', 'v w']);
    assert.ok(rec.execArgv.some((a) => a.includes('tsx')), `tsx loader kept: ${rec.execArgv.join(' ')}`);
    await waitNoTagged();
  });

  test('three chained calls through tsx leave one final process at generation 3, found by its READY, not by a clock', async (t) => {
    // On a loaded machine each tsx generation boots in up to 1.3 s (4 busy loops on 2 cores): the
    // final one is waited for by its record, never looked for a fixed time after the launch.
    const log = join(tempDir(), 'ts-chain.log');
    const res = await run(join(FIXTURES, 'bg.ts'), ['x'], { command: TSX, env: { BG_LOG: log, BG_CALLS: '3', BG_STAY: '1' } });
    assert.equal(res.code, 0, res.stderr);
    const [rec] = await waitFor(
      'READY of generation 3',
      () => {
        const recs = records<Ready>(readText(log), 'READY');
        return recs.length > 0 ? recs : undefined;
      },
      60_000,
    );
    const final = (rec as Ready).pid;
    t.after(() => void (isOurs(final) && signal(final, 'SIGKILL')));
    const text = readText(log);
    const hop3 = matching(text, /\(generation 3\)/);
    assert.equal(hop3.length, 1, text);
    assert.equal(startedPid(hop3[0] as string), final);
    assert.deepEqual((rec as Ready).argv, ['x']);
    assert.ok(!isGone(final), 'the final generation runs');
    assert.ok(readFileSync(`/proc/${final}/environ`, 'latin1').split('\0').includes('XW_DAEMON_IDX=3'), 'started with marker 3');
    signal(final, 'SIGTERM');
    await waitGone(final);
    assert.equal(records(readText(log), 'READY').length, 1, 'one final process');
  });

  test('isExit false returns the child to the parent; the child gets null', async () => {
    const log = join(tempDir(), 'noexit.log');
    const res = await run(BG_CJS, [], { env: { BG_LOG: log, BG_NOEXIT: '1' } });
    assert.equal(res.code, 0, res.stderr);
    const [parent] = records<{ pid: number; child: number; fdsBefore: number; fdsAfter: number }>(res.stdout, 'PARENT');
    assert.ok(parent, `parent record in: ${res.stdout}`);
    assert.equal(parent.fdsBefore, 0);
    assert.equal(parent.fdsAfter, 0, 'the parent closed its copy of the log descriptor');
    const rec = await ready(log);
    assert.equal(rec.pid, parent.child);
    assert.equal(rec.seen, '1');
    await waitNoTagged();
  });

  test('three chained calls leave one process at generation 3, and the log shows each hop', async () => {
    const log = join(tempDir(), 'chain.log');
    const res = await run(BG_CJS, ['chain'], { env: { BG_LOG: log, BG_CALLS: '3' } });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /\(generation 1\)/);
    const rec = await ready(log);
    assert.equal(rec.seen, '3');
    const text = readText(log);
    assert.equal(records(text, 'READY').length, 1, text);
    assert.equal(matching(text, /\(generation 2\)/).length, 1, text);
    const hop3 = matching(text, /\(generation 3\)/);
    assert.equal(hop3.length, 1, text);
    assert.equal(startedPid(hop3[0] as string), rec.pid);
    await waitNoTagged();
  });

  test('the counter is shared by the ESM entry, the CJS entry and a second copy of the build', async () => {
    const log = join(tempDir(), 'mixed.log');
    const res = await run(join(FIXTURES, 'mixed.mjs'), [], { env: { BG_LOG: log } });
    assert.equal(res.code, 0, res.stderr);
    const rec = await ready(log);
    assert.equal(rec.kind, 'mixed');
    const text = readText(log);
    assert.equal(records(text, 'READY').length, 1, text);
    assert.equal(startedPid(matching(text, /\(generation 3\)/)[0] ?? ''), rec.pid);
    await waitNoTagged();
  });

  test('the marker does not leak to programs the final process starts', async () => {
    const log = join(tempDir(), 'leak.log');
    const res = await run(BG_CJS, [], { env: { BG_LOG: log, BG_SPAWN_ENV: '1' } });
    assert.equal(res.code, 0, res.stderr);
    const rec = await ready(log);
    assert.equal(rec.grandchildMarker, null);
    assert.equal(rec.grandchildMarkerSet, '7', 'a marker the worker sets itself does reach its children');
    await waitNoTagged();
  });

  for (const garbage of ['abc', '-1', '1.5', '', ' 1', '0x1', '99999999999999999999']) {
    test(`marker ${JSON.stringify(garbage)} counts as 0: the call spawns generation 1`, async () => {
      const log = join(tempDir(), 'garbage.log');
      const res = await run(BG_CJS, [], { env: { BG_LOG: log, XW_DAEMON_IDX: garbage } });
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, '');
      const rec = await ready(log);
      assert.equal(rec.seen, '1');
      await waitNoTagged();
    });
  }

  for (const marker of ['1', '+1', '5']) {
    test(`marker ${marker} makes the first call a no-op (Go's Atoi semantics)`, async () => {
      const res = await run(BG_CJS, [], { env: { BG_LOG: join(tempDir(), 'x.log'), XW_DAEMON_IDX: marker } });
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stderr, '', 'nothing started');
      const [rec] = records<Ready>(res.stdout, 'READY');
      assert.equal(rec?.pid, res.pid, 'the code after background() ran in this very process');
    });
  }

  test('an empty log path discards the output (nothing to read, still detached)', async () => {
    const dir = tempDir();
    const note = join(tempDir(), 'fds.json');
    const res = await run(BG_CJS, [], { cwd: dir, env: { BG_LOG: '', BG_FD_NOTE: note } });
    assert.equal(res.code, 0, res.stderr);
    const pid = startedPid(res.stderr);
    await waitFor('the child to finish', () => isGone(pid));
    // The child ran its code and printed its record: to /dev/null, not to the launcher's output nor to a file.
    assert.deepEqual(JSON.parse(readText(note)), { stdout: '/dev/null', stderr: '/dev/null' });
    assert.deepEqual(records(res.stdout, 'READY'), [], 'nothing reached the launcher\'s stdout');
    assert.deepEqual(readdirSync(dir), [], 'no file was written in its directory');
  });

  test('a new log file is created with mode 0o640 (less the umask), never world-writable', async () => {
    const log = join(tempDir(), 'mode.log');
    const res = await run(BG_CJS, [], { env: { BG_LOG: log } });
    assert.equal(res.code, 0, res.stderr);
    await ready(log);
    const mode = statSync(log).mode & 0o777;
    const umask = process.umask();
    assert.equal(mode, 0o640 & ~umask);
    assert.equal(mode & 0o002, 0);
    await waitNoTagged();
  });

  test('--inspect flags in execArgv and NODE_OPTIONS are dropped for the child', async () => {
    const log = join(tempDir(), 'inspect.log');
    const res = await run(BG_CJS, [], {
      env: { BG_LOG: log, NODE_OPTIONS: '--inspect-port=0 --max-http-header-size=20000' },
      nodeArgs: ['--inspect=127.0.0.1:0', '--no-warnings'],
    });
    assert.equal(res.code, 0, res.stderr);
    const rec = await ready(log);
    assert.deepEqual(rec.execArgv, ['--no-warnings']);
    assert.equal(rec.nodeOptions, '--max-http-header-size=20000');
    await waitNoTagged();
  });
});

describe('background() refuses bad input in the foreground, leaving nothing behind', () => {
  /** Runs the CJS fixture expecting failure before anything detaches. */
  async function refused(env: NodeJS.ProcessEnv, expect: RegExp, options: { uid?: number; nodeArgs?: string[]; script?: string[] } = {}): Promise<void> {
    const res = await run(BG_CJS, options.script ?? [], { env, ...options });
    assert.notEqual(res.code, 0, `must fail: ${res.stderr}`);
    assert.match(res.stderr, expect);
    assert.doesNotMatch(res.stderr, /started background process/);
    assert.equal(records(res.stdout, 'READY').length, 0, 'the code after background() must not run');
    await waitNoTagged(2000);
  }

  test('a log path in a missing directory (isExit: message and exit 1)', async () => {
    const log = join(tempDir(), 'missing', 'app.log');
    await refused({ BG_LOG: log }, new RegExp(`cannot open log file "${log}".*ENOENT`));
  });

  test('a log path in a missing directory (isExit false: a thrown XDaemonError)', async () => {
    const log = join(tempDir(), 'missing', 'app.log');
    await refused({ BG_LOG: log, BG_NOEXIT: '1' }, /XDaemonError: cannot open log file ".*missing\/app\.log".*ENOENT/);
  });

  test('a log path that names a directory', async () => {
    const dir = tempDir();
    await refused({ BG_LOG: dir }, new RegExp(`cannot open log file "${dir}": it is a directory`));
  });

  test('a log path in a directory without write permission', async () => {
    const dir = tempDir();
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(dir, 0o755);
    chmodSync(locked, 0o555);
    // Root ignores permissions, so run the fixture as nobody when we are root.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534 } : {};
    await refused({ BG_LOG: join(locked, 'app.log') }, /cannot open log file ".*locked\/app\.log".*EACCES/, asNobody);
  });

  for (const [name, value] of [['a number', '42'], ['null', 'null'], ['an object', '{}']] as const) {
    test(`a logFile that is ${name}: TypeError`, async () => {
      await refused({ BG_LOG_JSON: value }, /TypeError: xdaemon: logFile must be a string/);
    });
  }

  test('a spawn that fails (the executable is missing): names the path and the cause', async () => {
    const log = join(tempDir(), 'app.log');
    await refused({ BG_LOG: log, BG_BAD_EXECPATH: '/nonexistent/bin/node' }, /cannot start "\/nonexistent\/bin\/node": ENOENT/);
    assert.equal(readText(log), '', 'nothing was written to the log');
  });

  test('node -e (no script file) is refused with a clear error', async () => {
    const r = await run("require('xdaemon').background(''); console.log('READY {}')", [], { nodeArgs: ['-e'] });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cannot start this program again: it was run with -e/);
    assert.equal(r.stdout, '');
  });
});

/**
 * `xdaemon run` without `--log`: the worker's output is run's own stdout and stderr, and the log
 * settings either work there (`--timestamps`: each line time-prefixed, through the supervisor) or
 * are refused with exit 2 and one line naming the flag (`--max-size`, `--max-files`, `--err-file`:
 * a stream can be neither rotated nor split). No log setting is accepted and then ignored, in the
 * CLI (`--max-files` without `--max-size`) or in the library (a Supervisor's `timestamps` without
 * a log file; restart settings that the policy would never use).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { assertCode, newHome, xd } from '../support/cli';
import { cleanup, run, tempDir } from '../support/fixtures';

after(cleanup);

const STAMP = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

test("run --timestamps without --log: the worker's lines, time-prefixed, on run's own stdout and stderr", async () => {
  const home = newHome();
  const exit = await xd(home, ['run', '--timestamps', '--max-count', '1', '--', 'sh', '-c', 'echo out1; echo err1 >&2; echo out2']);
  assertCode(exit, 0);
  assert.deepEqual(
    exit.stdout.split('\n').filter((l) => l !== ''),
    exit.stdout.split('\n').filter((l) => new RegExp(`^${STAMP} out out[12]$`).test(l)),
    `every stdout line is a prefixed worker line: ${exit.stdout}`,
  );
  assert.equal(exit.stdout.match(/ out out[12]$/gm)?.length, 2, exit.stdout);
  assert.match(exit.stderr, new RegExp(`^${STAMP} err err1$`, 'm'), "the worker's stderr, prefixed, on stderr");
  assert.match(exit.stderr, /xdaemon\[\d+\] supervisor exiting with code 0\n$/, "the supervisor's lines stay on stderr");
});

for (const [flag, value] of [['--max-size', '1k'], ['--max-files', '2'], ['--err-file', 'e.log']] as const) {
  test(`run ${flag} without --log is refused: exit 2, one line naming the flag, nothing started`, async () => {
    const home = newHome();
    const exit = await xd(home, ['run', flag, value, '--', 'sh', '-c', 'echo STARTED']);
    assertCode(exit, 2);
    assert.equal(exit.stdout, '', 'nothing was started');
    const lines = exit.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, exit.stderr);
    assert.match(lines[0] as string, new RegExp(`^xdaemon: ${flag} needs --(log|max-size): `));
  });
}

test('--max-files without --max-size is refused (nothing would ever be rotated)', async () => {
  const home = newHome();
  const exit = await xd(home, ['start', '--max-files', '2', '--log', `${tempDir()}/a.log`, '--', 'sh', '-c', 'echo STARTED']);
  assertCode(exit, 2);
  assert.match(exit.stderr, /^xdaemon: --max-files needs --max-size: /);
});

test("a Supervisor's (and a Daemon's) timestamps, maxSize or maxFiles that could not apply are refused, not ignored", async () => {
  const script = `
    const { Daemon, Supervisor } = require('xdaemon');
    for (const extra of [{ timestamps: true }, { maxSize: 1024 }, { maxFiles: 2, logFile: 'x.log' }]) {
      try { new Supervisor({ command: 'true', ...extra }); console.log('ACCEPTED ' + JSON.stringify(extra)); }
      catch (err) { console.log(err.name + ': ' + err.message); }
    }
    const d = new Daemon('');
    d.timestamps = true;
    try { d.run(); console.log('ACCEPTED by Daemon.run()'); } catch (err) { console.log(err.name + ': ' + err.message); }`;
  const res = await run('-e', [script]);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(res.stdout.trim().split('\n'), [
    "RangeError: xdaemon: timestamps needs a logFile: without one the worker's output is discarded",
    "RangeError: xdaemon: maxSize needs a logFile: without one the worker's output is discarded, nothing to rotate",
    'RangeError: xdaemon: maxFiles needs maxSize: it counts rotated files, and without maxSize the log is never rotated',
    "RangeError: xdaemon: timestamps needs a logFile: without one the worker's output is discarded",
  ]);
});

test('restart settings that would have no effect are refused: the CLI with exit 2, the library with a RangeError', async () => {
  const home = newHome();
  const cases: Array<[string[], RegExp]> = [
    [['--success-exit-codes', '3'], /^xdaemon: --success-exit-codes cannot apply: it applies with restart 'on-failure' or 'never'/],
    // A named daemon's backoff is exponential unless a restart delay is given alone (pm2's fixed one).
    [['--max-restart-delay', '5000', '--restart-delay', '100'], /^xdaemon: --max-restart-delay cannot apply: it caps the exponential backoff, and backoff is 'fixed'/],
    [['--backoff', 'exponential', '--restart-delay', '0'], /^xdaemon: --backoff cannot apply: the exponential backoff doubles restartDelay, which is 0/],
  ];
  for (const [flags, message] of cases) {
    const exit = await xd(home, ['run', ...flags, '--', 'sh', '-c', 'echo STARTED']);
    assertCode(exit, 2, flags.join(' '));
    assert.equal(exit.stdout, '');
    assert.match(exit.stderr, message);
  }
  const ok = await xd(home, ['run', '--restart', 'on-failure', '--success-exit-codes', '3', '--backoff', 'exponential', '--restart-delay', '10', '--max-restart-delay', '20', '--', 'sh', '-c', 'exit 3']);
  assertCode(ok, 0, 'the same settings where they apply');
  const res = await run('-e', [
    `const { Supervisor } = require('xdaemon');
     try { new Supervisor({ command: 'true', successExitCodes: [3] }); console.log('ACCEPTED'); } catch (err) { console.log(err.name + ': ' + err.message); }`,
  ]);
  assert.equal(res.stdout.trim(), "RangeError: xdaemon: successExitCodes cannot apply: it applies with restart 'on-failure' or 'never', and restart 'always' restarts after every exit alike");
});

/**
 * Direct mode under Debian's real logrotate (issue 27): `compress`, `delaycompress`, `create 0640`
 * and a `postrotate` that sends SIGHUP to the supervisor named in the pid file, forced six times
 * half a second apart from the worker's first lines on, while the worker writes a numbered line every
 * 10 ms to stdout and stderr. `delaycompress` gives the worker until the next rotation to follow
 * the new file: every line must be in the seven files (the compressed ones read back), once, with
 * the newest in the current file.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, after, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { resolveCommand } from '../../src/process/which';
import { FIXTURES, cleanup, readText, run, tempDir } from '../support/fixtures';
import { isOurs, runToEnd, signal, sleep, spareOf, waitFor, waitGone } from '../support/harness';

after(cleanup);

/** logrotate's path, if installed (Debian: /usr/sbin, outside a user's PATH). */
function findLogrotate(): string | undefined {
  try {
    return resolveCommand('logrotate', { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` }, '/');
  } catch {
    return undefined;
  }
}
const LOGROTATE = findLogrotate();
// Outside CI a missing logrotate is a skip with its reason; CI installs it (.ci/run), and there it fails.
const skip = LOGROTATE === undefined && process.env.CI !== 'true' ? 'no logrotate on this system (CI installs it: apt-get install logrotate)' : false;

/** The numbers of the `TICK <n> <pid>` lines of `text`, of `pid` only when given. */
const ticks = (text: string, pid?: number): number[] =>
  [...text.matchAll(/^TICK (\d+) (\d+)$/gm)].filter((m) => pid === undefined || Number(m[2]) === pid).map((m) => Number(m[1]));

/** The pid of the newest `TICK` line of `text`. */
const tickerPid = (text: string): number | undefined => {
  const all = [...text.matchAll(/^TICK \d+ (\d+)$/gm)];
  return all.length === 0 ? undefined : Number(all[all.length - 1]?.[1]);
};

/** The text of a log file, gunzipped if it is compressed. */
function logText(file: string): string {
  const bytes = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** A daemon of the fixture, its logrotate configuration, and the pid of its supervisor. */
async function launch(t: TestContext, prewarm: boolean): Promise<{ dir: string; log: string; conf: string; spid: number }> {
  const dir = tempDir();
  const log = join(dir, 'daemon.log');
  const pidFile = join(dir, 'daemon.pid');
  const conf = join(dir, 'logrotate.conf');
  writeFileSync(
    conf,
    `${log} {\n  rotate 14\n  compress\n  delaycompress\n  create 0640\n  postrotate\n    kill -HUP "$(head -n 1 ${pidFile})"\n  endscript\n}\n`,
  );
  const res = await run(join(FIXTURES, 'rotate-ticker.cjs'), [], { env: { D_LOG: log, D_PID: pidFile, D_PREWARM: prewarm ? '1' : '0' } });
  assert.equal(res.code, 0, res.stderr);
  const spid = Number(readText(pidFile).split('\n')[0]);
  assert.ok(spid > 0, `a pid in ${pidFile}`);
  t.after(() => void (isOurs(spid) && signal(spid, 'SIGKILL')));
  return { dir, log, conf, spid };
}

/**
 * Rotates six times half a second apart (the first at once), lets `worker` write to the newest
 * file, stops the daemon; asserts that every line of `worker` is in the seven files once and the
 * newest one in the current file.
 */
async function rotateAndCount(d: { dir: string; log: string; conf: string; spid: number }, worker: number): Promise<void> {
  for (let i = 0; i < 6; i++) {
    if (i > 0) await sleep(500);
    const rotated = await runToEnd(LOGROTATE as string, ['-f', '-s', join(d.dir, 'logrotate.state'), d.conf]);
    assert.equal(rotated.code, 0, `logrotate: ${rotated.stderr}`);
  }
  const newest = ticks(readText(d.log), worker).length;
  await waitFor('lines in the newest file', () => ticks(readText(d.log), worker).length > newest + 5);
  signal(d.spid, 'SIGTERM');
  await waitGone(d.spid);

  const files = readdirSync(d.dir).filter((f) => f.startsWith('daemon.log')).sort();
  assert.deepEqual(files, ['daemon.log', 'daemon.log.1', ...[2, 3, 4, 5, 6].map((n) => `daemon.log.${n}.gz`)], 'six rotations');
  const sorted = files.flatMap((f) => ticks(logText(join(d.dir, f)), worker)).sort((a, b) => a - b);
  const last = sorted[sorted.length - 1] as number;
  const missing = Array.from({ length: last }, (_, i) => i + 1).filter((n) => !sorted.includes(n));
  const doubled = sorted.filter((n, i) => sorted[i - 1] === n);
  assert.deepEqual({ missing, doubled }, { missing: [], doubled: [] }, `of ${last} lines of worker ${worker}`);
  assert.ok(ticks(readText(d.log), worker).includes(last), 'the newest line is in the current file');
  assert.equal(statSync(d.log).mode & 0o777, 0o640, 'logrotate created the file 0640, as configured');
}

test('six forced rotations half a second apart from a worker\'s first lines lose and double none', { skip }, async (t) => {
  assert.ok(LOGROTATE !== undefined, 'logrotate is installed (CI=true: a missing tool is a failure)');
  const d = await launch(t, false);
  const worker = await waitFor('the worker\'s first lines', () => tickerPid(readText(d.log)));
  await rotateAndCount(d, worker);
});

test('the same for a worker that was the spare (prewarm), from its first lines', { skip }, async (t) => {
  assert.ok(LOGROTATE !== undefined, 'logrotate is installed (CI=true: a missing tool is a failure)');
  const d = await launch(t, true);
  const first = await waitFor('the first worker\'s lines', () => tickerPid(readText(d.log)));
  await waitFor('the spare', () => spareOf(d.spid, [first]));
  signal(first, 'SIGKILL');
  await waitFor('a worker from the spare', () => /worker started: pid \d+ .* from the spare$/m.test(readText(d.log)));
  const worker = await waitFor('the new worker\'s first lines', () => {
    const pid = tickerPid(readText(d.log));
    return pid !== first ? pid : undefined;
  });
  await rotateAndCount(d, worker);
});

/**
 * Log promises its other tests leave open (README, "The log file", "A full disk never takes the
 * daemon down"): a direct-mode worker that loads xdaemon follows its file after the control
 * channel's `reopen` (not SIGHUP), nothing lost or doubled, and the file re-created at the path has
 * mode 0640; the supervisor keeps at most 1,000 lines it could not write, the newest, and writes
 * them in order once it can; a worker's file-backed output resumes once a full disk has room again
 * (a real full filesystem: a 256 KB tmpfs in a mount namespace of the daemon's own).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type * as ControlBundle from '../../src/control/entry';
import { DirectLog, MAX_PENDING } from '../../src/log/direct-log';
import { fields, launch } from '../support/daemon-fixture';
import { ROOT, cleanup, matching, readText, records, supervisorPid, tempDir } from '../support/fixtures';
import { runToEnd, waitAllGone, waitFor } from '../support/harness';

after(cleanup);

const NODE = process.execPath;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const control = require(join(ROOT, 'dist', 'control.js')) as typeof ControlBundle;

const ticks = (file: string): number[] => [...readText(file).matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));

test("a Daemon.run() worker in direct mode follows its file after the control channel's reopen; the new file is 0640", async (t) => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const pidFile = join(dir, 'app.pid');
  const d = await launch(t, { W_MODE: 'tick', W_TICK: '20', D_FIELDS: fields({ pidFile }) }, { log });
  t.after(() => control.stop(pidFile).catch(() => undefined));
  // Past its first 0.2 s, the worker hears its channel.
  await waitFor('ticks in the log', () => ticks(log).length >= 20);
  renameSync(log, `${log}.1`);
  assert.equal(await control.reopen(pidFile), true, 'the supervisor reopened');
  await waitFor('ticks in a new file at the path', () => ticks(log).length >= 5);
  assert.match(readText(log), new RegExp(`xdaemon\\[${d.spid}\\] .*log file reopened`), "the supervisor's line too");
  assert.equal(statSync(log).mode & 0o777, 0o640, 'the re-created file is 0640');
  const old = ticks(`${log}.1`);
  const now = ticks(log);
  assert.equal(old.at(-1), (now[0] as number) - 1, 'nothing lost or doubled at the switch');
  await waitFor('more ticks', () => ticks(log).length >= now.length + 10);
  assert.deepEqual(ticks(`${log}.1`), old, 'nothing written to the old file since');
});

test('the supervisor keeps the newest 1,000 lines it could not write, and writes them in order once it can', () => {
  const dir = tempDir();
  const link = join(dir, 'app.log');
  const real = join(dir, 'real.log');
  symlinkSync('/dev/full', link);
  const log = new DirectLog({ logFile: link, errFile: '', echo: false });
  log.stdioForWorker().release();
  try {
    for (let i = 0; i < 1500; i++) log.line(`L ${i}`);
    const unwritten = log.unwritten();
    assert.equal(MAX_PENDING, 1000);
    assert.equal(unwritten.length, 1001);
    assert.equal(unwritten[0], '(500 earlier lines were dropped: the log could not be written)\n');
    assert.match(unwritten[1] as string, / L 500\n$/);
    unlinkSync(link);
    symlinkSync(real, link);
    assert.equal(log.reopen(), undefined);
    const written = matching(readText(real), / L \d+$/).map((l) => Number(/ L (\d+)$/.exec(l)?.[1]));
    assert.deepEqual(written, Array.from({ length: 1000 }, (_, i) => 500 + i), 'the newest 1,000, in order');
    assert.deepEqual(log.unwritten().filter((l) => / L \d+\n$/.test(l)), [], 'none left unwritten');
  } finally {
    log.close();
  }
});

/** Whether this machine lets us make a mount namespace with a tmpfs (root, unshare permitted). */
function canMount(): boolean {
  const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o size=64k t ${JSON.stringify(tempDir())}`], { stdio: 'ignore' });
  return probe.status === 0;
}

/**
 * A Daemon.run() program (maxCount 1) whose log D_LOG is on a 256 KB tmpfs: its worker fills the
 * disk with a file beside the log, prints `LOST <n>` lines (ENOSPC), frees the space and prints
 * `BACK <n>` lines; then it copies its log out to OUT, says `DONE` in SIDE (both outside the
 * tmpfs) and exits 0.
 */
const FILLER = `'use strict';
const { Daemon } = require(${JSON.stringify(join(ROOT, 'dist', 'index.js'))});
new Daemon(process.env.D_LOG, { maxCount: 1 }).run();
const fs = require('node:fs');
const { dirname, join } = require('node:path');
const filler = join(dirname(process.env.D_LOG), 'filler');
console.log('FIRST');
try { for (;;) fs.appendFileSync(filler, Buffer.alloc(4096, 120)); } catch (err) { if (err.code !== 'ENOSPC') throw err; }
for (let i = 0; i < 2000; i++) console.log('LOST ' + i);
fs.unlinkSync(filler);
for (let i = 0; i < 50; i++) console.log('BACK ' + i);
fs.copyFileSync(process.env.D_LOG, process.env.OUT);
fs.appendFileSync(process.env.SIDE, 'DONE ' + JSON.stringify({ pid: process.pid }) + '\\n');
process.exit(0);
`;

test("a worker's file-backed output resumes once a full disk has room again; the worker lives on", { skip: process.env.CI !== 'true' && !canMount() ? 'no mount namespace here (root and unshare -m needed)' : false }, async () => {
  const dir = tempDir();
  const disk = join(dir, 'disk');
  mkdirSync(disk);
  writeFileSync(join(dir, 'filler.cjs'), FILLER);
  const out = join(dir, 'out.log');
  const side = join(dir, 'side');
  // The launcher, its supervisor and its worker live in a mount namespace with the tmpfs.
  const script = `mount -t tmpfs -o size=256k,mode=0755 xd ${JSON.stringify(disk)} && exec ${JSON.stringify(NODE)} ${JSON.stringify(join(dir, 'filler.cjs'))}`;
  const launcher = await runToEnd('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { env: { D_LOG: join(disk, 'app.log'), OUT: out, SIDE: side } });
  assert.equal(launcher.code, 0, launcher.stderr);
  const spid = supervisorPid(launcher.stderr);
  const done = await waitFor('the worker to say DONE', () => records<{ pid: number }>(readText(side), 'DONE')[0], 20_000);
  const text = readText(out);
  assert.match(text, /^FIRST$/m);
  // The write that met the full disk may have been cut short: the next line follows that piece.
  const back = matching(text, /BACK \d+$/).map((l) => l.slice(l.indexOf('BACK')));
  assert.deepEqual(back, Array.from({ length: 50 }, (_, i) => `BACK ${i}`), 'every line after the space came back');
  assert.ok(matching(text, /^LOST \d+$/).length < 2000, 'the disk was full meanwhile (the last page of the log took some)');
  assert.ok(done.pid > 0, 'the worker lived on past its failed writes');
  await waitAllGone([spid, done.pid]);
});

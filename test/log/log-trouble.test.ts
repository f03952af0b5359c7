/**
 * Piped mode on its own when the file changes under it, with a worker that writes a line every
 * 20 ms and a supervisor in the foreground (its stderr is where trouble is reported): a log moved
 * away or deleted is noticed without a SIGHUP and a new one opened at its path; a rotation that
 * fails writes on to the current file and is retried; backups keep their mode; output resumes,
 * the kept lines first, once a full disk (here /dev/full behind a symbolic link, as the suite's
 * other full-disk tests do: no mount needed) can be written again.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, after, test } from 'node:test';
import { DAEMON, fields, loggedPids } from '../support/daemon-fixture';
import { cleanup, readText, records, stopAfter, tempDir } from '../support/fixtures';
import { type Proc, start, waitFor, withTimeout } from '../support/harness';

after(cleanup);

/** The daemon fixture supervising a ticking worker in the foreground, stopped when `t` ends. */
function ticking(t: TestContext, log: string, settings: Record<string, unknown>): Proc {
  const proc = start(process.execPath, [DAEMON], {
    env: { XW_DAEMON_IDX: '1', D_LOG: log, W_MODE: 'tick', W_SIDE: `${log}.side`, D_FIELDS: fields({ killTimeout: 500, ...settings }) },
  });
  stopAfter(t, () => [proc.pid, ...loggedPids(readText(`${log}.side`))]);
  return proc;
}

/** The last tick number in `text`, or -1. */
const lastTick = (text: string): number => Number(/tick (\d+)\n(?![\s\S]*tick \d+\n)/.exec(text)?.[1] ?? -1);

async function stopped(proc: Proc): Promise<string> {
  proc.child.kill('SIGTERM');
  const exit = await withTimeout(proc.done, 15_000, 'the foreground supervisor to stop');
  assert.equal(exit.code, 0, exit.stderr);
  return exit.stderr;
}

test('a log moved away, then one deleted: each noticed without a SIGHUP, a new file at the path gets the next lines', async (t) => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const proc = ticking(t, log, { timestamps: true });
  await waitFor('ticks in the log', () => lastTick(readText(log)) >= 3);

  renameSync(log, join(dir, 'moved.log'));
  const movedAt = lastTick(readText(join(dir, 'moved.log')));
  await waitFor('a new log at the path, with later ticks', () => lastTick(readText(log)) > movedAt, 10_000);
  const moved = readText(join(dir, 'moved.log'));
  await waitFor('more ticks in the new log', () => lastTick(readText(log)) > lastTick(moved) + 5, 10_000);
  assert.equal(readText(join(dir, 'moved.log')), moved, 'the moved file is no longer written to');
  assert.equal(lastTick(readText(log)) > 0 && readText(log).includes(`tick ${lastTick(moved) + 1}\n`), true, 'the next tick went to the new file');

  const beforeDelete = lastTick(readText(log));
  unlinkSync(log);
  await waitFor('a log at the path again, with later ticks', () => lastTick(readText(log)) > beforeDelete, 10_000);
  const stderr = await stopped(proc);
  assert.doesNotMatch(stderr + readText(log), /SIGHUP/, 'nobody sent a SIGHUP');
});

test('a rotation that fails writes on to the current file and is retried; backups keep their mode, a new log is 0640', async (t) => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  // log.1 is a directory that is not empty: the rotation cannot remove it.
  mkdirSync(`${log}.1`);
  writeFileSync(join(`${log}.1`, 'keep'), '');
  const proc = ticking(t, log, { maxSize: 600, maxFiles: 1 });
  await waitFor('the failed rotation reported', () => /log: cannot rotate .*app\.log .*writing on to it, retrying in 5 s/.test(proc.stderr), 15_000);
  await waitFor('the log to grow beyond maxSize meanwhile', () => existsSync(log) && statSync(log).size > 600, 10_000);
  const grown = lastTick(readText(log));
  rmSync(`${log}.1`, { recursive: true });
  await waitFor('the retried rotation', () => existsSync(`${log}.1`) && statSync(`${log}.1`).isFile(), 15_000);
  assert.ok(lastTick(readText(`${log}.1`)) >= grown, 'what was written on went to the backup with the rest');

  // The current log made 0600: after the next rotation it is the backup, still 0600.
  chmodSync(log, 0o600);
  const ino = statSync(log).ino;
  // A stat in the middle of a rotation may find no file: waitFor takes the throw as "not yet".
  await waitFor('the next rotation', () => statSync(`${log}.1`).ino === ino, 15_000);
  assert.equal(statSync(`${log}.1`).mode & 0o777, 0o600, 'the backup kept its mode');
  const mode = await waitFor('the new log file', () => statSync(log).mode & 0o777, 15_000);
  assert.equal(mode, 0o640, 'the new log is 0640');
  await stopped(proc);
});

test('piped mode on a full disk: lines are kept, and written first, in order, once the file can be written again', async (t) => {
  const dir = tempDir();
  const log = join(dir, 'app.log');
  const real = join(dir, 'real.log');
  symlinkSync('/dev/full', log);
  const proc = ticking(t, log, { timestamps: true });
  await waitFor('the trouble reported', () => /log: cannot write .*app\.log: .*ENOSPC.*keeping lines and retrying/.test(proc.stderr), 15_000);
  // The worker runs and writes while the disk is full (its record also goes to a side file).
  await waitFor('the worker to run', () => records(readText(`${log}.side`), 'WORKER').length === 1, 15_000);
  // The disk is freed: the path leads to a file that can be written.
  unlinkSync(log);
  symlinkSync(real, log);
  await waitFor('logging to resume', () => /log: .*app\.log is writable again/.test(proc.stderr), 15_000);
  await waitFor('new ticks in the file', () => lastTick(readText(real)) >= 0, 10_000);
  const text = readText(real);
  // Lines that came within 3 s of trouble are kept; later ones are dropped, and counted. On a
  // loaded machine the worker's first lines may come later than that: then they must be counted.
  const dropped = Number(/app\.log is writable again(?:; (\d+) lines were dropped meanwhile)?/.exec(proc.stderr)?.[1] ?? 0);
  const kept = ['supervisor started for', 'worker started: pid', ...(dropped === 0 ? ['WORKER {', 'tick 0\n'] : [])];
  const order = kept.map((line) => text.indexOf(line));
  assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > (order[i - 1] as number))), `the kept lines first, in order (${dropped} dropped):\n${text.slice(0, 800)}`);
  const ticks = [...text.matchAll(/tick (\d+)\n/g)].map((m) => Number(m[1]));
  assert.deepEqual(ticks, ticks.slice().sort((a, b) => a - b), 'in order');
  await stopped(proc);
});

/**
 * Logs that lose nothing (piped mode, and the promises direct mode shares): every line exactly
 * once, whole, in order per stream, across rotations and a SIGHUP; a worker that exits right after
 * a large write; a worker or a supervisor killed mid-stream; file modes; a log directory that
 * disappears; stderr in its own file.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DAEMON, fields, finished, launch, logLine, worker } from '../support/daemon-fixture';
import { cleanup, readText, records, tempDir } from '../support/fixtures';
import { isGone, signal, start, waitFor, waitGone, withTimeout } from '../support/harness';

after(cleanup);

const TIME = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;
const PAD = 40;

/** The log and its backups, oldest first: each file's text, and their concatenation. */
function allFiles(log: string): { text: string; texts: string[]; files: string[] } {
  const dir = join(log, '..');
  const base = log.slice(dir.length + 1);
  const backups = readdirSync(dir)
    .filter((f) => f.startsWith(`${base}.`) && /^\d+$/.test(f.slice(base.length + 1)))
    .sort((a, b) => Number(b.slice(base.length + 1)) - Number(a.slice(base.length + 1)));
  const files = [...backups.map((f) => join(dir, f)), log];
  const texts = files.map(readText);
  return { text: texts.join(''), texts, files };
}

/**
 * Checks the worker lines of each text in `texts` (one per file, in order): each file holds whole
 * lines only (it ends with a newline, and no line is a piece), and per stream the lines are
 * numbered 0, 1, 2, … across the files without a gap or a repeat. Returns the count per stream.
 * `timestamps`: the lines carry piped mode's time prefix.
 */
function checkStreams(texts: string | readonly string[], timestamps: boolean): { out: number; err: number } {
  const next = { out: 0, err: 0 };
  const line = new RegExp(`^${timestamps ? `${TIME} (out|err) ` : ''}(out|err) (\\d+) x{${PAD}}$`);
  for (const text of typeof texts === 'string' ? [texts] : texts) {
    if (text === '') continue;
    assert.ok(text.endsWith('\n'), `a file ends with a whole line: ${JSON.stringify(text.slice(-120))}`);
    for (const l of text.slice(0, -1).split('\n')) {
      if (l.includes('WORKER {') || / xdaemon\[\d+\] /.test(l)) continue;
      const m = line.exec(l);
      assert.ok(m, `a whole worker line: ${JSON.stringify(l.slice(0, 120))}`);
      const stream = (timestamps ? m[2] : m[1]) as 'out' | 'err';
      if (timestamps) assert.equal(m[1], stream, 'the tag names the stream the line came from');
      assert.equal(Number(timestamps ? m[3] : m[2]), next[stream], `${stream} lines in order, once each`);
      next[stream]++;
    }
  }
  return next;
}

describe('piped mode: every line once, whole, in order', () => {
  test('200,000 lines, rotation every 300 KB, a SIGHUP reopen mid-stream: nothing lost, split or repeated', async (t) => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    const progress = join(dir, 'progress');
    const d = await launch(
      t,
      {
        W_MODE: 'flood',
        W_LINES: '200000',
        W_PROGRESS: progress,
        W_PROGRESS_EVERY: '5000',
        D_FIELDS: fields({ timestamps: true, maxSize: 300_000, maxFiles: 200, maxCount: 1 }),
      },
      { log },
    );
    await waitFor('the flood to be under way', () => Number(readText(progress).split(' ')[0]) > 40_000, 30_000, 5);
    signal(d.spid, 'SIGHUP');
    await finished(d, 60_000);
    const { text, texts, files } = allFiles(log);
    assert.ok(files.length > 20, `rotated many times: ${files.length} files`);
    assert.match(text, /received SIGHUP: log file reopened/);
    assert.deepEqual(checkStreams(texts, true), { out: 150_000, err: 50_000 });
    for (const f of files) assert.ok(statSync(f).size <= 300_000, `${f} is within maxSize`);
    for (const f of files) assert.equal(statSync(f).mode & 0o777, 0o640, `${f} has mode 0640 (backups keep it)`);
  });

  for (const transport of ['a kernel pipe shared by the workers', "Node's pipes per worker (no usable temporary directory)"]) {
    test(`two workers in a row through ${transport}: each one's lines whole, in order, before the next start`, async (t) => {
      const dir = tempDir();
      const log = join(dir, 'app.log');
      const env = transport.startsWith('Node') ? { TMPDIR: '/nonexistent/xdaemon' } : {};
      const d = await launch(
        t,
        { ...env, W_MODE: 'flood', W_LINES: '40000', D_FIELDS: fields({ timestamps: true, maxSize: 200_000, maxFiles: 100, maxCount: 2, minExitTime: 0 }) },
        { log },
      );
      await finished(d, 60_000);
      const { texts, files } = allFiles(log);
      assert.ok(files.length > 5, `rotated: ${files.length} files`);
      // Each worker numbers from 0: the streams start again at the second start (cut the file
      // that holds its line there, and check each side file by file).
      const second = /^.*worker started: pid \d+ \(count 2\/2;.*\n/m;
      const at = texts.findIndex((text) => second.test(text));
      assert.ok(at >= 0, 'one line marks the second start');
      const [before, afterStart, ...more] = (texts[at] as string).split(second);
      assert.equal(more.length, 0, 'one line marks the second start');
      assert.deepEqual(checkStreams([...texts.slice(0, at), before as string], true), { out: 30_000, err: 10_000 });
      assert.deepEqual(checkStreams([afterStart as string, ...texts.slice(at + 1)], true), { out: 30_000, err: 10_000 });
    });
  }

  test('stderr in its own file: each file holds its stream whole and in order, with the same prefix', async (t) => {
    const dir = tempDir();
    const log = join(dir, 'out.log');
    const errFile = join(dir, 'err.log');
    const d = await launch(t, { W_MODE: 'flood', W_LINES: '20000', D_FIELDS: fields({ timestamps: true, errFile, maxCount: 1 }) }, { log });
    await finished(d, 30_000);
    assert.deepEqual(checkStreams(readText(log), true), { out: 15_000, err: 0 });
    assert.deepEqual(checkStreams(readText(errFile), true), { out: 0, err: 5_000 });
  });
});

describe('nothing lost at the edges', () => {
  for (const mode of ['direct', 'piped'] as const) {
    test(`${mode} mode: a worker that writes 1 MB and calls process.exit() at once loses nothing`, async (t) => {
      const d = await launch(t, {
        W_MODE: 'bigexit',
        W_BYTES: String(1 << 20),
        D_FIELDS: fields({ maxCount: 1, ...(mode === 'piped' ? { maxSize: 100 << 20 } : {}) }),
      });
      const { text } = await finished(d);
      // Piped mode cuts a line beyond 64 KB into marked pieces; every byte is there all the same.
      // (The worker's lines only: the supervisor's own lines may hold a y too.)
      const written = text.split('\n').filter((l) => !l.includes('xdaemon[')).join('\n');
      const bytes = (written.match(/y/g) ?? []).length;
      assert.equal(bytes, (1 << 20) - 1, 'every byte of the write is in the file');
      if (mode === 'direct') assert.ok(text.includes(`${'y'.repeat((1 << 20) - 1)}\n`), 'one line, as written');
      if (mode === 'piped') {
        // Cut at 64 KiB: each piece but the last ends with " [...]", each but the first begins with "[...] ".
        const pieces = text.split('\n').filter((l) => l.includes('y') && !l.includes('xdaemon['));
        assert.equal(pieces.length, Math.ceil(((1 << 20) - 1) / 65_536), `pieces: ${pieces.map((p) => p.length).join(', ')}`);
        pieces.forEach((piece, i) => {
          const m = /^(\[\.\.\.\] )?(y+)( \[\.\.\.\])?$/.exec(piece);
          assert.ok(m, `piece ${i} is y's with markers only: ${piece.slice(0, 20)}…${piece.slice(-20)}`);
          assert.equal(m[1] !== undefined, i > 0, `piece ${i}: "[...] " begins every piece but the first`);
          assert.equal(m[3] !== undefined, i < pieces.length - 1, `piece ${i}: " [...]" ends every piece but the last`);
          assert.ok((m[2] as string).length <= 65_536, `piece ${i} holds at most 64 KiB: ${(m[2] as string).length}`);
        });
      }
    });
  }

  test('a worker SIGKILLed mid-stream: every line it completed is in the file, none split', async (t) => {
    const dir = tempDir();
    const progress = join(dir, 'progress');
    const d = await launch(t, {
      W_MODE: 'flood',
      W_LINES: '5000000',
      W_PROGRESS: progress,
      W_PROGRESS_EVERY: '1000',
      D_FIELDS: fields({ timestamps: true, maxCount: 1 }),
    });
    const w = await worker(d);
    await waitFor('lines to flow', () => Number(readText(progress).split(' ')[0]) > 20_000, 20_000, 5);
    signal(w.pid, 'SIGKILL');
    const reported = readText(progress).split(' ').map(Number);
    const { text } = await finished(d);
    const counted = checkStreams(text, true);
    assert.ok(counted.out >= (reported[0] ?? 0) && counted.err >= (reported[1] ?? 0), `${JSON.stringify(counted)} vs written ${reported}`);
  });

  test('the supervisor SIGKILLed in piped mode: the orphan watch stops the worker; what was read is in the file, whole', async (t) => {
    const dir = tempDir();
    const progress = join(dir, 'progress');
    const d = await launch(t, { W_MODE: 'flood', W_LINES: '50000000', W_PROGRESS: progress, D_FIELDS: fields({ timestamps: true }) });
    const w = await worker(d);
    await waitFor('lines to flow', () => Number(readText(progress).split(' ')[0]) > 20_000, 20_000, 5);
    signal(d.spid, 'SIGKILL');
    await waitGone(w.pid, 5000);
    const counted = checkStreams(readText(d.log), true);
    assert.ok(counted.out > 10_000, JSON.stringify(counted));
  });
});

test('a log directory that disappears is reported and retried; the worker is neither killed nor blocked for good', async () => {
  const dir = tempDir();
  const logDir = join(dir, 'logs');
  mkdirSync(logDir);
  const log = join(logDir, 'app.log');
  const progress = join(dir, 'progress');
  // In the foreground, so that the supervisor's stderr (where trouble is reported) is ours to read.
  const proc = start(process.execPath, [DAEMON], {
    env: {
      XW_DAEMON_IDX: '1',
      D_LOG: log,
      W_MODE: 'flood',
      W_LINES: '4000000',
      W_PROGRESS: progress,
      W_PROGRESS_EVERY: '2000',
      D_FIELDS: fields({ timestamps: true, maxSize: 200_000, maxFiles: 2, maxCount: 1, killTimeout: 500 }),
    },
  });
  try {
    await waitFor('lines to flow', () => Number(readText(progress).split(' ')[0]) > 20_000, 20_000, 5);
    // The supervisor may make a file (a rotation's) while the folder is emptied: removed again.
    rmSync(logDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 10 });
    await waitFor('the trouble to be reported', () => /log: cannot (open|write|rotate) .*app\.log/.test(proc.stderr), 10_000, 20);
    // Not blocked for good: the worker goes on writing (new lines are dropped after the block limit).
    const before = Number(readText(progress).split(' ')[0]);
    await waitFor('the worker to make progress without a log', () => Number(readText(progress).split(' ')[0]) > before + 50_000, 15_000, 20);
    assert.equal(isGone(proc.pid), false, 'the supervisor lives');
    mkdirSync(logDir);
    await waitFor('logging to resume', () => /log: .*app\.log is writable again; \d+ lines were dropped meanwhile/.test(proc.stderr), 15_000, 20);
    // The line on stderr may come just before the write it announces reaches the file.
    await waitFor('the log to be written again', () => readText(log).length > 0, 10_000, 20);
  } finally {
    signal(proc.pid, 'SIGTERM');
    await withTimeout(proc.done, 15_000, 'the foreground supervisor to stop');
  }
  const lastWorker = records<{ pid: number }>(readText(log), 'WORKER')[0];
  if (lastWorker !== undefined) await waitGone(lastWorker.pid);
});

test('direct mode with errFile: stderr goes to its own file, opened afresh per start', async (t) => {
  const dir = tempDir();
  const errFile = join(dir, 'err.log');
  const d = await launch(t, { W_MODE: 'flood', W_LINES: '400', D_FIELDS: fields({ errFile, maxCount: 2, minExitTime: 0 }) }, { log: join(dir, 'out.log') });
  await finished(d);
  const out = readText(d.log);
  assert.match(out, /worker started/, 'the supervisor lines stay in the log');
  assert.doesNotMatch(out, /^err /m);
  const err = readText(errFile);
  assert.equal(err.split('\n').filter((l) => l.startsWith('err ')).length, 200, 'both workers wrote 100 stderr lines each there');
  assert.equal(statSync(errFile).mode & 0o777, 0o640);
  await logLine(d, /done: maxCount 2/);
});

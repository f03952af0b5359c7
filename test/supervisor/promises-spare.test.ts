/**
 * Promises of the spare (`prewarm`) that its other tests leave open, through `xdaemon start
 * --prewarm` as a user types it, with apps that do not load xdaemon: the spare becomes the next
 * worker and that worker follows its log across `mv` + SIGHUP and across `mv` alone; the next spare
 * boots also for a worker that never says ready (250 ms after its start), and never before that
 * worker runs its first line (off the restart's critical path); spares that die in a row are
 * replaced after a pause that grows (100 ms, doubling), which starts again at 100 ms once a spare
 * was used.
 */
import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type Home, newHome, startDaemon, workerRunning } from '../support/cli';
import { cleanup, matching, readText, records, tempDir } from '../support/fixtures';
import { signal, spareOf, waitFor } from '../support/harness';

after(cleanup);

const NODE = process.execPath;

/**
 * A plain app (no xdaemon): its first line, `FIRST {pid, spares, at}`, names the spares its
 * supervisor has at that moment besides itself (children booted from dist/spare.js); then it prints
 * `TICK <n> <pid>` every 20 ms. It never says it is ready.
 */
const APP = `'use strict';
const fs = require('node:fs');
const read = (file) => { try { return fs.readFileSync(file, 'utf8'); } catch { return ''; } };
const spares = read(\`/proc/\${process.ppid}/task/\${process.ppid}/children\`).trim().split(/\\s+/).filter(Boolean).map(Number)
  .filter((pid) => pid !== process.pid && read(\`/proc/\${pid}/cmdline\`).split('\\0').some((a) => a.endsWith('/dist/spare.js')));
console.log(\`FIRST \${JSON.stringify({ pid: process.pid, spares, at: Date.now() })}\`);
let n = 0;
setInterval(() => console.log(\`TICK \${++n} \${process.pid}\`), 20);
`;

interface First {
  pid: number;
  spares: number[];
  at: number;
}

/**
 * A prewarmed daemon of the plain app, once its first worker runs. Restarts at once (a named
 * daemon's default delay would leave the spare waiting past the exit, never the handover's case).
 */
async function prewarmed(t: Parameters<typeof newHome>[0]): Promise<{ home: Home; log: string; spid: number; first: number }> {
  const home = newHome(t);
  const dir = tempDir();
  writeFileSync(join(dir, 'app.cjs'), APP);
  const log = join(dir, 'app.log');
  const spid = await startDaemon(home, ['--name', 'app', '--prewarm', '--min-exit-time', '0', '--restart-delay', '0', '--log', log, '--', NODE, join(dir, 'app.cjs')]);
  const first = (await workerRunning(home, 'app')).workerPid as number;
  return { home, log, spid, first };
}

/** The ticks `pid` wrote to `file`. */
const ticksOf = (file: string, pid: number): number[] => [...readText(file).matchAll(new RegExp(`^TICK (\\d+) ${pid}$`, 'gm'))].map((m) => Number(m[1]));

test('start --prewarm: the spare becomes the next worker, which follows its log (mv + SIGHUP, mv alone) without loading xdaemon; the next spare boots though it never says ready', async (t) => {
  const { home, log, spid, first } = await prewarmed(t);
  const spare = await waitFor('the spare', () => spareOf(spid, [first]));
  signal(first, 'SIGKILL');
  const second = (await workerRunning(home, 'app', first)).workerPid as number;
  assert.equal(second, spare, 'the spare became the worker');
  assert.match(readText(log), new RegExp(`worker started: pid ${second} \\(count 2/unlimited; errors 0/\\d+\\) from the spare$`, 'm'));
  // It never calls ready(): the next spare boots 250 ms after its start all the same.
  await waitFor('the next spare', () => spareOf(spid, [first, second]));

  await waitFor('its ticks in the log', () => ticksOf(log, second).length >= 3);
  renameSync(log, `${log}.1`);
  signal(spid, 'SIGHUP');
  await waitFor('its ticks in a new log at the path (after SIGHUP)', () => ticksOf(log, second).length >= 3, 10_000);
  const rotated = ticksOf(`${log}.1`, second);
  const switched = ticksOf(log, second)[0] as number;
  assert.equal(rotated.at(-1), switched - 1, 'the old file has every tick before the switch, the new one from it on');

  renameSync(log, `${log}.2`);
  await waitFor('its ticks in a new log at the path (mv alone: it looks once a second)', () => ticksOf(log, second).length >= 3, 10_000);
  const before = ticksOf(`${log}.2`, second);
  assert.equal(before.at(-1), (ticksOf(log, second)[0] as number) - 1, 'nothing lost or doubled at the second switch');
  await waitFor('more ticks in the new log', () => ticksOf(log, second).length >= 10);
  assert.deepEqual(ticksOf(`${log}.1`, second), rotated, 'nothing written to the first old file since');
  assert.deepEqual(ticksOf(`${log}.2`, second), before, 'nothing written to the second old file since');
});

test('the next spare boots after the spare-made worker ran its first line, never at the handover', async (t) => {
  const { home, log, spid, first } = await prewarmed(t);
  const workers = [first];
  let conclusive = 0;
  // A round is conclusive when the worker's first line came within 200 ms of its start (the spare
  // may boot 250 ms after it); a loaded machine may make a round inconclusive, so up to 6 rounds.
  for (let round = 0; round < 6 && conclusive < 2; round++) {
    const worker = workers.at(-1) as number;
    const spare = await waitFor('the spare', () => spareOf(spid, workers));
    signal(worker, 'SIGKILL');
    const next = (await workerRunning(home, 'app', worker)).workerPid as number;
    workers.push(next);
    assert.equal(next, spare, 'a spare-made worker');
    const line = await waitFor('its first line', () => records<First>(readText(log), 'FIRST').find((f) => f.pid === next));
    const started = matching(readText(log), new RegExp(`worker started: pid ${next} `))[0] as string;
    const startedAt = Date.parse(started.slice(0, started.indexOf(' ')));
    const others = line.spares.filter((pid) => !workers.includes(pid));
    if (line.at - startedAt >= 200) continue;
    conclusive += 1;
    assert.deepEqual(others, [], `round ${round}: a new spare was booted ${line.at - startedAt} ms after the handover, before the worker's first line`);
  }
  assert.equal(conclusive, 2, 'two rounds where the first line came within 200 ms of the start');
});

test('spares that die at once are replaced after a pause growing from 100 ms; once a spare is used it starts again at 100 ms', async (t) => {
  const { home, spid, first } = await prewarmed(t);
  const workers = [first];
  const killed: number[] = [];
  /** Kills the spares as they appear, `n` times; returns for each the ms from its kill to the next spare. */
  const killSpares = async (n: number): Promise<number[]> => {
    const gaps: number[] = [];
    let killedAt: number | undefined;
    for (let i = 0; i <= n; i++) {
      // Not one killed already: it is a child of the supervisor until it is reaped.
      const spare = await waitFor('a spare', () => spareOf(spid, [...workers, ...killed]), 20_000, 5);
      if (killedAt !== undefined) gaps.push(Date.now() - killedAt);
      if (i === n) break;
      signal(spare, 'SIGKILL');
      killedAt = Date.now();
      killed.push(spare);
    }
    return gaps;
  };
  // The n-th quick death in a row waits 100 · 2^(n-1) ms before the next boot.
  const gaps = await killSpares(5);
  gaps.forEach((gap, i) => assert.ok(gap >= 100 * 2 ** i, `after quick death ${i + 1}: ${gap} ms, not at least ${100 * 2 ** i} ms (all: ${gaps.join(', ')})`));
  // The sixth spare lives and is used: the count of quick deaths starts again.
  signal(first, 'SIGKILL');
  workers.push((await workerRunning(home, 'app', first)).workerPid as number);
  const [again] = await killSpares(1);
  // Without the reset this pause would be 3200 ms (the sixth quick death in a row).
  assert.ok((again as number) < 3200, `after a used spare, the first quick death waits 100 ms, not ${again} ms`);
});

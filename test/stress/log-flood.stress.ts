/**
 * Log flood: a worker writes as fast as it can in piped mode (timestamps, rotation every 2 MB)
 * while SIGHUP reopens arrive every 50 ms: every line arrives once, whole, in order, and the
 * supervisor's memory stays bounded (its writer queues at most ~1 MB per file and pauses the
 * worker's pipes beyond that). 1,000,000 lines of 100 bytes at STRESS_SCALE=1.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fields, finished, launch, worker } from '../support/daemon-fixture';
import { cleanup, readText, tempDir } from '../support/fixtures';
import { isGone, rssKb, signal } from '../support/harness';
import { scaled } from './stress-helpers';

after(cleanup);

const LINES = scaled(1_000_000);
/** The documented bound on the supervisor's growth during a flood (README, "Logs"). */
const RSS_GROWTH_LIMIT_KB = 24 * 1024;

test(`${LINES} lines in piped mode with rotation and a SIGHUP storm: none lost, the supervisor's RSS bounded`, { timeout: 300_000 }, async (t) => {
  const dir = tempDir();
  const log = join(dir, 'flood.log');
  const d = await launch(
    t,
    { W_MODE: 'flood', W_LINES: String(LINES), W_PAD: '88', D_FIELDS: fields({ timestamps: true, maxSize: 2 << 20, maxFiles: 1000, maxCount: 1 }) },
    { log },
  );
  await worker(d);
  const base = rssKb(d.spid) ?? 0;
  let peak = base;
  let hups = 0;
  const sampler = setInterval(() => {
    const kb = rssKb(d.spid);
    if (kb !== undefined) peak = Math.max(peak, kb);
    if (!isGone(d.spid)) {
      signal(d.spid, 'SIGHUP');
      hups++;
    }
  }, 50);
  try {
    await finished(d, 240_000);
  } finally {
    clearInterval(sampler);
  }
  const files = readdirSync(dir).filter((f) => f.startsWith('flood.log'));
  const next = { out: 0, err: 0 };
  let lines = 0;
  const backups = files.filter((f) => f !== 'flood.log').sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop()));
  for (const f of [...backups, 'flood.log']) {
    for (const l of readText(join(dir, f)).split('\n')) {
      const m = /^\d{4}-\d\d-\d\dT[\d:.]+Z (out|err) (out|err) (\d+) x{88}$/.exec(l);
      if (!m) {
        assert.ok(l === '' || l.includes('WORKER {') || / xdaemon\[\d+\] /.test(l), `a whole line: ${l.slice(0, 100)}`);
        continue;
      }
      const stream = m[1] as 'out' | 'err';
      assert.equal(Number(m[3]), next[stream], `${stream} in order, once each`);
      next[stream]++;
      lines++;
    }
  }
  console.log(`flood: ${lines} lines in ${files.length} files, ${hups} SIGHUPs; supervisor RSS ${(base / 1024).toFixed(1)} -> peak ${(peak / 1024).toFixed(1)} MB`);
  assert.equal(lines, LINES);
  assert.ok(peak - base <= RSS_GROWTH_LIMIT_KB, `the supervisor grew by ${((peak - base) / 1024).toFixed(1)} MB (limit ${RSS_GROWTH_LIMIT_KB / 1024} MB)`);
});

/**
 * Figure 9, the spare (`prewarm`):
 *   - exit → the next worker's first line: a worker that runs a while (so that a spare is booted)
 *     and exits 0, under Daemon.run() with and without the spare; the time from its last
 *     timestamp to the next worker's top-of-script one, against one bare node start-up (`node
 *     empty.cjs`, spawn to exit), interleaved; target with the spare ≤ 0.25;
 *   - kill → serving again: a node:http worker SIGKILLed, until a new worker answers a request
 *     (polled on loopback), with and without the spare, against one bare node start-up; with
 *     --peers forever-monitor restarting the same server in the same rounds;
 *   - the spare's memory: RSS and USS of the waiting spare, against an idle bare node started with
 *     it (the same age).
 */
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type Proc, isGone, rssKb, signalOurs, sleep, spareOf, stopAndWait, ussKb, waitFor } from '../../test/support/harness';
import { readText } from '../../test/support/fixtures';
import { supervisorOf, workerPids } from '../daemon-app';
import type { Peers } from '../peers';
import { type Figure, type Row, infoRow, median, progress, ratioRow, unavailableRow } from '../report';
import { fixture, runNode, startNode, tempDir } from '../stage';
import { SETTLE_MS } from './supervisor-memory';

/** Target: exit → next worker's first line with the spare / one bare node start-up. */
const TARGET_GAP = 0.25;

export interface SpareSamples {
  /** Worker starts per gap run (gaps: one fewer). */
  starts: number;
  /** Gap runs of each kind, and kill rounds. */
  runs: number;
  kills: number;
}

/** One gap run: the exit → next start gaps (ms). */
async function gapRun(prewarm: boolean, starts: number): Promise<number[]> {
  const dir = tempDir(`gap-${prewarm ? 'spare' : 'fresh'}`);
  const ts = join(dir, 'ts');
  const log = join(dir, 'daemon.log');
  const launcher = await runNode([fixture('gap-worker.cjs')], { BENCH_TS_FILE: ts, BENCH_LOG: log, BENCH_COUNT: String(starts), BENCH_PREWARM: prewarm ? '1' : '0' });
  const supervisor = supervisorOf(launcher, log);
  await waitFor('the supervisor to reach maxCount', () => isGone(supervisor), 30_000 + starts * 2000, 50);
  const events = readText(ts)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [kind, at] = l.split(' ');
      return { kind, at: Number(at) };
    })
    .sort((a, b) => a.at - b.at);
  const gaps: number[] = [];
  for (let i = 1; i < events.length; i++) {
    const [prev, next] = [events[i - 1], events[i]];
    if (prev?.kind === 'exit' && next?.kind === 'start') gaps.push(next.at - prev.at);
  }
  if (gaps.length !== starts - 1) throw new Error(`gap run (prewarm ${prewarm}): ${gaps.length} of ${starts - 1} gaps; log: ${readText(log)}`);
  if (prewarm) {
    const fromSpare = (readText(log).match(/ from the spare$/gm) ?? []).length;
    if (fromSpare < starts - 2) throw new Error(`gap run: only ${fromSpare} of ${starts - 1} restarts used a spare`);
  }
  return gaps;
}

/** A free loopback port (closed again: the worker binds it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** GET / on the port: the answering worker's pid, or undefined when nothing answers. */
function answer(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(Number(body)));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** SIGKILLs the server's worker and times until another worker answers (ms). */
async function killToServing(port: number): Promise<number> {
  let old: number | undefined;
  for (let i = 0; i < 5000 && old === undefined; i++) old = await answer(port);
  if (old === undefined) throw new Error(`nothing answers on port ${port}`);
  const t0 = performance.now();
  process.kill(old, 'SIGKILL');
  // Connections are refused at once while nobody listens: a bounded tight loop of attempts.
  for (let i = 0; i < 200_000; i++) {
    const now = await answer(port);
    if (now !== undefined && now !== old) return performance.now() - t0;
    if (performance.now() - t0 > 20_000) break;
  }
  throw new Error(`no new worker answered on port ${port} within 20 s of killing ${old}`);
}

interface Server {
  port: number;
  stop(): Promise<void>;
  /** The waiting spare's pid (prewarm). */
  spare?: () => number | undefined;
}

async function startOurs(prewarm: boolean): Promise<Server> {
  const port = await freePort();
  const log = join(tempDir(`serve-${prewarm ? 'spare' : 'fresh'}`), 'daemon.log');
  const launcher = await runNode([fixture('http-worker.cjs')], { BENCH_LOG: log, BENCH_PORT: String(port), BENCH_PREWARM: prewarm ? '1' : '0' });
  const supervisor = supervisorOf(launcher, log);
  return {
    port,
    spare: () => spareOf(supervisor, workerPids(log)),
    stop: async () => {
      signalOurs(supervisor, 'SIGTERM');
      await waitFor('the supervisor to stop', () => isGone(supervisor), 20_000);
    },
  };
}

async function startForever(peers: Peers): Promise<Server> {
  const port = await freePort();
  const proc: Proc = startNode([fixture('forever-peer.cjs')], {
    BENCH_PEER_MODULES: peers.modules,
    BENCH_MODE: 'serve',
    BENCH_SCRIPT: fixture('http-worker.cjs'),
    BENCH_PORT: String(port),
  });
  return { port, stop: () => stopAndWait([proc.pid]) };
}

type ServerKind = 'fresh' | 'spare' | 'forever' | 'bare';

export async function spareFigure(n: SpareSamples, peers: Peers | undefined): Promise<Figure> {
  progress(`spare: ${n.runs} gap run(s) of ${n.starts} starts each way, ${n.kills} kill rounds ...`);
  const gaps = { fresh: [] as number[], spare: [] as number[], bare: [] as number[] };
  for (let run = 0; run < n.runs; run++) {
    for (const kind of run % 2 === 0 ? (['spare', 'fresh', 'bare'] as const) : (['bare', 'fresh', 'spare'] as const)) {
      if (kind === 'bare') {
        for (let i = 0; i < n.starts - 1; i++) gaps.bare.push((await runNode([fixture('empty.cjs')])).ms);
      } else {
        gaps[kind].push(...(await gapRun(kind === 'spare', n.starts)));
      }
    }
  }

  const kills: Record<ServerKind, number[]> = { fresh: [], spare: [], forever: [], bare: [] };
  const servers: Partial<Record<ServerKind, Server>> = {};
  let foreverError = peers?.unavailable.forever;
  const memory = { rss: [] as number[], uss: [] as number[], idleRss: [] as number[], idleUss: [] as number[] };
  try {
    servers.fresh = await startOurs(false);
    servers.spare = await startOurs(true);
    if (peers !== undefined && foreverError === undefined) {
      try {
        servers.forever = await startForever(peers);
      } catch (err) {
        foreverError = err instanceof Error ? err.message : String(err);
      }
    }
    const kinds: ServerKind[] = ['fresh', 'spare', 'bare', ...(servers.forever === undefined ? [] : (['forever'] as const))];
    for (let round = 0; round < n.kills; round++) {
      for (let j = 0; j < kinds.length; j++) {
        const kind = kinds[(round + j) % kinds.length] as ServerKind;
        if (kind === 'bare') {
          kills.bare.push((await runNode([fixture('empty.cjs')])).ms);
          continue;
        }
        const server = servers[kind] as Server;
        // With the spare: wait until the next spare is booted, as it would be between two crashes.
        if (kind === 'spare') await waitFor('a waiting spare', () => server.spare?.(), 20_000);
        try {
          kills[kind].push(await killToServing(server.port));
        } catch (err) {
          if (kind !== 'forever') throw err;
          foreverError = err instanceof Error ? err.message : String(err);
          kinds.splice(kinds.indexOf('forever'), 1);
        }
      }
    }
    // The waiting spare's memory, against an idle bare node of its age: the waiting spare is killed
    // (the supervisor boots another at once) as the idle node starts, so that both are as old (an
    // older spare has had more time to grow or to be trimmed).
    for (let i = 0; i < Math.max(1, Math.min(3, n.runs)); i++) {
      const old = await waitFor('a waiting spare', () => servers.spare?.spare?.(), 20_000);
      const idle = startNode([fixture('idle-worker.cjs')]);
      signalOurs(old, 'SIGKILL');
      const spare = await waitFor('the next waiting spare', () => {
        const pid = servers.spare?.spare?.();
        return pid !== undefined && pid !== old ? pid : undefined;
      }, 20_000);
      await sleep(SETTLE_MS);
      memory.rss.push((rssKb(spare) ?? NaN) / 1024);
      memory.uss.push((ussKb(spare) ?? NaN) / 1024);
      memory.idleRss.push((rssKb(idle.pid) ?? NaN) / 1024);
      memory.idleUss.push((ussKb(idle.pid) ?? NaN) / 1024);
      await stopAndWait([idle.pid]);
    }
  } finally {
    for (const server of Object.values(servers)) await server?.stop();
  }

  const rows: Row[] = [
    ratioRow("exit → next worker's first line: no spare (default)", 'ms', gaps.fresh, gaps.bare, null, 'ratio to one bare node start-up'),
    ratioRow("exit → next worker's first line: with the spare (prewarm)", 'ms', gaps.spare, gaps.bare, TARGET_GAP, 'ratio to one bare node start-up'),
    ratioRow('kill → serving again (node:http): no spare', 'ms', kills.fresh, kills.bare, null),
    ratioRow('kill → serving again (node:http): with the spare', 'ms', kills.spare, kills.bare, null),
    ...(peers === undefined
      ? []
      : [foreverError === undefined ? ratioRow('kill → serving again (node:http): forever-monitor', 'ms', kills.forever, kills.bare, null) : unavailableRow('kill → serving again: forever-monitor', 'ms', foreverError)]),
    ratioRow("the spare's RSS (waiting)", 'MB', memory.rss, memory.idleRss, null, 'against an idle bare node'),
    ratioRow("the spare's USS (waiting)", 'MB', memory.uss, memory.idleUss, null, 'against an idle bare node'),
    infoRow('kill → serving again: saved by the spare (median fresh − median spare)', 'ms', [median(kills.fresh) - median(kills.spare)]),
  ];
  return {
    rows,
    notes: [
      `spare: exit → next worker's first line = the exiting worker's last timestamp to the next worker's top-of-script one (${n.runs} run(s) of ${n.starts} starts each, the worker running 400 ms);`,
      `  floor: one bare \`node empty.cjs\` start (spawn to exit); kill → serving = SIGKILL of a node:http worker until a new one answers a GET on loopback, ${n.kills} rounds each, interleaved;`,
      "  the spare's memory: VmRSS and private pages (USS) of a waiting spare booted as an idle bare node starts, both read after the same settle;",
    ],
  };
}


/**
 * Figure 9, reload: a daemon of 2 instances behind a held socket (`--listen`), a node:http server
 * that calls ready(), under a client load of keep-alive connections on loopback. Each round is a
 * window that lasts exactly one reload (of every instance, one by one: a deploy), then a steady
 * window of the same length; per window, the requests answered per second over the window's own
 * span and the p99 latency, and every failed request (refused, reset, not 200). A fixed window
 * around a short reload would mostly measure steady load (one 180 ms reload in 3 s scores ~0.94
 * even if it served nothing). Also: the time a reload takes per instance (replacement spawned to
 * ready, old one stopped) against bare node start-ups run in the steady windows (the same load,
 * interleaved), and the supervisor's RSS with 4 instances and 2 sockets against an idle bare node
 * (target 1.10, as without). With --peers, pm2 cluster mode under `pm2 reload`, the same server
 * (listen(PORT)), the same load.
 */
import http from 'node:http';
import { join } from 'node:path';
import { type Proc, freePort, runToEnd, sleep, stopAndWait, waitLine } from '../../test/support/harness';
import { type Peers, godPid, pm2Env } from '../peers';
import { type Figure, type Row, checkRow, median, progress, ratioAtLeastRow, ratioRow, unavailableRow } from '../report';
import { fixture, packageFile, runNode, stagedLibrary, startNode, tempDir } from '../stage';
import { SETTLE_MS, idleNodeMemory, readMemory } from './supervisor-memory';

const TARGET_THROUGHPUT = 0.9;
const TARGET_P99 = 2;
const TARGET_RSS = 1.1;
/** Keep-alive connections the client keeps busy. */
const CONNECTIONS = 4;

/** What one window of load measured. */
interface Window {
  requests: number;
  failures: number;
  perSecond: number;
  p99: number;
}

/** Loads `port` for at least `ms` with CONNECTIONS keep-alive connections, and until `during()` is done. */
async function loadWindow(port: number, ms: number, during: () => Promise<void>): Promise<Window> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let failures = 0;
  const began = performance.now();
  const end = began + ms;
  const over = (): boolean => performance.now() >= end;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t0);
          else failures += 1;
          resolve();
        });
        res.on('error', () => {
          failures += 1;
          resolve();
        });
      });
      req.on('error', () => {
        failures += 1;
        resolve();
      });
    });
  let duringDone = false;
  const client = async (): Promise<void> => {
    while (!over() || !duringDone) await one();
  };
  await Promise.all([...Array.from({ length: CONNECTIONS }, client), during().finally(() => (duringDone = true))]);
  const seconds = (performance.now() - began) / 1000;
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  return { requests: latencies.length, failures, perSecond: latencies.length / seconds, p99: sorted[Math.floor(sorted.length * 0.99)] ?? NaN };
}

/** `xdaemon ARGS` of the staged package with a private state directory. */
async function xd(home: string, args: readonly string[]): Promise<string> {
  const exit = await runToEnd(process.execPath, [packageFile('dist', 'cli.js'), ...args], { env: { XDAEMON_HOME: home }, timeout: 60_000 });
  if (exit.code !== 0) throw new Error(`xdaemon ${args.join(' ')}: exit ${exit.code}: ${exit.stderr.trim()}`);
  return exit.stdout;
}

interface Series {
  steady: Window[];
  reloading: Window[];
  reloads: number;
  /** Each reload's span, ms (the length of its window and of the steady window after it). */
  spans: number[];
}

/**
 * Per round, a window that is one reload (of every instance, one by one) from its start to its
 * end, then a steady window of the same length, in which `steady()` runs (bare start-ups: the
 * per-instance floor under the same load). The windows are as long in quick and full runs.
 */
async function series(port: number, rounds: number, reload: () => Promise<void>, steady: () => Promise<void> = async () => undefined): Promise<Series> {
  const out: Series = { steady: [], reloading: [], reloads: 0, spans: [] };
  for (let i = 0; i < rounds; i++) {
    let span = 0;
    const reloadOnce = async (): Promise<void> => {
      const t0 = performance.now();
      await reload();
      span = performance.now() - t0;
      out.reloads += 1;
    };
    out.reloading.push(await loadWindow(port, 0, reloadOnce));
    out.spans.push(span);
    out.steady.push(await loadWindow(port, span, steady));
  }
  return out;
}

function seriesRows(name: string, s: Series, targets: boolean): Row[] {
  const t = (value: number): number | null => (targets ? value : null);
  const failures = [...s.steady, ...s.reloading].map((w) => w.failures);
  return [
    ratioAtLeastRow(`reload: ${name} requests/s during reloads vs steady`, 'req/s', s.reloading.map((w) => w.perSecond), s.steady.map((w) => w.perSecond), t(TARGET_THROUGHPUT)),
    ratioRow(`reload: ${name} p99 latency during reloads vs steady`, 'ms', s.reloading.map((w) => w.p99), s.steady.map((w) => w.p99), t(TARGET_P99)),
    checkRow(`reload: ${name} failed requests per window`, 'lines', failures, '0', failures.every((f) => f === 0), `${s.reloads} reloads`),
  ];
}

/** pm2 cluster mode with the same server and load, `pm2 reload` back to back. */
async function pm2Series(modules: string, rounds: number): Promise<Series> {
  const port = await freePort();
  const dir = tempDir('reload-pm2');
  const proc: Proc = startNode([fixture('pm2-peer.cjs')], {
    ...pm2Env(modules, dir, { BENCH_MODE: 'cluster', BENCH_INSTANCES: '2', BENCH_SCRIPT: fixture('reload-server.cjs'), PORT: String(port), BENCH_DEADLINE_MS: '600000' }),
  });
  const pids = [proc.pid];
  try {
    const ready = JSON.parse(await waitLine(proc, 'READY', 60_000)) as { god: number };
    pids.push(ready.god);
    const { pm2Reload } = pm2Client(modules, dir);
    return await series(port, rounds, pm2Reload);
  } finally {
    const god = godPid(proc.stdout);
    if (god !== undefined && !pids.includes(god)) pids.push(god);
    await stopAndWait(pids, 30_000);
  }
}

/** `pm2 reload bench` through pm2's API in this process, against the peer's PM2_HOME. */
function pm2Client(modules: string, dir: string): { pm2Reload: () => Promise<void> } {
  const env = pm2Env(modules, dir, {});
  return {
    pm2Reload: async () => {
      const exit = await runToEnd(process.execPath, ['-e', `const pm2=require(${JSON.stringify(join(modules, 'pm2'))});pm2.connect(true,(e)=>{if(e)throw e;pm2.reload('bench',(err)=>{pm2.disconnect();process.exit(err?1:0)})})`], {
        env,
        timeout: 120_000,
      });
      if (exit.code !== 0) throw new Error(`pm2 reload failed: ${exit.stderr.trim()}`);
    },
  };
}

export async function reloadFigure(options: { rounds: number; rss: number }, bootMs: number, peers: Peers | undefined): Promise<Figure> {
  progress(`reload: ${options.rounds} rounds of a reload's window and a steady one as long, 2 instances${peers ? ', pm2 cluster too' : ''} ...`);
  const home = join(tempDir('reload'), 'state');
  const port = await freePort();
  const lib = stagedLibrary();
  await xd(home, ['start', '--name', 'web', '--instances', '2', '--listen', `127.0.0.1:${port}`, '--wait-ready', '10000', '--env', 'BENCH_LISTEN=handle', '--', process.execPath, fixture('reload-server.cjs')]);
  const pidFile = join(home, 'web.pid');
  const perInstance: number[] = [];
  const bare: number[] = [];
  let ours: Series;
  try {
    ours = await series(
      port,
      options.rounds,
      async () => {
        const result = await lib.reload(pidFile);
        for (const i of result.instances) perInstance.push(i.seconds * 1000);
      },
      // As many bare start-ups as the reload replaced instances, under the same client load.
      async () => {
        for (let i = 0; i < 2; i++) bare.push((await runNode([fixture('empty.cjs')])).ms);
      },
    );
  } finally {
    await xd(home, ['stop', 'web']);
  }

  // The supervisor's memory with 4 instances and 2 sockets, and with 1 instance and none (the same
  // start otherwise), against an idle bare node.
  const rss: number[] = [];
  const single: number[] = [];
  const floor: number[] = [];
  const supervisorRss = async (extra: readonly string[]): Promise<number> => {
    await xd(home, ['start', '--name', 'mem', ...extra, '--wait-ready', '10000', '--env', 'BENCH_LISTEN=handle', '--env', 'BENCH_SOCKET=a', '--', process.execPath, fixture('reload-server.cjs')]);
    try {
      await sleep(SETTLE_MS);
      const status = await lib.status(join(home, 'mem.pid'));
      return readMemory(status.pid as number, 'supervisor').rss;
    } finally {
      await xd(home, ['stop', 'mem']);
    }
  };
  for (let i = 0; i < options.rss; i++) {
    const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
    rss.push(await supervisorRss(['--instances', '4', '--listen', `a=127.0.0.1:${p1}`, '--listen', `b=127.0.0.1:${p2}`]));
    single.push(await supervisorRss(['--listen', `a=127.0.0.1:${p3}`]));
    floor.push((await idleNodeMemory(bootMs)).rss);
  }

  const rows: Row[] = [
    ...seriesRows('xdaemon', ours, true),
    ratioRow('reload: time per instance (replacement ready, old stopped) vs bare node start under the same load', 'ms', perInstance, bare, null),
    ratioRow('reload: supervisor RSS, 4 instances and 2 sockets', 'MB', rss, floor, TARGET_RSS),
    ratioRow('— the same start with 1 instance and 1 socket', 'MB', single, floor, null),
  ];
  if (peers) {
    if (peers.unavailable.pm2 !== undefined) rows.push(unavailableRow('reload: pm2 cluster mode', 'req/s', peers.unavailable.pm2));
    else {
      try {
        rows.push(...seriesRows('pm2 cluster', await pm2Series(peers.modules, options.rounds), false));
      } catch (err) {
        rows.push(unavailableRow('reload: pm2 cluster mode', 'req/s', err instanceof Error ? err.message : String(err)));
      }
    }
  }
  return {
    rows,
    notes: [
      `reload = 2 instances behind one held socket (--listen, --wait-ready), ${CONNECTIONS} keep-alive client connections on loopback; ${options.rounds} rounds of a window that is one reload(pidFile) of both instances, start to end (median ${ours.spans.length === 0 ? '—' : median(ours.spans).toFixed(0)} ms), then a steady window as long; requests/s over each window's own span and p99 (medians of the windows), failed = refused, reset or not 200;`,
      `  time per instance = the reload's own figure (replacement spawned until ready, old worker stopped), median ${perInstance.length === 0 ? '—' : median(perInstance).toFixed(1)} ms, against \`node empty.cjs\` run in the steady windows (same load, interleaved); RSS with 4 instances and 2 sockets read ${SETTLE_MS} ms after all were ready, against an idle bare node;`,
    ],
    details: { reload: { ours, perInstance } },
  };
}

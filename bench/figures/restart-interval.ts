/**
 * Figure 1, restart interval: the time between consecutive worker starts (top-of-script timestamps)
 * while xdaemon's supervisor restarts a worker that exits at once. Our worker loads xdaemon (it
 * calls `Daemon.run()`); a floor's worker that does not is faster by the import alone, which no
 * supervisor can take back. So the target holds the supervisor's share: ours against a plain Node
 * parent re-spawning a worker that requires xdaemon too (the "importing" floor). The bare floor (a
 * plain parent, a worker without xdaemon) is shown beside it, and with --peers the whole is held
 * against forever-monitor restarting the bare worker in the same interleaved runs (at most 1.0:
 * no slower than the lightest peer, import included); pm2 is shown.
 */
import { join } from 'node:path';
import { type Proc, isGone, signalOurs, waitFor, withTimeout } from '../../test/support/harness';
import { readText } from '../../test/support/fixtures';
import { supervisorOf } from '../daemon-app';
import { type Peers, godPid, pm2Env } from '../peers';
import { type Figure, type Row, progress, ratioRow, unavailableRow } from '../report';
import { fixture, runNode, startNode, tempDir } from '../stage';

/** Target: ours / the importing floor (the supervisor's share of the interval). */
const TARGET = 1.03;
/** Target with --peers: ours / forever-monitor's interval, import included. */
const PEER_TARGET = 1.0;

export interface RestartSamples {
  /** Intervals per run. */
  restarts: number;
  /** Runs of each kind, pooled. */
  runs: number;
}

/** Deadline for a whole restart run. */
const runTimeout = (starts: number): number => 30_000 + starts * 1000;

/** Sorted top-of-script timestamps → consecutive differences (ms); throws unless `expected` were written. */
function intervals(tsFile: string, expected: number, what: string): number[] {
  const ts = readText(tsFile)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number)
    .sort((a, b) => a - b)
    .slice(0, expected);
  if (ts.length < expected || ts.some((t) => !Number.isFinite(t))) {
    throw new Error(`${what}: ${ts.length} of ${expected} worker starts recorded`);
  }
  return ts.slice(1).map((t, i) => t - (ts[i] as number));
}

/** xdaemon: daemon-worker.cjs under `Daemon.run()` with maxCount `starts`, minExitTime 0. */
async function restartOurs(starts: number, prewarm = false): Promise<number[]> {
  const dir = tempDir(prewarm ? 'restart-xdaemon-spare' : 'restart-xdaemon');
  const ts = join(dir, 'ts');
  const log = join(dir, 'daemon.log');
  const launcher = await runNode([fixture('daemon-worker.cjs')], { BENCH_TS_FILE: ts, BENCH_LOG: log, BENCH_COUNT: String(starts), BENCH_PREWARM: prewarm ? '1' : '0' });
  const supervisor = supervisorOf(launcher, log);
  await waitFor('the xdaemon supervisor to reach maxCount', () => isGone(supervisor), runTimeout(starts), 100);
  const failures = readText(log)
    .split('\n')
    .filter((l) => /worker exited: .* with (signal|code [1-9])/.test(l) || /giving up|start failed/.test(l));
  if (failures.length > 0) throw new Error(`xdaemon restart run: ${failures.length} worker failure(s), e.g. ${failures[0]}`);
  return intervals(ts, starts, 'xdaemon');
}

/** The plain Node parent re-spawning `worker` (floor-worker.cjs: the floor; import-worker.cjs: the diagnostic). */
async function restartFloor(starts: number, worker = 'floor-worker.cjs'): Promise<number[]> {
  const ts = join(tempDir('restart-floor'), 'ts');
  await runNode([fixture('floor-parent.cjs'), String(starts), fixture(worker)], { BENCH_TS_FILE: ts }, runTimeout(starts));
  return intervals(ts, starts, `plain parent with ${worker}`);
}

async function restartForever(modules: string, starts: number): Promise<number[]> {
  const ts = join(tempDir('restart-forever'), 'ts');
  await runNode(
    [fixture('forever-peer.cjs')],
    { BENCH_PEER_MODULES: modules, BENCH_MODE: 'restart', BENCH_SCRIPT: fixture('floor-worker.cjs'), BENCH_COUNT: String(starts), BENCH_TS_FILE: ts },
    runTimeout(starts),
  );
  return intervals(ts, starts, 'forever-monitor');
}

async function restartPm2(modules: string, starts: number): Promise<number[]> {
  const dir = tempDir('restart-pm2');
  const ts = join(dir, 'ts');
  const proc: Proc = startNode(
    [fixture('pm2-peer.cjs')],
    pm2Env(modules, dir, { BENCH_MODE: 'restart', BENCH_SCRIPT: fixture('floor-worker.cjs'), BENCH_COUNT: String(starts), BENCH_TS_FILE: ts }),
  );
  try {
    const exit = await withTimeout(proc.done, runTimeout(starts), 'the pm2 restart run');
    if (exit.code !== 0) throw new Error(`pm2 run failed: ${exit.stderr.trim()}`);
  } finally {
    const god = godPid(proc.stdout);
    if (god !== undefined) await waitFor('the pm2 daemon to exit', () => isGone(god), 10_000).catch(() => signalOurs(god, 'SIGKILL'));
  }
  return intervals(ts, starts, 'pm2');
}

type Kind = 'ours' | 'spare' | 'floor' | 'importing' | 'forever' | 'pm2';

/** One restart run of `kind`: its intervals. */
function restartRun(kind: Kind, starts: number, peers: Peers | undefined): Promise<number[]> {
  switch (kind) {
    case 'ours':
      return restartOurs(starts);
    case 'spare':
      return restartOurs(starts, true);
    case 'floor':
      return restartFloor(starts);
    case 'importing':
      return restartFloor(starts, 'import-worker.cjs');
    case 'forever':
      return restartForever((peers as Peers).modules, starts);
    case 'pm2':
      return restartPm2((peers as Peers).modules, starts);
  }
}

/** The peers' rows: their intervals against the same floor, or why they are missing. */
function peerRows(peers: Peers, samples: Record<Kind, number[]>, failed: Partial<Record<Kind, string>>): Row[] {
  return (
    [
      ['pm2', 'pm2'],
      ['forever', 'forever-monitor'],
    ] as const
  ).map(([kind, name]) => {
    const error = peers.unavailable[kind] ?? failed[kind];
    const figure = `restart interval: ${name}`;
    return error !== undefined ? unavailableRow(figure, 'ms', error) : ratioRow(figure, 'ms', samples[kind], samples.floor, null);
  });
}

export async function restartInterval(n: RestartSamples, peers: Peers | undefined): Promise<Figure> {
  const starts = n.restarts + 1;
  progress(`restart interval: ${n.runs} run(s) of ${starts} worker starts each ...`);
  const samples: Record<Kind, number[]> = { ours: [], spare: [], floor: [], importing: [], forever: [], pm2: [] };
  const kinds: Kind[] = ['ours', 'floor', 'importing', 'spare'];
  if (peers && peers.unavailable.forever === undefined) kinds.push('forever');
  if (peers && peers.unavailable.pm2 === undefined) kinds.push('pm2');
  const failed: Partial<Record<Kind, string>> = {};
  // Many short runs, interleaved kind by kind, rather than a few long ones: these machines drift
  // between fast and slow phases of tens of seconds, and a long block would give one kind a phase
  // the other missed. The order rotates from run to run, so that no kind always goes first.
  for (let run = 0; run < n.runs; run++) {
    const order = kinds.map((_, i) => kinds[(i + run) % kinds.length] as Kind);
    for (const kind of order) {
      if (failed[kind] !== undefined) continue;
      const t0 = Date.now();
      try {
        samples[kind].push(...(await restartRun(kind, starts, peers)));
      } catch (err) {
        // Ours and the floor must work; a peer that fails is reported and skipped.
        if (kind === 'ours' || kind === 'spare' || kind === 'floor' || kind === 'importing') throw err;
        failed[kind] = err instanceof Error ? err.message : String(err);
        progress(`${kind} restart run failed: ${failed[kind]}`);
      }
      progress(`  ${kind}: run ${run + 1} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  const againstForever =
    peers === undefined
      ? []
      : peers.unavailable.forever !== undefined || failed.forever !== undefined
        ? [unavailableRow('restart interval against forever-monitor', 'ms', peers.unavailable.forever ?? failed.forever ?? '')]
        : [ratioRow('restart interval against forever-monitor', 'ms', samples.ours, samples.forever, PEER_TARGET, "the whole interval, our worker's import included, against forever-monitor's in the same runs")];
  const rows = [
    ratioRow('restart interval (the supervisor\'s share: floor = plain parent, worker requires xdaemon)', 'ms', samples.ours, samples.importing, TARGET),
    ratioRow('restart interval against the bare floor (worker without xdaemon)', 'ms', samples.ours, samples.floor, null, "includes the worker's own import of xdaemon, which no supervisor can take back"),
    ratioRow(
      'restart interval: plain parent, worker requires xdaemon, against the bare floor (diagnostic)',
      'ms',
      samples.importing,
      samples.floor,
      null,
      "the worker's share of the restart-interval gap; the rest is the supervisor's",
    ),
    ...againstForever,
    ratioRow(
      'restart interval with the spare (prewarm)',
      'ms',
      samples.spare,
      samples.floor,
      null,
      'a worker that exits at once leaves no time for the next spare to boot: see the spare figure for exit → first line',
    ),
    ...(peers ? peerRows(peers, samples, failed) : []),
  ];
  return {
    rows,
    notes: [
      `restart interval = time between consecutive workers' top-of-script timestamps, ${n.runs} run(s) of ${n.restarts} restarts each; the target row's floor is a plain node parent`,
      "  re-spawning a worker that also requires xdaemon (ours loads it: that import is the worker's, not the supervisor's); the bare floor's worker does not load xdaemon;",
      `  with --peers the whole interval is held against forever-monitor's (target ${PEER_TARGET}), all kinds interleaved run by run;`,
    ],
  };
}

/**
 * The benchmark's entry: `npm run bench [-- --quick] [-- --peers]`. It stages the built package,
 * runs the figures in bench/figures/ one after the other, prints the table on stdout and writes
 * every sample to bench/results.json.
 *
 * Every figure is a median, shown beside a floor measured in the same run and interleaved with ours
 * (a bare `node` doing the same job without xdaemon), and their ratio.
 *
 * Every process started here, directly or not, carries the shared harness's tag in its environment;
 * at the end, on error and on Ctrl-C, whatever is still alive with that tag is stopped by pid.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { stopTagged } from '../test/support/harness';
import { cliFigure } from './figures/cli';
import { clusterFigure } from './figures/cluster';
import { controlMemory } from './figures/control-memory';
import { facesFigure } from './figures/faces';
import { fleetFigure } from './figures/fleet';
import { hostingFigure } from './figures/hosting';
import { healthFigure } from './figures/health';
import { bareStart, launch } from './figures/launch';
import { limitsFigure } from './figures/limits';
import { logThroughput } from './figures/log-throughput';
import { restartInterval } from './figures/restart-interval';
import { reloadFigure } from './figures/reload';
import { restartCommand } from './figures/restart-command';
import { restartReady } from './figures/restart-ready';
import { serviceStart } from './figures/service-start';
import { spareFigure } from './figures/spare';
import { SETTLE_MS, supervisorMemory } from './figures/supervisor-memory';
import { workerImport } from './figures/worker-import';
import { installPeers } from './peers';
import { type Figure, median, notes, progress, table, verdict, writeResults } from './report';
import { ROOT, removeTempDirs, stagePackage, warmUp } from './stage';

const RESULTS = join(__dirname, 'results.json');
const USAGE = `usage: npm run bench [-- --quick] [-- --peers] [-- --only FIGURE[,FIGURE]]

  --quick   smaller samples and 50 MB log runs (about 50 s instead of 4½ minutes)
  --peers   also measure pm2 and forever-monitor, installed into a temporary folder
  --only    just these figures: restart, launch, memory, control, imports, ready, cli, fleet, hosting, faces, limits, reload, cluster, health, spare, command, service, logs
`;

/** The figures, by the names --only takes. */
const FIGURES = ['restart', 'launch', 'memory', 'control', 'imports', 'ready', 'cli', 'fleet', 'hosting', 'faces', 'limits', 'reload', 'cluster', 'health', 'spare', 'command', 'service', 'logs'] as const;
type FigureName = (typeof FIGURES)[number];

/** The command line, or an exit with the usage. */
function parseFlags(argv: readonly string[]): { quick: boolean; peers: boolean; only: ReadonlySet<FigureName> } {
  const usage = (why: string): never => {
    process.stderr.write(`bench: ${why}\n${USAGE}`);
    process.exit(2);
  };
  let only: Set<FigureName> = new Set(FIGURES);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (flag === '--only') {
      const names = (argv[++i] ?? '').split(',');
      const unknown = names.find((n) => !(FIGURES as readonly string[]).includes(n));
      if (unknown !== undefined) usage(`unknown figure ${JSON.stringify(unknown)}`);
      only = new Set(names as FigureName[]);
    } else if (flag !== '--quick' && flag !== '--peers') {
      usage(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  return { quick: argv.includes('--quick'), peers: argv.includes('--peers'), only };
}

const FLAGS = parseFlags(process.argv.slice(2));

/** Sample sizes: runs (or rounds) of each kind, per figure. */
const MB = 1024 * 1024;
const SAMPLES = FLAGS.quick
  ? { restarts: 15, restartRuns: 2, launch: 6, rss: 3, imports: 10, restartReady: 8, cli: 8, fleet: 4, hosting: { windowMs: 10_000 }, faces: { frames: 4, cpuSeconds: 10, scrapes: 20 }, limits: { checkSeconds: 5, watchRounds: 4 }, reload: { rounds: 3, rss: 2 }, cluster: { rounds: 4 }, health: { reloads: 3, cpuSeconds: 5 }, spare: { starts: 6, runs: 2, kills: 6 }, service: 6, log: { bytes: 50_000_000, runs: 2, maxSize: 5 * MB, maxFiles: 20 } }
  : { restarts: 20, restartRuns: 10, launch: 20, rss: 5, imports: 30, restartReady: 20, cli: 20, fleet: 10, hosting: { windowMs: 30_000 }, faces: { frames: 10, cpuSeconds: 30, scrapes: 50 }, limits: { checkSeconds: 30, watchRounds: 10 }, reload: { rounds: 8, rss: 5 }, cluster: { rounds: 10 }, health: { reloads: 8, cpuSeconds: 30 }, spare: { starts: 11, runs: 6, kills: 20 }, service: 15, log: { bytes: 500_000_000, runs: 3, maxSize: 50 * MB, maxFiles: 20 } };

/** Fixtures run once before measuring, so that no figure pays for a cold cache. */
const WARM_UP = ['empty.cjs', 'empty.mjs', 'import-cjs.cjs', 'import-esm.mjs', 'floor-worker.cjs'];

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

const loads = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');

/** The median of `rounds` bare Node start-ups (`node empty.cjs`, spawn to exit). */
async function bareStartMedian(rounds: number): Promise<number> {
  progress(`bare node start-up: ${rounds} runs (the memory figures' boot allowance; the launch figure is not run) ...`);
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) samples.push(await bareStart());
  return median(samples);
}

/** Runs every figure, in order. */
async function measure(): Promise<Figure[]> {
  const peers = FLAGS.peers ? await installPeers() : undefined;
  await warmUp(WARM_UP);
  const on = (name: FigureName): boolean => FLAGS.only.has(name);
  const figures: Figure[] = [];
  if (on('restart')) figures.push(await restartInterval({ restarts: SAMPLES.restarts, runs: SAMPLES.restartRuns }, peers));
  // The memory figures take the bare start-up measured by the launch figure (or, without it, here).
  let bareStartMs: number | undefined;
  if (on('launch')) {
    const launched = await launch(SAMPLES.launch);
    bareStartMs = launched.bareStartMs;
    figures.push(launched);
  }
  if (on('memory') || on('control')) {
    const bootMs = bareStartMs ?? (await bareStartMedian(SAMPLES.launch));
    if (on('memory')) figures.push(await supervisorMemory(SAMPLES.rss, bootMs, peers));
    if (on('control')) figures.push(await controlMemory(SAMPLES.rss, bootMs));
  }
  if (on('imports')) figures.push(await workerImport(SAMPLES.imports));
  if (on('ready')) figures.push(await restartReady(SAMPLES.restartReady));
  if (on('cli')) figures.push(await cliFigure(SAMPLES.cli));
  if (on('fleet')) figures.push(await fleetFigure(SAMPLES.fleet));
  if (on('hosting')) figures.push(await hostingFigure(SAMPLES.hosting, peers));
  if (on('faces')) figures.push(await facesFigure(SAMPLES.faces));
  if (on('limits')) figures.push(await limitsFigure(SAMPLES.limits));
  if (on('reload')) figures.push(await reloadFigure(SAMPLES.reload, bareStartMs ?? (await bareStartMedian(SAMPLES.launch)), peers));
  if (on('cluster')) figures.push(await clusterFigure(SAMPLES.cluster));
  if (on('health')) figures.push(await healthFigure(SAMPLES.health));
  if (on('spare')) figures.push(await spareFigure(SAMPLES.spare, peers));
  if (on('command')) figures.push(await restartCommand({ restarts: SAMPLES.restarts, runs: SAMPLES.restartRuns }));
  if (on('service')) figures.push(await serviceStart(SAMPLES.service));
  // Last: it writes gigabytes, and the disk's write-back would disturb the figures after it.
  if (on('logs')) figures.push(await logThroughput(SAMPLES.log, peers));
  return figures;
}

async function main(): Promise<void> {
  const began = Date.now();
  const loadBefore = loadavg();
  stagePackage();
  progress(`node ${process.version}, ${cpus().length} CPUs, load average ${loads(loadBefore)}${FLAGS.quick ? ', --quick' : ''}`);
  const figures = await measure();
  const rows = figures.flatMap((f) => f.rows);

  const strays = stopTagged();
  const loadAfter = loadavg();
  const seconds = (Date.now() - began) / 1000;
  const out = (text: string): boolean => process.stdout.write(text);
  out(`\nxdaemon benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}\n`);
  out(`load average ${loads(loadBefore)} → ${loads(loadAfter)}; ${seconds.toFixed(0)} s${FLAGS.quick ? '; --quick' : ''}\n\n`);
  out(`${table(rows)}\n\n`);
  for (const n of notes(figures)) out(`  ${n}\n`);
  out(`\n${verdict(rows)}${strays.length > 0 ? ` Stopped ${strays.length} leftover process(es): ${strays.join(', ')}.` : ''}\n`);

  writeResults(
    RESULTS,
    {
      date: new Date().toISOString(),
      commit: gitCommit(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      loadavg: { before: loadBefore, after: loadAfter },
      quick: FLAGS.quick,
      peers: FLAGS.peers,
      sampleSizes: SAMPLES,
      settleMs: SETTLE_MS,
      seconds,
      leftoverProcesses: strays,
      ...Object.assign({}, ...figures.map((f) => f.details ?? {})),
    },
    rows,
  );
  out(`Results: ${RESULTS}\n`);
}

let cleanedUp = false;
/** Stops every tagged process still alive and removes the temporary folder; once, synchronously. */
function cleanUp(): void {
  if (cleanedUp) return;
  cleanedUp = true;
  const strays = stopTagged();
  if (strays.length > 0) progress(`stopped leftover process(es) ${strays.join(', ')}`);
  removeTempDirs();
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    progress(`${sig}, cleaning up`);
    cleanUp();
    process.exit(130);
  });
}

main()
  .then(cleanUp)
  .catch((err: unknown) => {
    progress(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    cleanUp();
    process.exitCode = 1;
  });

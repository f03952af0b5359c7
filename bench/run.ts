/**
 * Benchmark harness: `npm run bench [-- --quick] [-- --peers]`.
 *
 * Every figure is a median over repeated runs, shown beside the "floor" measured in the same run
 * (a bare `node` doing the same job without xdaemon) and their ratio:
 *
 *   1. restart interval: time between consecutive worker starts (top-of-script timestamps) when the
 *      Daemon supervisor restarts an exiting worker, vs a plain Node parent re-spawning it in a loop;
 *   2. launch: spawn-to-exit of `node app.js` calling `new Daemon(log).run()` vs `node empty.cjs`;
 *   3. supervisor RSS with a running worker vs an idle bare `node`;
 *   4. worker-side import cost of xdaemon (ESM and CJS) over an empty script, plus the in-process
 *      time of the import itself;
 *   5. log throughput: pending.
 *
 * With `--peers`, pm2 and forever-monitor are installed into a temporary folder (never into this
 * package) and their restart interval and supervisor RSS are measured in the same run.
 *
 * Every process started here, directly or not, carries BENCH_TAG=<uuid> in its environment; at the
 * end (and on error or Ctrl-C) the processes still alive with that tag are stopped by pid. The table
 * goes to stdout; bench/results.json gets every sample.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// ---------------------------------------------------------------------------------------------
// Configuration

const ROOT = resolve(__dirname, '..');
const SOURCE_FIXTURES = join(__dirname, 'fixtures');
const RESULTS = join(__dirname, 'results.json');
const NODE = process.execPath;

const USAGE = 'usage: npm run bench [-- --quick] [-- --peers]';
const flags = process.argv.slice(2);
for (const flag of flags) {
  if (flag === '--help' || flag === '-h') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (flag !== '--quick' && flag !== '--peers') {
    process.stderr.write(`bench: unknown argument ${JSON.stringify(flag)}\n${USAGE}\n`);
    process.exit(2);
  }
}
const QUICK = flags.includes('--quick');
const PEERS = flags.includes('--peers');

/**
 * Sample sizes. `restarts` intervals per run, `restartRuns` runs of each kind (pooled). Many short
 * runs, interleaved kind by kind, rather than a few long ones: these machines drift between fast and
 * slow phases of tens of seconds, and a long block would give one kind a phase the other missed.
 */
const N = QUICK
  ? { restarts: 15, restartRuns: 2, launch: 6, rss: 3, imports: 10 }
  : { restarts: 20, restartRuns: 10, launch: 20, rss: 5, imports: 30 };

/** Milliseconds a process is left to settle before its RSS is read. */
const SETTLE_MS = 500;

const TARGET = { restart: 1.03, launch: 1.15, rss: 1.1, importMs: 3 };

// ---------------------------------------------------------------------------------------------
// Processes: start, track, observe through /proc, stop

const TAG = randomUUID();
const TAG_ENTRY = `BENCH_TAG=${TAG}`;
/** Every pid this harness started or learned of (supervisors, workers, daemons). */
const known = new Set<number>();

function track(pid: number | undefined): void {
  if (pid !== undefined && pid > 0) known.add(pid);
}

/** The environment of every process started here: ours, tagged, less what would change behaviour. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.XW_DAEMON_IDX;
  delete env.DEBUG;
  return { ...env, BENCH_TAG: TAG, ...extra };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Blocks the thread for `ms` (only for the synchronous clean-up on exit). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

interface ProcStat {
  state: string;
  pgrp: number;
}

/** State letter and process group from /proc/PID/stat, or undefined when there is no such process. */
function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp ..." — comm may hold spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '?', pgrp: Number(fields[2]) };
}

/** Gone: no such process, or a zombie (its parent may be an init that never reaps). */
function isGone(pid: number): boolean {
  const stat = procStat(pid);
  return stat === undefined || stat.state === 'Z' || stat.state === 'X';
}

/** True when `pid` is alive and carries this run's tag (so a recycled pid is never touched). */
function isOurs(pid: number): boolean {
  if (pid === process.pid || isGone(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(TAG_ENTRY);
  } catch {
    return false;
  }
}

/** VmRSS of `pid` in kB, or undefined when it cannot be read. */
function rssKb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Sends `signal` to `pid`, and to its process group when it leads one; only if the process is ours. */
function signal(pid: number, sig: NodeJS.Signals): void {
  if (!isOurs(pid)) return;
  const leader = procStat(pid)?.pgrp === pid;
  try {
    if (leader) process.kill(-pid, sig);
  } catch {
    // The group may be gone already.
  }
  try {
    process.kill(pid, sig);
  } catch {
    // Gone.
  }
}

/** Polls `probe` until it returns something other than undefined/false; throws after `timeout` ms. */
async function waitFor<T>(what: string, probe: () => T | undefined | false, timeout: number, interval = 20): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(interval);
  }
}

/** Stops `pids` with SIGTERM to the first one (the others are expected to follow), SIGKILL after `timeout`. */
async function stopAll(what: string, pids: number[], timeout = 15_000): Promise<void> {
  const [first] = pids;
  if (first !== undefined) signal(first, 'SIGTERM');
  try {
    await waitFor(`${what} to stop`, () => pids.every(isGone), timeout);
  } catch (err) {
    for (const pid of pids) signal(pid, 'SIGKILL');
    throw err;
  }
}

/** Live processes carrying this run's tag, found by scanning /proc. */
function taggedAlive(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (isOurs(pid)) pids.push(pid);
  }
  return pids;
}

/**
 * Stops everything of this run still alive: every known pid and every tagged process, SIGTERM
 * first (process groups included), SIGKILL after 3 s. Synchronous, so it also works on exit.
 * Returns the pids that were still alive.
 */
function cleanupAll(): number[] {
  const alive = [...new Set([...known].filter(isOurs).concat(taggedAlive()))];
  if (alive.length === 0) return [];
  for (const pid of alive) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && alive.some((pid) => !isGone(pid))) sleepSync(20);
  for (const pid of [...alive, ...taggedAlive()]) signal(pid, 'SIGKILL');
  const end = Date.now() + 2000;
  while (Date.now() < end && taggedAlive().length > 0) sleepSync(20);
  return alive;
}

/** A started process with its output collected. */
interface Proc {
  child: ChildProcess;
  pid: number;
  started: bigint;
  out: string;
  err: string;
  /** Resolves when the process has exited and its output is closed. */
  done: Promise<Exit>;
}

interface Exit {
  /** Milliseconds from just before spawn() to the 'exit' event. */
  ms: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  pid: number;
}

/** Starts `node args...` (tagged, stdin ignored, stdout and stderr piped and collected). */
function startNode(args: string[], env: Record<string, string> = {}): Proc {
  const cwd = stage === '' ? ROOT : stage;
  const started = process.hrtime.bigint();
  const child = spawn(NODE, args, { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let exitedAt = 0n;
  child.once('exit', () => {
    exitedAt = process.hrtime.bigint();
  });
  if (child.pid === undefined) throw new Error(`cannot start node ${args.join(' ')}`);
  track(child.pid);
  const proc: Proc = {
    child,
    pid: child.pid,
    started,
    out: '',
    err: '',
    done: new Promise<Exit>((resolveDone, reject) => {
      child.once('error', reject);
      child.once('close', (code, sig) => {
        resolveDone({ ms: Number(exitedAt - started) / 1e6, code, signal: sig, out: proc.out, err: proc.err, pid: proc.pid });
      });
    }),
  };
  // A late 'error' after a timeout must not become an unhandled rejection.
  proc.done.catch(() => undefined);
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (proc.out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (proc.err += d));
  return proc;
}

/** `promise`, or a rejection after `timeout` ms (the timer is cleared either way). */
async function withTimeout<T>(promise: Promise<T>, timeout: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms waiting for ${what}`)), timeout);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `node args...` to its end; kills it and throws after `timeout` ms, or when it fails. */
async function runNode(args: string[], env: Record<string, string> = {}, timeout = 30_000): Promise<Exit> {
  const proc = startNode(args, env);
  let exit: Exit;
  try {
    exit = await withTimeout(proc.done, timeout, `node ${args.join(' ')} to exit`);
  } catch (err) {
    signal(proc.pid, 'SIGKILL');
    throw new Error(`${err instanceof Error ? err.message : String(err)}; stderr: ${proc.err.trim()}`);
  }
  if (exit.code !== 0) {
    throw new Error(`node ${args.join(' ')} exited with ${exit.code ?? exit.signal}; stderr: ${exit.err.trim()}`);
  }
  return exit;
}

/** Waits until the process's stdout has a line starting with `prefix`; returns the rest of it. */
function waitLine(proc: Proc, prefix: string, timeout: number): Promise<string> {
  return waitFor(
    `"${prefix}" from pid ${proc.pid}`,
    () => {
      const line = proc.out.split('\n').find((l) => l.startsWith(`${prefix} `));
      if (line !== undefined) return line.slice(prefix.length + 1);
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
        throw new Error(`pid ${proc.pid} exited before "${prefix}"; stderr: ${proc.err.trim()}`);
      }
      return undefined;
    },
    timeout,
  );
}

let tempRoot = '';
/** The staged copy (see {@link stagePackage}); '' until staged. */
let stage = '';
const fixture = (name: string): string => join(stage === '' ? SOURCE_FIXTURES : join(stage, 'fixtures'), name);

let tempCount = 0;
/** A fresh directory under this run's temporary folder. */
function tempDir(name: string): string {
  if (tempRoot === '') tempRoot = mkdtempSync(join(tmpdir(), 'xdaemon-bench-'));
  const dir = join(tempRoot, `${name}-${++tempCount}`);
  mkdirSync(dir);
  return dir;
}

/**
 * Stages what the benchmark runs in a private folder laid out like an installed package:
 * `<stage>/node_modules/xdaemon` (package.json and dist/ as built), xdaemon's runtime dependencies
 * beside it, and the fixtures in `<stage>/fixtures`, which import 'xdaemon' from node_modules as a
 * user's program does. A rebuild of dist/ during the run (npm test rebuilds it) cannot break or
 * change what is measured.
 */
function stagePackage(): void {
  const dir = tempDir('stage');
  const pkgDir = join(dir, 'node_modules', 'xdaemon');
  const required = ['index.js', 'index.mjs', 'supervisor-main.js'];
  for (let attempt = 0; ; attempt++) {
    rmSync(pkgDir, { recursive: true, force: true });
    mkdirSync(pkgDir, { recursive: true });
    try {
      cpSync(join(ROOT, 'package.json'), join(pkgDir, 'package.json'));
      cpSync(join(ROOT, 'dist'), join(pkgDir, 'dist'), { recursive: true });
      if (required.every((f) => statSync(join(pkgDir, 'dist', f)).size > 0)) break;
    } catch {
      // dist/ may be in the middle of a rebuild: try again.
    }
    if (attempt >= 20) throw new Error('dist/ is not built (or keeps changing): run `npm run build`');
    sleepSync(250);
  }
  // Runtime dependencies: the lockfile's non-dev packages, else the direct dependencies.
  let deps: string[];
  try {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { dev?: boolean }> };
    deps = Object.entries(lock.packages ?? {})
      .filter(([path, info]) => path.startsWith('node_modules/') && info.dev !== true)
      .map(([path]) => path.slice('node_modules/'.length));
  } catch {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    deps = Object.keys(pkg.dependencies ?? {});
  }
  for (const dep of deps) {
    const from = join(ROOT, 'node_modules', dep);
    if (existsSync(from)) cpSync(from, join(dir, 'node_modules', dep), { recursive: true, dereference: true });
  }
  cpSync(SOURCE_FIXTURES, join(dir, 'fixtures'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'xdaemon-bench-app', private: true, type: 'commonjs' })}\n`);
  stage = dir;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics and results

interface Stats {
  n: number;
  median: number;
  min: number;
  max: number;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function stats(values: readonly number[]): Stats {
  if (values.length === 0) throw new Error('no samples');
  return { n: values.length, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

interface Row {
  figure: string;
  unit: 'ms' | 'MB';
  /** What "ours" is: the median of `ours`, or (for import costs) the difference of the medians. */
  kind: 'ratio' | 'delta' | 'info' | 'pending' | 'unavailable';
  ours?: Stats;
  floor?: Stats;
  /** For `delta` rows: median(ours) - median(floor). */
  delta?: number;
  /** For `delta` rows: the median of the per-round differences (each round runs both back to back). */
  pairedDelta?: number;
  ratio?: number;
  target: string;
  pass: boolean | null;
  note?: string;
  samples?: { ours: number[]; floor: number[] };
}

const rows: Row[] = [];

function ratioRow(figure: string, unit: Row['unit'], ours: number[], floor: number[], target: number | null, note?: string): Row {
  const o = stats(ours);
  const f = stats(floor);
  const ratio = o.median / f.median;
  return {
    figure,
    unit,
    kind: target === null ? 'info' : 'ratio',
    ours: o,
    floor: f,
    ratio,
    target: target === null ? '—' : `≤ ${target.toFixed(2)}`,
    pass: target === null ? null : ratio <= target,
    samples: { ours, floor },
    ...(note === undefined ? {} : { note }),
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Restart interval

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

/** Deadline for a whole restart run. */
const restartTimeout = (starts: number): number => 30_000 + starts * 1000;

function supervisorPid(exit: Exit, log: string): number {
  const match = /xdaemon: \[\d+\] started supervisor (\d+)/.exec(exit.err);
  if (!match) throw new Error(`no supervisor pid in the launcher's stderr: ${exit.err.trim()} ${readText(log)}`);
  const pid = Number(match[1]);
  track(pid);
  return pid;
}

/** Pids of the workers the supervisor's log mentions. */
function workerPids(log: string): number[] {
  return [...readText(log).matchAll(/worker started: pid (\d+)/g)].map((m) => Number(m[1]));
}

async function restartOurs(starts: number): Promise<number[]> {
  const dir = tempDir('restart-xdaemon');
  const ts = join(dir, 'ts');
  const log = join(dir, 'daemon.log');
  const exit = await runNode([fixture('daemon-worker.cjs')], { BENCH_TS_FILE: ts, BENCH_LOG: log, BENCH_COUNT: String(starts) });
  const spid = supervisorPid(exit, log);
  try {
    await waitFor('the xdaemon supervisor to reach maxCount', () => isGone(spid), restartTimeout(starts), 100);
  } finally {
    workerPids(log).forEach(track);
  }
  const failures = readText(log)
    .split('\n')
    .filter((l) => /worker exited: .* with (signal|code [1-9])/.test(l) || /giving up|start failed/.test(l));
  if (failures.length > 0) throw new Error(`xdaemon restart run: ${failures.length} worker failure(s), e.g. ${failures[0]}`);
  return intervals(ts, starts, 'xdaemon');
}

/** The plain Node parent re-spawning `worker` (floor-worker.cjs: the floor; import-worker.cjs: the diagnostic). */
async function restartFloor(starts: number, worker = 'floor-worker.cjs'): Promise<number[]> {
  const ts = join(tempDir('restart-floor'), 'ts');
  await runNode([fixture('floor-parent.cjs'), String(starts), fixture(worker)], { BENCH_TS_FILE: ts }, restartTimeout(starts));
  return intervals(ts, starts, `plain parent with ${worker}`);
}

async function restartForever(modules: string, starts: number): Promise<number[]> {
  const ts = join(tempDir('restart-forever'), 'ts');
  await runNode(
    [fixture('forever-peer.cjs')],
    { BENCH_PEER_MODULES: modules, BENCH_MODE: 'restart', BENCH_SCRIPT: fixture('floor-worker.cjs'), BENCH_COUNT: String(starts), BENCH_TS_FILE: ts },
    restartTimeout(starts),
  );
  return intervals(ts, starts, 'forever-monitor');
}

function pm2Env(modules: string, dir: string, extra: Record<string, string>): Record<string, string> {
  return {
    BENCH_PEER_MODULES: modules,
    PM2_HOME: join(dir, 'pm2-home'),
    PM2_NO_INTERACTION: 'true',
    PM2_DISCRETE_MODE: 'true',
    ...extra,
  };
}

/** The God daemon's pid once the fixture has printed it. */
function godPid(proc: Proc | Exit): number | undefined {
  const match = /^GOD (\d+)$/m.exec(proc.out);
  if (!match) return undefined;
  const pid = Number(match[1]);
  track(pid);
  return pid;
}

async function restartPm2(modules: string, starts: number): Promise<number[]> {
  const dir = tempDir('restart-pm2');
  const ts = join(dir, 'ts');
  const proc = startNode(
    [fixture('pm2-peer.cjs')],
    pm2Env(modules, dir, { BENCH_MODE: 'restart', BENCH_SCRIPT: fixture('floor-worker.cjs'), BENCH_COUNT: String(starts), BENCH_TS_FILE: ts }),
  );
  try {
    const exit = await withTimeout(proc.done, restartTimeout(starts), 'the pm2 restart run');
    if (exit.code !== 0) throw new Error(`pm2 run failed: ${exit.err.trim()}`);
  } finally {
    const god = godPid(proc);
    if (god !== undefined) await waitFor('the pm2 daemon to exit', () => isGone(god), 10_000).catch(() => signal(god, 'SIGKILL'));
  }
  return intervals(ts, starts, 'pm2');
}

// ---------------------------------------------------------------------------------------------
// 2 and 3. Launch and supervisor RSS

/** Launches app.cjs; returns the launcher's spawn-to-exit time and the supervisor and worker pids. */
async function launchApp(): Promise<{ ms: number; supervisor: number; worker: number }> {
  const log = join(tempDir('launch'), 'daemon.log');
  const exit = await runNode([fixture('app.cjs')], { BENCH_LOG: log });
  const supervisor = supervisorPid(exit, log);
  const worker = await waitFor(
    'the worker to start',
    () => {
      const [pid] = workerPids(log);
      if (pid !== undefined) return pid;
      if (isGone(supervisor)) throw new Error(`supervisor ${supervisor} ended before starting a worker: ${readText(log)}`);
      return undefined;
    },
    15_000,
    10,
  );
  track(worker);
  return { ms: exit.ms, supervisor, worker };
}

// ---------------------------------------------------------------------------------------------
// Peers

interface Peers {
  /** node_modules folder holding the peers. */
  modules: string;
  /** Per peer: undefined when usable, otherwise why not. */
  unavailable: { pm2?: string; forever?: string };
}

/** npm's own CLI: the one running `npm run bench` when there is one, else `npm` from PATH. */
function npmCommand(): { file: string; args: string[] } {
  const cli = process.env.npm_execpath;
  return cli !== undefined && cli.endsWith('.js') ? { file: NODE, args: [cli] } : { file: 'npm', args: [] };
}

function npmInstall(prefix: string, pkg: string): Promise<string | undefined> {
  const npm = npmCommand();
  const env = childEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });
  for (const key of Object.keys(env)) {
    if (/^npm_(config_(prefix|local_prefix|global_prefix|global)|package_|lifecycle_)/i.test(key)) delete env[key];
  }
  return new Promise((resolveInstall) => {
    const child = spawn(npm.file, [...npm.args, 'install', '--prefix', prefix, '--no-audit', '--no-fund', pkg], {
      cwd: prefix,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child.pid);
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout?.resume();
    const timer = setTimeout(() => {
      if (child.pid !== undefined) signal(child.pid, 'SIGKILL');
    }, 300_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolveInstall(`npm could not run: ${e.message}`);
    });
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      if (code === 0 && existsSync(join(prefix, 'node_modules', pkg, 'package.json'))) resolveInstall(undefined);
      else {
        const lines = err.split('\n').filter((l) => /ERR!|error/i.test(l));
        resolveInstall(`npm install ${pkg} failed (${code ?? sig}): ${(lines.at(-1) ?? err.trim().split('\n').at(-1) ?? '').trim()}`);
      }
    });
  });
}

async function installPeers(): Promise<Peers> {
  const prefix = tempDir('peers');
  process.stderr.write(`bench: installing pm2 and forever-monitor into ${prefix} ...\n`);
  const ownBefore = ['pm2', 'forever-monitor'].filter((p) => existsSync(join(ROOT, 'node_modules', p)));
  const pm2 = await npmInstall(prefix, 'pm2');
  const forever = await npmInstall(prefix, 'forever-monitor');
  const ownAfter = ['pm2', 'forever-monitor'].filter((p) => existsSync(join(ROOT, 'node_modules', p)));
  if (ownAfter.length > ownBefore.length) {
    throw new Error(`npm installed ${ownAfter.join(', ')} into ${ROOT}/node_modules instead of ${prefix}`);
  }
  const unavailable: Peers['unavailable'] = {};
  if (pm2 !== undefined) unavailable.pm2 = pm2;
  if (forever !== undefined) unavailable.forever = forever;
  for (const [name, why] of Object.entries(unavailable)) process.stderr.write(`bench: ${name} unavailable: ${why}\n`);
  return { modules: join(prefix, 'node_modules'), unavailable };
}

/** RSS (kB) of forever-monitor's monitoring process with an idle worker. */
async function rssForever(modules: string): Promise<number> {
  const proc = startNode([fixture('forever-peer.cjs')], { BENCH_PEER_MODULES: modules, BENCH_MODE: 'rss', BENCH_SCRIPT: fixture('idle-worker.cjs') });
  let worker: number | undefined;
  try {
    worker = (JSON.parse(await waitLine(proc, 'READY', 15_000)) as { worker: number }).worker;
    track(worker);
    await sleep(SETTLE_MS);
    const kb = rssKb(proc.pid);
    if (kb === undefined) throw new Error('cannot read the RSS of forever-monitor');
    return kb;
  } finally {
    await stopAll('forever-monitor', worker === undefined ? [proc.pid] : [proc.pid, worker]);
  }
}

/** RSS (kB) of pm2's God daemon with an idle worker. */
async function rssPm2(modules: string): Promise<number> {
  const dir = tempDir('rss-pm2');
  const proc = startNode([fixture('pm2-peer.cjs')], pm2Env(modules, dir, { BENCH_MODE: 'rss', BENCH_SCRIPT: fixture('idle-worker.cjs') }));
  const pids = [proc.pid];
  try {
    const ready = JSON.parse(await waitLine(proc, 'READY', 30_000)) as { god: number; worker: number };
    track(ready.god);
    track(ready.worker);
    pids.push(ready.god, ready.worker);
    await sleep(SETTLE_MS);
    const kb = rssKb(ready.god);
    if (kb === undefined) throw new Error('cannot read the RSS of the pm2 daemon');
    return kb;
  } finally {
    const god = godPid(proc);
    if (god !== undefined && !pids.includes(god)) pids.push(god);
    await stopAll('pm2', pids, 20_000);
  }
}

// ---------------------------------------------------------------------------------------------
// Main

function log(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

async function warmUp(): Promise<void> {
  for (const f of ['empty.cjs', 'empty.mjs', 'import-cjs.cjs', 'import-esm.mjs', 'floor-worker.cjs']) {
    await runNode([fixture(f)], { BENCH_TS_FILE: join(tempDir('warmup'), 'ts') });
  }
}

async function benchRestart(peers: Peers | undefined): Promise<void> {
  const starts = N.restarts + 1;
  log(`restart interval: ${N.restartRuns} run(s) of ${starts} worker starts each ...`);
  const samples: Record<'ours' | 'floor' | 'importing' | 'forever' | 'pm2', number[]> = { ours: [], floor: [], importing: [], forever: [], pm2: [] };
  type Kind = keyof typeof samples;
  const kinds: Kind[] = ['ours', 'floor', 'importing'];
  if (peers && peers.unavailable.forever === undefined) kinds.push('forever');
  if (peers && peers.unavailable.pm2 === undefined) kinds.push('pm2');
  const failed: Partial<Record<Kind, string>> = {};
  for (let run = 0; run < N.restartRuns; run++) {
    // Rotate the order from run to run, so that no kind always goes first.
    const order = kinds.map((_, i) => kinds[(i + run) % kinds.length] as Kind);
    for (const kind of order) {
      if (failed[kind] !== undefined) continue;
      const t0 = Date.now();
      try {
        if (kind === 'ours') samples.ours.push(...(await restartOurs(starts)));
        else if (kind === 'floor') samples.floor.push(...(await restartFloor(starts)));
        else if (kind === 'importing') samples.importing.push(...(await restartFloor(starts, 'import-worker.cjs')));
        else if (kind === 'forever' && peers) samples.forever.push(...(await restartForever(peers.modules, starts)));
        else if (kind === 'pm2' && peers) samples.pm2.push(...(await restartPm2(peers.modules, starts)));
      } catch (err) {
        // Ours and the floor must work; a peer that fails is reported and skipped.
        if (kind === 'ours' || kind === 'floor' || kind === 'importing') throw err;
        failed[kind] = err instanceof Error ? err.message : String(err);
        log(`${kind} restart run failed: ${failed[kind]}`);
      }
      log(`  ${kind}: run ${run + 1} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  rows.push(ratioRow('restart interval', 'ms', samples.ours, samples.floor, TARGET.restart));
  rows.push(
    ratioRow(
      'restart interval: plain parent, worker requires xdaemon (diagnostic)',
      'ms',
      samples.importing,
      samples.floor,
      null,
      "the worker's share of the restart-interval gap; the rest is the supervisor's",
    ),
  );
  if (peers) {
    for (const [kind, name] of [
      ['pm2', 'pm2'],
      ['forever', 'forever-monitor'],
    ] as const) {
      const why = kind === 'pm2' ? peers.unavailable.pm2 : peers.unavailable.forever;
      const error = why ?? failed[kind];
      if (error !== undefined) rows.push({ figure: `restart interval: ${name}`, unit: 'ms', kind: 'unavailable', target: '—', pass: null, note: error });
      else rows.push(ratioRow(`restart interval: ${name}`, 'ms', samples[kind], samples.floor, null));
    }
  }
}

async function benchLaunch(): Promise<number> {
  log(`launch: ${N.launch} launches and ${N.launch} empty scripts, interleaved ...`);
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < N.launch; i++) {
    const order = i % 2 === 0 ? ['floor', 'ours'] : ['ours', 'floor'];
    for (const kind of order) {
      if (kind === 'floor') {
        floor.push((await runNode([fixture('empty.cjs')])).ms);
      } else {
        const app = await launchApp();
        ours.push(app.ms);
        await stopAll('the supervisor and its worker', [app.supervisor, app.worker]);
      }
    }
  }
  rows.push(ratioRow('launch (spawn → launcher exit)', 'ms', ours, floor, TARGET.launch));
  return median(floor);
}

async function benchRss(peers: Peers | undefined, boot: number): Promise<void> {
  log(`RSS: ${N.rss} runs each${peers ? ' (peers too)' : ''}, ${SETTLE_MS} ms settle ...`);
  const ours: number[] = [];
  const floor: number[] = [];
  const forever: number[] = [];
  const pm2: number[] = [];
  const failed: { pm2?: string; forever?: string } = {};
  const mb = (kb: number): number => kb / 1024;
  for (let i = 0; i < N.rss; i++) {
    // xdaemon's supervisor, once its worker has started.
    const app = await launchApp();
    try {
      await sleep(SETTLE_MS);
      const kb = rssKb(app.supervisor);
      if (kb === undefined) throw new Error(`cannot read the RSS of supervisor ${app.supervisor}`);
      ours.push(mb(kb));
    } finally {
      await stopAll('the supervisor and its worker', [app.supervisor, app.worker]);
    }
    // A bare idle node: it starts when spawned and is up after about one empty-script run.
    const idle = startNode(['-e', 'setInterval(()=>{},1e9)']);
    try {
      await sleep(SETTLE_MS + boot);
      const kb = rssKb(idle.pid);
      if (kb === undefined) throw new Error(`cannot read the RSS of idle node ${idle.pid}`);
      floor.push(mb(kb));
    } finally {
      await stopAll('the idle node', [idle.pid]);
    }
    if (peers) {
      for (const kind of ['forever', 'pm2'] as const) {
        if (peers.unavailable[kind] !== undefined || failed[kind] !== undefined) continue;
        try {
          const kb = kind === 'forever' ? await rssForever(peers.modules) : await rssPm2(peers.modules);
          (kind === 'forever' ? forever : pm2).push(mb(kb));
        } catch (err) {
          failed[kind] = err instanceof Error ? err.message : String(err);
          log(`${kind} RSS run failed: ${failed[kind]}`);
        }
      }
    }
  }
  rows.push(ratioRow('supervisor RSS (worker running)', 'MB', ours, floor, TARGET.rss));
  if (peers) {
    for (const [kind, name, what] of [
      ['pm2', 'pm2', 'God daemon'],
      ['forever', 'forever-monitor', 'monitor process'],
    ] as const) {
      const error = peers.unavailable[kind] ?? failed[kind];
      const figure = `supervisor RSS: ${name} (${what})`;
      if (error !== undefined) rows.push({ figure, unit: 'MB', kind: 'unavailable', target: '—', pass: null, note: error });
      else rows.push(ratioRow(figure, 'MB', kind === 'pm2' ? pm2 : forever, floor, null));
    }
  }
}

async function benchImports(): Promise<void> {
  log(`import cost: ${N.imports} rounds of 6 scripts, interleaved ...`);
  const files = {
    emptyCjs: 'empty.cjs',
    cjs: 'import-cjs.cjs',
    emptyEsm: 'empty.mjs',
    esm: 'import-esm.mjs',
    inprocCjs: 'import-cjs-inproc.cjs',
    inprocEsm: 'import-esm-inproc.mjs',
  } as const;
  type Kind = keyof typeof files;
  const kinds = Object.keys(files) as Kind[];
  const samples = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
  for (let i = 0; i < N.imports; i++) {
    for (let j = 0; j < kinds.length; j++) {
      const kind = kinds[(i + j) % kinds.length] as Kind;
      const exit = await runNode([fixture(files[kind])]);
      if (kind === 'inprocCjs' || kind === 'inprocEsm') {
        const ms = Number(exit.out.trim());
        if (!Number.isFinite(ms)) throw new Error(`${files[kind]} printed ${JSON.stringify(exit.out)}`);
        samples[kind].push(ms);
      } else {
        samples[kind].push(exit.ms);
      }
    }
  }
  for (const [label, kind, empty] of [
    ['ESM', 'esm', 'emptyEsm'],
    ['CJS', 'cjs', 'emptyCjs'],
  ] as const) {
    const o = stats(samples[kind]);
    const f = stats(samples[empty]);
    const delta = o.median - f.median;
    const pairedDelta = median(samples[kind].map((v, i) => v - (samples[empty][i] as number)));
    rows.push({
      figure: `import cost, ${label} (over empty ${label === 'ESM' ? '.mjs' : '.cjs'})`,
      unit: 'ms',
      kind: 'delta',
      ours: o,
      floor: f,
      delta,
      pairedDelta,
      ratio: o.median / f.median,
      target: `≤ +${TARGET.importMs} ms`,
      pass: delta <= TARGET.importMs,
      samples: { ours: samples[kind], floor: samples[empty] },
    });
  }
  for (const [label, kind, how] of [
    ['ESM', 'inprocEsm', 'await import()'],
    ['CJS', 'inprocCjs', 'require()'],
  ] as const) {
    rows.push({
      figure: `import in-process, ${label} (${how})`,
      unit: 'ms',
      kind: 'info',
      ours: stats(samples[kind]),
      target: '—',
      pass: null,
      samples: { ours: samples[kind], floor: [] },
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Output

function fmt(value: number, unit: Row['unit']): string {
  return unit === 'MB' ? value.toFixed(1) : value.toFixed(2);
}

function cells(row: Row): string[] {
  const u = row.unit;
  const ours =
    row.kind === 'pending'
      ? 'pending (logs issue)'
      : row.kind === 'unavailable'
        ? 'unavailable'
        : row.kind === 'delta' && row.delta !== undefined
          ? `${row.delta >= 0 ? '+' : ''}${fmt(row.delta, u)} ${u}`
          : row.ours
            ? `${fmt(row.ours.median, u)} ${u}`
            : '—';
  const floor = row.floor ? `${fmt(row.floor.median, u)} ${u}` : '—';
  // Three decimals, four when the rounded ratio would hide a miss (1.1015 shown as 1.100 against ≤ 1.10).
  const ratio = row.ratio === undefined ? '—' : row.ratio.toFixed(row.pass === false && row.kind === 'ratio' && Number(row.ratio.toFixed(3)) <= Number(row.target.replace(/[^\d.]/g, '')) ? 4 : 3);
  const pass = row.pass === null ? (row.kind === 'pending' ? 'pending' : row.kind === 'unavailable' ? '—' : 'info') : row.pass ? 'PASS' : 'FAIL';
  const n = row.ours ? String(row.ours.n) + (row.floor ? ` / ${row.floor.n}` : '') : '—';
  const range = (s: Stats | undefined): string => (s ? `${fmt(s.min, u)}–${fmt(s.max, u)}` : '—');
  return [row.figure, ours, floor, ratio, row.target, pass, n, range(row.ours), range(row.floor)];
}

function table(): string {
  const head = ['figure', 'ours (median)', 'floor (median)', 'ratio', 'target', 'pass/fail', 'n (ours / floor)', 'ours min–max', 'floor min–max'];
  const body = rows.map(cells);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

function notes(): string[] {
  const out = [
    `ours/floor: restart interval = time between consecutive workers' top-of-script timestamps, ${N.restartRuns} run(s) of ${N.restarts} restarts each (floor: plain node parent re-spawning the same script without xdaemon;`,
    '  diagnostic: the same plain parent re-spawning the worker plus require(\'xdaemon\'), i.e. the worker\'s share of the gap);',
    'launch = spawn of `node app.cjs` (new Daemon(log).run()) until the launcher exits (floor: `node empty.cjs`);',
    'RSS = VmRSS of the supervisor with its worker running, 500 ms after the worker started (floor: `node -e "setInterval(()=>{},1e9)"` after 500 ms + boot);',
    'import cost = median spawn-to-exit of `import \'xdaemon\'` / `require(\'xdaemon\')` minus that of an empty script of the same kind; ratio = their quotient.',
  ];
  const paired = rows.filter((r) => r.kind === 'delta' && r.pairedDelta !== undefined);
  if (paired.length > 0) {
    const text = paired
      .map((r) => {
        const d = r.pairedDelta ?? 0;
        return `${r.figure.replace(/ \(.*/, '')} ${d >= 0 ? '+' : ''}${fmt(d, r.unit)} ms`;
      })
      .join('; ');
    out.push(`for context, the median of the per-round (back-to-back) differences: ${text}.`);
  }
  for (const row of rows) if (row.note !== undefined && row.kind === 'unavailable') out.push(`${row.figure}: unavailable — ${row.note}`);
  return out;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const began = Date.now();
  const loadBefore = loadavg();
  stagePackage();
  log(`node ${process.version}, ${cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}${QUICK ? ', --quick' : ''}`);
  const peers = PEERS ? await installPeers() : undefined;
  await warmUp();
  await benchRestart(peers);
  const boot = await benchLaunch();
  await benchRss(peers, boot);
  await benchImports();
  rows.push({ figure: 'log throughput', unit: 'ms', kind: 'pending', target: '—', pass: null, note: 'pending (logs issue)' });

  const strays = cleanupAll();
  const loadAfter = loadavg();
  const seconds = (Date.now() - began) / 1000;
  const judged = rows.filter((r) => r.pass !== null);
  const passed = judged.filter((r) => r.pass === true).length;

  process.stdout.write(`\nxdaemon benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}\n`);
  process.stdout.write(
    `load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} → ${loadAfter.map((l) => l.toFixed(2)).join(' ')}; ${seconds.toFixed(0)} s${QUICK ? '; --quick' : ''}\n\n`,
  );
  process.stdout.write(`${table()}\n\n`);
  for (const n of notes()) process.stdout.write(`  ${n}\n`);
  process.stdout.write(`\n${passed} of ${judged.length} targets met.${strays.length > 0 ? ` Stopped ${strays.length} leftover process(es): ${strays.join(', ')}.` : ''}\n`);

  writeFileSync(
    RESULTS,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        commit: gitCommit(),
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? null,
        loadavg: { before: loadBefore, after: loadAfter },
        quick: QUICK,
        peers: PEERS,
        sampleSizes: N,
        settleMs: SETTLE_MS,
        seconds,
        leftoverProcesses: strays,
        rows,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`Results: ${RESULTS}\n`);
}

let cleaning = false;
function cleanupAndRemove(): void {
  if (cleaning) return;
  cleaning = true;
  const strays = cleanupAll();
  if (strays.length > 0) process.stderr.write(`bench: stopped leftover process(es) ${strays.join(', ')}\n`);
  if (tempRoot !== '') rmSync(tempRoot, { recursive: true, force: true });
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    process.stderr.write(`bench: ${sig}, cleaning up\n`);
    cleanupAndRemove();
    process.exit(130);
  });
}

main()
  .then(() => {
    cleanupAndRemove();
  })
  .catch((err: unknown) => {
    process.stderr.write(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    cleanupAndRemove();
    process.exitCode = 1;
  });

/**
 * Figure 5, log throughput: a worker (fixtures/log-writer.cjs) writes N numbered 100-byte lines as
 * fast as it can; throughput = bytes / the time from its first line until its last is in the file,
 * measured inside the worker with a monotonic clock (where the worker writes into a pipe, piped and
 * pipe, it watches the file for its last line). Kinds, interleaved run by run, the order rotating:
 *   - raw (direct mode's floor): the worker opens the file itself and writes each line with fs.writeSync;
 *   - redirect (a second floor, for context): `process.stdout.write` with stdout on the file,
 *     given by a plain Node parent: Node's own stream cost, without xdaemon;
 *   - pipe (piped mode's floor): `process.stdout.write` into a pipe that a plain Node parent reads
 *     and appends to the file chunk by chunk: Node's own pipe cost, without lines or prefixes (the
 *     same hand-over to a second process as piped mode, which raw has not);
 *   - direct: the worker under `new Daemon(log, { maxCount: 1 }).run()`, its stdout the log file;
 *   - piped: the same with `timestamps`, `maxSize` and `maxFiles`: the supervisor reads a pipe,
 *     prefixes each line and rotates by rename;
 *   - pm2 (with --peers): the redirect worker under pm2 (fork mode), while this process rotates
 *     pm2's out log as pm2-logrotate does (copy to a backup, then truncate) every `maxSize` bytes.
 * Every run is checked: the numbers found in the log and its rotated files must be 0 … N-1, each
 * once; a run of ours that lost lines counts as lost lines (a failed check), not as a throughput.
 * During the xdaemon runs the supervisor's VmHWM and utime+stime are sampled every 100 ms.
 */
import { closeSync, createReadStream, createWriteStream, existsSync, fstatSync, openSync, readFileSync, readSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { clockTicks, isGone, procStat, signalOurs, sleep, statusField, waitFor, withTimeout } from '../../test/support/harness';
import { supervisorOf } from '../daemon-app';
import { type Peers, godPid, pm2Env } from '../peers';
import { type Figure, type Row, checkRow, deltaRow, infoRow, median, progress, ratioAtLeastRow, unavailableRow } from '../report';
import { fixture, runNode, startNode, tempDir } from '../stage';

/** Targets: throughput of ours / the raw floor. */
const TARGET_DIRECT = 0.95;
const TARGET_PIPED = 0.8;
/** Bound of the piped supervisor's peak RSS over the direct one's, MB (its queue is bounded at 1 MB). */
const RSS_BOUND_MB = 16;
/** Every line the worker writes is this long, newline included. */
const LINE_BYTES = 100;
const MB = 1024 * 1024;
/** How often the supervisor's /proc entries are sampled. */
const SAMPLE_MS = 100;

export interface LogSamples {
  /** Bytes each worker writes (a multiple of 100). */
  bytes: number;
  /** Runs of each kind. */
  runs: number;
  /** maxSize of the piped runs, and the size at which pm2's log is rotated. */
  maxSize: number;
  maxFiles: number;
}

type Kind = 'raw' | 'redirect' | 'pipe' | 'direct' | 'piped' | 'pm2';
/** The kinds that must always work: the floors and ours. */
const BASE_KINDS: readonly Kind[] = ['raw', 'redirect', 'pipe', 'direct', 'piped'];

/** What the worker recorded on its side file. */
interface Side {
  lines: number;
  bytes: number;
  ms: number;
  cpuMs: number;
  /** Time spent waiting for a CPU (Linux's schedstat), or null. */
  runQueueMs: number | null;
  /** Write system calls made meanwhile (Linux's /proc/self/io), or null. */
  writeCalls: number | null;
}

/** The supervisor over one run: its peak RSS, and its CPU between the first and the last sample. */
interface SupervisorReading {
  hwmMb: number;
  cpuS: number;
  /** Time it waited for a CPU meanwhile (Linux's schedstat), or null. */
  runQueueS: number | null;
  wallS: number;
}

/** What the log files held. */
interface Tally {
  /** Numbers 0 … N-1 found at least once. */
  distinct: number;
  /** Numbers found more than once (extra copies). */
  duplicates: number;
  /** Lines that are not the worker's (the supervisor's own lines; a torn or garbled line). */
  other: number;
  files: number;
}

/** One run of one kind. */
interface RunResult {
  mbps: number;
  lost: number;
  tally: Tally;
  side: Side;
  supervisor?: SupervisorReading;
  /** pm2: copy+truncate rotations done during the run. */
  rotations?: number;
  /** pipe: the CPU seconds of the plain parent that read the pipe, from its first chunk on. */
  readerCpuS?: number;
}

/** Clock ticks per second of utime/stime (the harness's, shared with the other figures). */
const CLK_TCK = clockTicks();

/** How long one run may take: 1 MB/s at worst, plus start-up. */
const runTimeout = (bytes: number): number => 60_000 + Math.ceil(bytes / MB) * 1000;

// ---------------------------------------------------------------------------------------------
// Checking the output

/**
 * Reads `files` and tallies the worker's lines: `<10 digits> ` + 88 'x' + '\n' at the end of each
 * line (after a time prefix, in piped mode). Streams in 4 MB chunks; a bitmap of N bytes.
 */
function tally(files: readonly string[], total: number): Tally {
  const seen = new Uint8Array(total);
  const buf = Buffer.allocUnsafe(4 * MB);
  const result: Tally = { distinct: 0, duplicates: 0, other: 0, files: 0 };
  const classify = (data: Buffer, start: number, nl: number): void => {
    const s = nl - (LINE_BYTES - 1);
    if (s < start || data[s + 10] !== 0x20 || data[s + 11] !== 0x78 || data[nl - 1] !== 0x78) {
      result.other++;
      return;
    }
    let n = 0;
    for (let i = s; i < s + 10; i++) {
      const d = (data[i] as number) - 0x30;
      if (d < 0 || d > 9) {
        result.other++;
        return;
      }
      n = n * 10 + d;
    }
    if (n >= total) result.other++;
    else if (seen[n] === 1) result.duplicates++;
    else {
      seen[n] = 1;
      result.distinct++;
    }
  };
  for (const file of files) {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch {
      continue;
    }
    result.files++;
    try {
      let carry = Buffer.alloc(0);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        const data = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
        let start = 0;
        for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
          classify(data, start, nl);
          start = nl + 1;
        }
        carry = Buffer.from(data.subarray(start));
      }
      if (carry.length > 0) result.other++; // a last line without its newline
    } finally {
      closeSync(fd);
    }
  }
  return result;
}

/** `log` and its rotated files `log.1` … `log.maxFiles` (those that exist). */
const rotatedSet = (log: string, maxFiles: number): string[] => [log, ...Array.from({ length: maxFiles }, (_, i) => `${log}.${i + 1}`)].filter((f) => existsSync(f));

/** The last `bytes` of a file, as text. */
function tail(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(bytes, size));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function readSide(file: string, what: string): Side {
  let side: Side;
  try {
    side = JSON.parse(readFileSync(file, 'utf8')) as Side;
  } catch (err) {
    throw new Error(`${what}: the worker left no record (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!(side.ms > 0)) throw new Error(`${what}: the worker recorded ${JSON.stringify(side)}`);
  return side;
}

/** The run's result from the worker's record and the files; `dir` is removed afterwards. */
function result(dir: string, side: Side, files: readonly string[], total: number): RunResult {
  const t = tally(files, total);
  rmSync(dir, { recursive: true, force: true });
  return { mbps: side.bytes / MB / (side.ms / 1000), lost: total - t.distinct, tally: t, side };
}

// ---------------------------------------------------------------------------------------------
// The runs

interface RunContext {
  lines: number;
  samples: LogSamples;
  peers: Peers | undefined;
}

const writerEnv = (c: RunContext, side: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  BENCH_LINES: String(c.lines),
  BENCH_SIDE: side,
  ...extra,
});

async function rawRun(c: RunContext): Promise<RunResult> {
  const dir = tempDir('log-raw');
  const out = join(dir, 'out.log');
  const side = join(dir, 'side.json');
  await runNode([fixture('log-writer.cjs')], writerEnv(c, side, { BENCH_MODE: 'raw', BENCH_OUT: out }), runTimeout(c.samples.bytes));
  return result(dir, readSide(side, 'raw'), [out], c.lines);
}

/** The worker under a plain Node parent: redirect-parent.cjs or pipe-parent.cjs. */
async function plainParentRun(c: RunContext, kind: 'redirect' | 'pipe'): Promise<RunResult> {
  const dir = tempDir(`log-${kind}`);
  const out = join(dir, 'out.log');
  const side = join(dir, 'side.json');
  // pipe: the clock stops once the parent has put the last line into the file.
  const wait = kind === 'pipe' ? { BENCH_WAIT_FILE: out } : {};
  const exit = await runNode([fixture(`${kind}-parent.cjs`), out, fixture('log-writer.cjs')], writerEnv(c, side, { BENCH_MODE: 'stdout', ...wait }), runTimeout(c.samples.bytes));
  const r = result(dir, readSide(side, kind), [out], c.lines);
  if (kind === 'pipe') r.readerCpuS = (JSON.parse(exit.stdout) as { cpuMs: number }).cpuMs / 1000;
  return r;
}

/** Nanoseconds on a CPU and waiting for one, from /proc/PID/schedstat (Linux), or undefined. */
function schedstat(pid: number): { run: number; wait: number } | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return run === undefined || wait === undefined || !Number.isFinite(wait) ? undefined : { run, wait };
  } catch {
    return undefined;
  }
}

/** Samples the supervisor every {@link SAMPLE_MS} until it is gone; the last readings win. */
async function watchSupervisor(pid: number, timeout: number): Promise<SupervisorReading> {
  const deadline = Date.now() + timeout;
  type Sample = { cpu: number; at: number; hwm: number; wait: number | undefined };
  let first: Sample | undefined;
  let last: Sample | undefined;
  for (;;) {
    const hwm = statusField(pid, 'VmHWM');
    const stat = procStat(pid);
    const sched = schedstat(pid);
    const at = performance.now();
    if (hwm === undefined || stat === undefined || isGone(pid)) break;
    const cpu = (stat.utime + stat.stime) / CLK_TCK;
    last = { cpu, at, hwm, wait: sched?.wait };
    first ??= last;
    if (Date.now() > deadline) {
      signalOurs(pid, 'SIGKILL');
      throw new Error(`the supervisor ${pid} was still running after ${timeout} ms`);
    }
    await sleep(SAMPLE_MS);
  }
  if (first === undefined || last === undefined) throw new Error(`the supervisor ${pid} was gone before its first reading`);
  const runQueueS = first.wait === undefined || last.wait === undefined ? null : (last.wait - first.wait) / 1e9;
  return { hwmMb: last.hwm / 1024, cpuS: last.cpu - first.cpu, runQueueS, wallS: (last.at - first.at) / 1000 };
}

async function daemonRun(c: RunContext, mode: 'direct' | 'piped'): Promise<RunResult> {
  const dir = tempDir(`log-${mode}`);
  const log = join(dir, 'daemon.log');
  const side = join(dir, 'side.json');
  const launcher = await runNode(
    [fixture('log-writer.cjs')],
    writerEnv(c, side, {
      BENCH_DAEMON: mode,
      BENCH_MODE: 'stdout',
      BENCH_LOG: log,
      BENCH_MAX_SIZE: String(c.samples.maxSize),
      BENCH_MAX_FILES: String(c.samples.maxFiles),
      // Piped: the clock stops once the supervisor has put the last line into the log.
      ...(mode === 'piped' ? { BENCH_WAIT_FILE: log } : {}),
    }),
  );
  const supervisor = await watchSupervisor(supervisorOf(launcher, log), runTimeout(c.samples.bytes));
  const ended = tail(log, 2000);
  if (!/supervisor exiting with code 0/.test(ended)) throw new Error(`${mode}: the supervisor did not end cleanly: ${ended}`);
  const files = mode === 'piped' ? rotatedSet(log, c.samples.maxFiles) : [log];
  return { ...result(dir, readSide(side, mode), files, c.lines), supervisor };
}

/** pm2-logrotate's rotation: stream a copy of `file` to `backup`, then truncate `file`. */
async function copyTruncate(file: string, backup: string): Promise<void> {
  await pipeline(createReadStream(file), createWriteStream(backup, { flags: 'w+' }));
  truncateSync(file, 0);
}

async function pm2Run(c: RunContext): Promise<RunResult> {
  const dir = tempDir('log-pm2');
  const out = join(dir, 'pm2-out.log');
  const side = join(dir, 'side.json');
  const proc = startNode(
    [fixture('pm2-peer.cjs')],
    pm2Env((c.peers as Peers).modules, dir, {
      BENCH_MODE: 'log',
      BENCH_SCRIPT: fixture('log-writer.cjs'),
      BENCH_LINES: String(c.lines),
      BENCH_SIDE: side,
      BENCH_PM2_OUT: out,
      BENCH_PM2_ERR: join(dir, 'pm2-err.log'),
      BENCH_DEADLINE_MS: String(runTimeout(c.samples.bytes)),
    }),
  );
  const backups: string[] = [];
  let running = true;
  let rotationError: unknown;
  const rotating = (async (): Promise<void> => {
    while (running && rotationError === undefined) {
      let size = 0;
      try {
        size = statSync(out).size;
      } catch {
        // not created yet
      }
      if (size >= c.samples.maxSize) {
        const backup = `${out}.${backups.length + 1}`;
        backups.push(backup);
        await copyTruncate(out, backup).catch((err: unknown) => (rotationError = err));
      }
      await sleep(10);
    }
  })();
  try {
    const exit = await withTimeout(proc.done, runTimeout(c.samples.bytes), 'the pm2 log run');
    if (exit.code !== 0) throw new Error(`pm2 run failed: ${exit.stderr.trim()}`);
  } finally {
    running = false;
    await rotating;
    const god = godPid(proc.stdout);
    if (god !== undefined) await waitFor('the pm2 daemon to exit', () => isGone(god), 10_000).catch(() => signalOurs(god, 'SIGKILL'));
  }
  if (rotationError !== undefined) throw new Error(`the copy+truncate rotation failed: ${rotationError instanceof Error ? rotationError.message : String(rotationError)}`);
  return { ...result(dir, readSide(side, 'pm2'), [...backups, out], c.lines), rotations: backups.length };
}

function logRun(kind: Kind, c: RunContext): Promise<RunResult> {
  switch (kind) {
    case 'raw':
      return rawRun(c);
    case 'redirect':
    case 'pipe':
      return plainParentRun(c, kind);
    case 'direct':
    case 'piped':
      return daemonRun(c, kind);
    case 'pm2':
      return pm2Run(c);
  }
}

// ---------------------------------------------------------------------------------------------
// The figure

const fmtS = (values: readonly number[]): string => (values.length === 0 ? '—' : `${median(values).toFixed(2)} s`);

export async function logThroughput(n: LogSamples, peers: Peers | undefined): Promise<Figure> {
  const lines = Math.floor(n.bytes / LINE_BYTES);
  const c: RunContext = { lines, samples: n, peers };
  const kinds: Kind[] = [...BASE_KINDS];
  if (peers && peers.unavailable.pm2 === undefined) kinds.push('pm2');
  progress(`log throughput: ${n.runs} run(s) each of ${kinds.join(', ')}, ${lines} lines (${(n.bytes / MB).toFixed(0)} MB) per run ...`);
  const runs: Record<Kind, RunResult[]> = { raw: [], redirect: [], pipe: [], direct: [], piped: [], pm2: [] };
  let pm2Failed: string | undefined;
  for (let run = 0; run < n.runs; run++) {
    const order = kinds.map((_, i) => kinds[(i + run) % kinds.length] as Kind);
    for (const kind of order) {
      if (kind === 'pm2' && pm2Failed !== undefined) continue;
      try {
        const r = await logRun(kind, c);
        runs[kind].push(r);
        const sup = r.supervisor ? `; supervisor peak RSS ${r.supervisor.hwmMb.toFixed(1)} MB, CPU ${r.supervisor.cpuS.toFixed(2)} s of ${r.supervisor.wallS.toFixed(2)} s` : '';
        const rot = r.rotations === undefined ? '' : `; ${r.rotations} copy+truncate rotations`;
        progress(`  ${kind}: run ${run + 1}: ${r.mbps.toFixed(1)} MB/s (${(r.side.ms / 1000).toFixed(2)} s, worker CPU ${(r.side.cpuMs / 1000).toFixed(2)} s), ${r.lost} lines lost in ${r.tally.files} file(s)${sup}${rot}`);
        // The floors must be whole: a broken floor makes every ratio meaningless.
        if ((kind === 'raw' || kind === 'redirect' || kind === 'pipe') && (r.lost > 0 || r.tally.duplicates > 0)) {
          throw new Error(`log throughput: the ${kind} floor lost ${r.lost} and duplicated ${r.tally.duplicates} of ${lines} lines`);
        }
      } catch (err) {
        if (kind !== 'pm2') throw err;
        pm2Failed = err instanceof Error ? err.message : String(err);
        progress(`pm2 log run failed: ${pm2Failed}`);
      }
    }
  }

  const whole = (rs: readonly RunResult[]): RunResult[] => rs.filter((r) => r.lost === 0 && r.tally.duplicates === 0);
  const mbps = (rs: readonly RunResult[]): number[] => whole(rs).map((r) => r.mbps);
  /**
   * `kind`'s throughput against `floor`'s (the raw floor unless said), over the runs that kept every
   * line. A run that lost or doubled lines makes a target missed: it is never left out of the count.
   */
  const throughput = (figure: string, kind: Kind, target: number | null, floor: Kind = 'raw'): Row => {
    const row =
      mbps(runs[kind]).length === 0
        ? unavailableRow(figure, 'MB/s', `no run of ${kind} kept every line`)
        : ratioAtLeastRow(figure, 'MB/s', mbps(runs[kind]), mbps(runs[floor]), target);
    const lossy = runs[kind].length - whole(runs[kind]).length;
    if (target === null || lossy === 0) return row;
    return { ...row, target: `≥ ${target.toFixed(2)}`, pass: false, note: `${lossy} of ${runs[kind].length} run(s) lost or doubled lines` };
  };

  const ours = [...runs.direct, ...runs.piped];
  const lost = ours.map((r) => r.lost + r.tally.duplicates);
  const piped = runs.piped.map((r) => r.supervisor as SupervisorReading);
  const direct = runs.direct.map((r) => r.supervisor as SupervisorReading);
  const rows: Row[] = [
    throughput('log throughput: direct mode (stdout is the log file)', 'direct', TARGET_DIRECT),
    // Piped mode's fair floor is the same shape without xdaemon: a worker writing into a pipe that a
    // second process (on another core) reads into the file; raw's one writeSync per line in one
    // process does no such hand-over, and is shown beside it.
    throughput(`log throughput: piped, timestamps + rotation (maxSize ${(n.maxSize / MB).toFixed(0)} MB), over the plain parent reading the pipe`, 'piped', TARGET_PIPED, 'pipe'),
    throughput('log throughput: piped mode over the raw floor (one writeSync per line, one process)', 'piped', null),
    throughput("log throughput: plain parent, stdout on the file (Node's stream cost)", 'redirect', null),
    throughput("log throughput: plain parent reading stdout's pipe into the file (Node's pipe cost)", 'pipe', null),
    throughput('log throughput: direct mode over the plain parent with stdout on the file (diagnostic)', 'direct', null, 'redirect'),
    checkRow(
      `log: lines lost or doubled, xdaemon direct + piped (${ours.length} runs)`,
      'lines',
      lost,
      '= 0 each',
      lost.every((l) => l === 0),
    ),
    deltaRow('supervisor peak RSS (VmHWM), piped run, over the direct run', 'MB', piped.map((s) => s.hwmMb), direct.map((s) => s.hwmMb), RSS_BOUND_MB),
    infoRow('supervisor CPU (utime+stime), piped run', 's', piped.map((s) => s.cpuS)),
    infoRow("supervisor CPU, piped run, share of the run's wall time", '%', piped.map((s) => (100 * s.cpuS) / s.wallS)),
    ...(peers ? pm2Rows(peers, runs.pm2, mbps(runs.raw), pm2Failed, lines) : []),
  ];
  const pm2Note =
    runs.pm2.length === 0
      ? []
      : [
          `  pm2: its out log copied to a backup and truncated (as pm2-logrotate does) each time it reached ${(n.maxSize / MB).toFixed(0)} MB; per run: ${runs.pm2
            .map((r) => `${r.lost} of ${lines} lines lost over ${r.rotations ?? 0} rotations${r.tally.duplicates > 0 ? ` (${r.tally.duplicates} doubled)` : ''}`)
            .join('; ')};`,
        ];

  const each = (f: (kind: Kind) => string): string => BASE_KINDS.map((k) => `${k} ${f(k)}`).join(', ');
  const cpu = (kind: Kind): string => fmtS(runs[kind].map((r) => r.side.cpuMs / 1000));
  const wall = (kind: Kind): string => fmtS(runs[kind].map((r) => r.side.ms / 1000));
  const waited = (kind: Kind): string => fmtS(runs[kind].flatMap((r) => (r.side.runQueueMs === null ? [] : [r.side.runQueueMs / 1000])));
  const calls = (kind: Kind): string => {
    const n = runs[kind].flatMap((r) => (r.side.writeCalls === null ? [] : [r.side.writeCalls]));
    return n.length === 0 ? '—' : `${Math.round(median(n) / 1000)}k`;
  };
  const supWait = (rs: readonly SupervisorReading[]): string => fmtS(rs.flatMap((r) => (r.runQueueS === null ? [] : [r.runQueueS])));
  return {
    rows,
    notes: [
      `log throughput = ${lines} lines of ${LINE_BYTES} bytes / the time from the worker's first line until its last is in the file (monotonic, inside the worker; piped and pipe: it watches the file for its last line), ${n.runs} run(s) of each kind, interleaved;`,
      '  floors: direct mode against the same worker opening the file itself (fs.writeSync per line); piped mode against the plain parent reading the pipe into the file; ratio = ours / floor (higher is better); every run checked: each number 0 … N-1 once in the log and its rotated files;',
      `  where the worker's time goes (medians): wall ${each(wall)};`,
      `    of which on a CPU ${each(cpu)}; waiting for a CPU (run queue, other processes) ${each(waited)};`,
      `    its write system calls for the ${lines} lines: ${each(calls)} (Node gathers lines queued behind a full non-blocking pipe into one writev);`,
      `  supervisor (first to last 100 ms sample): CPU (utime+stime) piped ${fmtS(piped.map((s) => s.cpuS))}, direct ${fmtS(direct.map((s) => s.cpuS))}; waiting for a CPU piped ${supWait(piped)};`,
      `    the plain parent reading the pipe (pipe): CPU ${fmtS(runs.pipe.flatMap((r) => (r.readerCpuS === undefined ? [] : [r.readerCpuS])))}; peak RSS = VmHWM at the last sample before the supervisor exited;`,
      `  RSS bound: the direct-mode supervisor's peak in the same rounds + ${RSS_BOUND_MB} MB (the piped writer's queue is bounded at 1 MB; beyond it the pipes are paused);`,
      ...pm2Note,
    ],
    details: {
      logThroughput: {
        lines,
        lineBytes: LINE_BYTES,
        ...n,
        runs: Object.fromEntries(
          Object.entries(runs)
            .filter(([, rs]) => rs.length > 0)
            .map(([kind, rs]) => [
              kind,
              rs.map((r) => ({ mbps: r.mbps, lost: r.lost, ...r.tally, worker: r.side, supervisor: r.supervisor, readerCpuS: r.readerCpuS, rotations: r.rotations })),
            ]),
        ),
      },
    },
  };
}

/** pm2's rows: its throughput against the same floor, and the lines its rotation lost. */
function pm2Rows(peers: Peers, runs: readonly RunResult[], raw: number[], failed: string | undefined, lines: number): Row[] {
  const error = peers.unavailable.pm2 ?? failed;
  const throughputFigure = 'log throughput: pm2 (fork mode, copy+truncate rotation)';
  const lostFigure = 'log: lines lost during copy+truncate rotation, pm2';
  if (error !== undefined || runs.length === 0) {
    const why = error ?? 'no run';
    return [unavailableRow(throughputFigure, 'MB/s', why), unavailableRow(lostFigure, 'lines', why)];
  }
  const rotations = runs.map((r) => r.rotations ?? 0);
  return [
    ratioAtLeastRow(throughputFigure, 'MB/s', runs.map((r) => r.mbps), raw, null),
    infoRow(lostFigure, 'lines', runs.map((r) => r.lost), `of ${lines} per run, over ${rotations.join('/')} rotations`),
  ];
}

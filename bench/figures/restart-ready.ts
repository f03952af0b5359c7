/**
 * Figure 6, restart to ready: the time from `restart(pidFile)` (the library's control function,
 * called in this process from the staged package) until its promise resolves, which, with
 * `waitReady` set, is once the new worker has called `ready()`: the old worker's tree stopped, a
 * new one started, its Node start-up, its `require('xdaemon')` and `run()`, and its `ready()`. The
 * floor is one bare `node empty.cjs` start (spawn to exit), interleaved round by round. No target
 * was set: the ratio is shown for information. Each restart is split in two by the new worker's
 * start time that `status()` reports: stopping the old worker, and starting the new one until ready.
 */
import { join } from 'node:path';
import { isGone } from '../../test/support/harness';
import { supervisorOf } from '../daemon-app';
import { type Figure, median, progress, ratioRow } from '../report';
import { type XDaemonModule, fixture, runNode, stagedLibrary, tempDir } from '../stage';

type Kind = 'restart' | 'bare';
const KINDS: readonly Kind[] = ['restart', 'bare'];

interface Phases {
  /** restart() called → the new worker spawned (the supervisor's clock, ms resolution). */
  stopMs: number;
  /** The new worker spawned → restart() resolved. */
  startMs: number;
}

/** One restart: its time, and its two phases. */
async function restartOnce(lib: XDaemonModule, pidFile: string, previous: number): Promise<{ ms: number; phases: Phases | undefined; workerPid: number }> {
  const wall0 = Date.now();
  const t0 = performance.now();
  const { workerPid } = await lib.restart(pidFile, { timeout: 30_000 });
  const ms = performance.now() - t0;
  const wall1 = wall0 + ms;
  if (workerPid === previous) throw new Error(`restart(${pidFile}) named the old worker ${previous}`);
  const status = await lib.status(pidFile);
  if (status.state !== 'running' || status.workerPid !== workerPid || status.ready !== true) {
    throw new Error(`after restart(): ${JSON.stringify({ state: status.state, workerPid: status.workerPid, ready: status.ready })}, expected worker ${workerPid} running and ready`);
  }
  const spawned = status.workerStartedAt === undefined ? NaN : Date.parse(status.workerStartedAt);
  const phases = Number.isFinite(spawned) ? { stopMs: spawned - wall0, startMs: wall1 - spawned } : undefined;
  return { ms, phases, workerPid };
}

export async function restartReady(rounds: number): Promise<Figure> {
  progress(`restart to ready: ${rounds} rounds of a restart() and a bare node start, interleaved ...`);
  const dir = tempDir('restart-ready');
  const pidFile = join(dir, 'app.pid');
  const log = join(dir, 'daemon.log');
  const launcher = await runNode([fixture('ready-app.cjs')], { BENCH_LOG: log, BENCH_PID_FILE: pidFile });
  const supervisor = supervisorOf(launcher, log);
  const lib = stagedLibrary();
  const samples: Record<Kind, number[]> = { restart: [], bare: [] };
  const phases: Phases[] = [];
  try {
    // Loads the control bundle into this process and checks the daemon, before anything is timed.
    const first = await lib.status(pidFile);
    if (first.state !== 'running' || first.workerPid === undefined) throw new Error(`the daemon is not running: ${JSON.stringify(first)}`);
    let worker = first.workerPid;
    for (let i = 0; i < rounds; i++) {
      for (let j = 0; j < KINDS.length; j++) {
        const kind = KINDS[(i + j) % KINDS.length] as Kind;
        if (kind === 'bare') {
          samples.bare.push((await runNode([fixture('empty.cjs')])).ms);
          continue;
        }
        const r = await restartOnce(lib, pidFile, worker);
        samples.restart.push(r.ms);
        if (r.phases) phases.push(r.phases);
        worker = r.workerPid;
      }
    }
  } finally {
    await lib.stop(pidFile, { timeout: 15_000 });
  }
  if (!isGone(supervisor)) throw new Error(`stop(${pidFile}) resolved but the supervisor ${supervisor} is alive`);
  const phase = (f: (p: Phases) => number): string => (phases.length === 0 ? '—' : `${median(phases.map(f)).toFixed(1)} ms`);
  return {
    rows: [ratioRow('restart to ready: restart(pidFile) → new worker ready()', 'ms', samples.restart, samples.bare, null)],
    notes: [
      `restart to ready = restart(pidFile) called in this process until it resolves (waitReady: the new worker called ready()), ${rounds} restarts of one daemon; ratio to one bare node start-up (\`node empty.cjs\`, spawn to exit), interleaved, no target;`,
      `  by the new worker's start time (status().workerStartedAt, ms): stopping the old worker ${phase((p) => p.stopMs)}, starting the new one until ready ${phase((p) => p.startMs)} (medians);`,
    ],
  };
}

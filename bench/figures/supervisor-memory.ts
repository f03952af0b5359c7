/**
 * Figure 3, supervisor memory: what xdaemon's supervisor holds once its worker runs, against an idle
 * bare `node` of about the same age (the floor), interleaved, read at the same moment two ways:
 *   - RSS (VmRSS): everything resident, including the node binary's pages that the worker shares;
 *   - USS (private pages, /proc/PID/smaps_rollup): what the supervisor costs beyond those.
 * With --peers, pm2's God daemon and forever-monitor's monitoring process, each with an idle
 * worker, in the same rounds.
 */
import { type Proc, rssKb, sleep, stopAndWait, ussKb, waitLine } from '../../test/support/harness';
import { launchApp, stopApp } from '../daemon-app';
import { type Peers, godPid, pm2Env } from '../peers';
import { type Figure, type Row, progress, ratioRow, unavailableRow } from '../report';
import { fixture, startNode, tempDir } from '../stage';

/** Target: ours / floor, for RSS. USS has none yet: it is shown for information. */
const TARGET_RSS = 1.1;
/** Milliseconds a process is left to settle before its memory is read. */
export const SETTLE_MS = 500;

type PeerKind = 'pm2' | 'forever';

/** One reading of a process's memory, in MB. */
export interface Memory {
  rss: number;
  uss: number;
}

/** Samples of each measure, in MB. */
export interface MemorySamples {
  rss: number[];
  uss: number[];
}

export const noSamples = (): MemorySamples => ({ rss: [], uss: [] });

export function add(samples: MemorySamples, reading: Memory): void {
  samples.rss.push(reading.rss);
  samples.uss.push(reading.uss);
}

/** RSS and USS of `pid`, read back to back; throws when either cannot be read. */
export function readMemory(pid: number, what: string): Memory {
  const rss = rssKb(pid);
  const uss = ussKb(pid);
  if (rss === undefined || uss === undefined) throw new Error(`cannot read the memory of ${what} ${pid}`);
  return { rss: rss / 1024, uss: uss / 1024 };
}

/** xdaemon's supervisor, SETTLE_MS after its worker started. */
async function supervisorMemoryOnce(): Promise<Memory> {
  const app = await launchApp();
  try {
    await sleep(SETTLE_MS);
    return readMemory(app.supervisor, 'supervisor');
  } finally {
    await stopApp(app);
  }
}

/**
 * A bare idle node, read SETTLE_MS plus one Node start-up (`bootMs`) after its spawn: the
 * supervisor is read SETTLE_MS after its worker started, one start-up after its own.
 */
export async function idleNodeMemory(bootMs: number): Promise<Memory> {
  const idle = startNode([fixture('idle-worker.cjs')]);
  try {
    await sleep(SETTLE_MS + bootMs);
    return readMemory(idle.pid, 'idle node');
  } finally {
    await stopAndWait([idle.pid]);
  }
}

/** Memory of forever-monitor's monitoring process with an idle worker. */
async function foreverMemory(modules: string): Promise<Memory> {
  const proc = startNode([fixture('forever-peer.cjs')], { BENCH_PEER_MODULES: modules, BENCH_MODE: 'rss', BENCH_SCRIPT: fixture('idle-worker.cjs') });
  let worker: number | undefined;
  try {
    worker = (JSON.parse(await waitLine(proc, 'READY', 15_000)) as { worker: number }).worker;
    await sleep(SETTLE_MS);
    return readMemory(proc.pid, 'forever-monitor');
  } finally {
    await stopAndWait(worker === undefined ? [proc.pid] : [proc.pid, worker]);
  }
}

/** Memory of pm2's God daemon with an idle worker. */
async function pm2Memory(modules: string): Promise<Memory> {
  const proc: Proc = startNode([fixture('pm2-peer.cjs')], pm2Env(modules, tempDir('rss-pm2'), { BENCH_MODE: 'rss', BENCH_SCRIPT: fixture('idle-worker.cjs') }));
  const pids = [proc.pid];
  try {
    const ready = JSON.parse(await waitLine(proc, 'READY', 30_000)) as { god: number; worker: number };
    pids.push(ready.god, ready.worker);
    await sleep(SETTLE_MS);
    return readMemory(ready.god, 'the pm2 daemon');
  } finally {
    const god = godPid(proc.stdout);
    if (god !== undefined && !pids.includes(god)) pids.push(god);
    await stopAndWait(pids, 20_000);
  }
}

/** The peers' rows: each measure against the same floor, or why they are missing. */
function peerRows(peers: Peers, samples: Record<PeerKind, MemorySamples>, floor: MemorySamples, failed: Partial<Record<PeerKind, string>>): Row[] {
  const rows: Row[] = [];
  for (const measure of ['rss', 'uss'] as const) {
    for (const [kind, name, what] of [
      ['pm2', 'pm2', 'God daemon'],
      ['forever', 'forever-monitor', 'monitor process'],
    ] as const) {
      const error = peers.unavailable[kind] ?? failed[kind];
      const figure = `supervisor ${measure.toUpperCase()}: ${name} (${what})`;
      rows.push(error !== undefined ? unavailableRow(figure, 'MB', error) : ratioRow(figure, 'MB', samples[kind][measure], floor[measure], null));
    }
  }
  return rows;
}

export async function supervisorMemory(rounds: number, bootMs: number, peers: Peers | undefined): Promise<Figure> {
  progress(`memory: ${rounds} runs each${peers ? ' (peers too)' : ''}, ${SETTLE_MS} ms settle ...`);
  const ours = noSamples();
  const floor = noSamples();
  const peerSamples: Record<PeerKind, MemorySamples> = { pm2: noSamples(), forever: noSamples() };
  const failed: Partial<Record<PeerKind, string>> = {};
  for (let i = 0; i < rounds; i++) {
    // Interleaved, the order alternating from round to round (as the control figure does).
    if (i % 2 === 0) add(ours, await supervisorMemoryOnce());
    add(floor, await idleNodeMemory(bootMs));
    if (i % 2 === 1) add(ours, await supervisorMemoryOnce());
    for (const kind of ['forever', 'pm2'] as const) {
      if (!peers || peers.unavailable[kind] !== undefined || failed[kind] !== undefined) continue;
      try {
        add(peerSamples[kind], kind === 'forever' ? await foreverMemory(peers.modules) : await pm2Memory(peers.modules));
      } catch (err) {
        failed[kind] = err instanceof Error ? err.message : String(err);
        progress(`${kind} memory run failed: ${failed[kind]}`);
      }
    }
  }
  return {
    rows: [
      ratioRow('supervisor RSS (worker running)', 'MB', ours.rss, floor.rss, TARGET_RSS),
      ratioRow('supervisor USS, private pages (worker running)', 'MB', ours.uss, floor.uss, null),
      ...(peers ? peerRows(peers, peerSamples, floor, failed) : []),
    ],
    notes: [
      `RSS = VmRSS of the supervisor with its worker running, ${SETTLE_MS} ms after the worker started (floor: \`node idle-worker.cjs\` after ${SETTLE_MS} ms + boot);`,
      '  USS = Private_Clean + Private_Dirty (+ Private_Hugetlb) of /proc/PID/smaps_rollup, read with the RSS from the same two processes;',
    ],
  };
}

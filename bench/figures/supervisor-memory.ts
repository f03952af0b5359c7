/**
 * Figure 3, supervisor memory: the RSS of xdaemon's supervisor once its worker runs, against an
 * idle bare `node` of about the same age (the floor), interleaved. With --peers, pm2's God daemon
 * and forever-monitor's monitoring process, each with an idle worker, in the same rounds.
 */
import { type Proc, rssKb, sleep, stopAndWait, waitLine } from '../../test/support/harness';
import { launchApp, stopApp } from '../daemon-app';
import { type Peers, godPid, pm2Env } from '../peers';
import { type Figure, type Row, progress, ratioRow, unavailableRow } from '../report';
import { fixture, startNode, tempDir } from '../stage';

/** Target: ours / floor. */
const TARGET = 1.1;
/** Milliseconds a process is left to settle before its memory is read. */
export const SETTLE_MS = 500;

type PeerKind = 'pm2' | 'forever';

const mb = (kb: number): number => kb / 1024;

/** RSS (kB) of `pid`; throws when it cannot be read. */
function readRss(pid: number, what: string): number {
  const kb = rssKb(pid);
  if (kb === undefined) throw new Error(`cannot read the RSS of ${what} ${pid}`);
  return kb;
}

/** xdaemon's supervisor, SETTLE_MS after its worker started. */
async function supervisorRss(): Promise<number> {
  const app = await launchApp();
  try {
    await sleep(SETTLE_MS);
    return readRss(app.supervisor, 'supervisor');
  } finally {
    await stopApp(app);
  }
}

/**
 * A bare idle node, read SETTLE_MS plus one Node start-up (`bootMs`) after its spawn: the
 * supervisor is read SETTLE_MS after its worker started, one start-up after its own.
 */
async function idleNodeRss(bootMs: number): Promise<number> {
  const idle = startNode(['-e', 'setInterval(()=>{},1e9)']);
  try {
    await sleep(SETTLE_MS + bootMs);
    return readRss(idle.pid, 'idle node');
  } finally {
    await stopAndWait([idle.pid]);
  }
}

/** RSS (kB) of forever-monitor's monitoring process with an idle worker. */
async function foreverRss(modules: string): Promise<number> {
  const proc = startNode([fixture('forever-peer.cjs')], { BENCH_PEER_MODULES: modules, BENCH_MODE: 'rss', BENCH_SCRIPT: fixture('idle-worker.cjs') });
  let worker: number | undefined;
  try {
    worker = (JSON.parse(await waitLine(proc, 'READY', 15_000)) as { worker: number }).worker;
    await sleep(SETTLE_MS);
    return readRss(proc.pid, 'forever-monitor');
  } finally {
    await stopAndWait(worker === undefined ? [proc.pid] : [proc.pid, worker]);
  }
}

/** RSS (kB) of pm2's God daemon with an idle worker. */
async function pm2Rss(modules: string): Promise<number> {
  const proc: Proc = startNode([fixture('pm2-peer.cjs')], pm2Env(modules, tempDir('rss-pm2'), { BENCH_MODE: 'rss', BENCH_SCRIPT: fixture('idle-worker.cjs') }));
  const pids = [proc.pid];
  try {
    const ready = JSON.parse(await waitLine(proc, 'READY', 30_000)) as { god: number; worker: number };
    pids.push(ready.god, ready.worker);
    await sleep(SETTLE_MS);
    return readRss(ready.god, 'the pm2 daemon');
  } finally {
    const god = godPid(proc.stdout);
    if (god !== undefined && !pids.includes(god)) pids.push(god);
    await stopAndWait(pids, 20_000);
  }
}

/** The peers' rows: their RSS against the same floor, or why they are missing. */
function peerRows(peers: Peers, samples: Record<PeerKind, number[]>, floor: number[], failed: Partial<Record<PeerKind, string>>): Row[] {
  return (
    [
      ['pm2', 'pm2', 'God daemon'],
      ['forever', 'forever-monitor', 'monitor process'],
    ] as const
  ).map(([kind, name, what]) => {
    const error = peers.unavailable[kind] ?? failed[kind];
    const figure = `supervisor RSS: ${name} (${what})`;
    return error !== undefined ? unavailableRow(figure, 'MB', error) : ratioRow(figure, 'MB', samples[kind], floor, null);
  });
}

export async function supervisorMemory(rounds: number, bootMs: number, peers: Peers | undefined): Promise<Figure> {
  progress(`RSS: ${rounds} runs each${peers ? ' (peers too)' : ''}, ${SETTLE_MS} ms settle ...`);
  const ours: number[] = [];
  const floor: number[] = [];
  const peerSamples: Record<PeerKind, number[]> = { pm2: [], forever: [] };
  const failed: Partial<Record<PeerKind, string>> = {};
  for (let i = 0; i < rounds; i++) {
    ours.push(mb(await supervisorRss()));
    floor.push(mb(await idleNodeRss(bootMs)));
    for (const kind of ['forever', 'pm2'] as const) {
      if (!peers || peers.unavailable[kind] !== undefined || failed[kind] !== undefined) continue;
      try {
        peerSamples[kind].push(mb(kind === 'forever' ? await foreverRss(peers.modules) : await pm2Rss(peers.modules)));
      } catch (err) {
        failed[kind] = err instanceof Error ? err.message : String(err);
        progress(`${kind} RSS run failed: ${failed[kind]}`);
      }
    }
  }
  return {
    rows: [ratioRow('supervisor RSS (worker running)', 'MB', ours, floor, TARGET), ...(peers ? peerRows(peers, peerSamples, floor, failed) : [])],
    notes: [
      `RSS = VmRSS of the supervisor with its worker running, ${SETTLE_MS} ms after the worker started (floor: \`node -e "setInterval(()=>{},1e9)"\` after ${SETTLE_MS} ms + boot);`,
    ],
  };
}

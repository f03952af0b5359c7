/**
 * Figure 14, the cost of supervising a fleet: N idle Node apps from one file (N = 10, 50, 100),
 * started by `xdaemon start FILE` (one host runs them all) and, with --peers, by `pm2 start FILE`
 * (pm2's God daemon, fork mode), also with `pmx: false` on every app; interleaved, each from
 * nothing (no host, no God). For each: the time from the command's spawn until every app's worker
 * runs (its pid in the app's state file, in pm2's pid file), then, settled, the supervision's RSS
 * and USS (ours: the host and its group guard; pm2's: the God daemon), and its idle CPU over a
 * window (clock ticks of those processes). What one hosted daemon costs is the growth from 10 to
 * 100 apps, per app.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childPids, procStat, rssKb, sleep, stopAndWait, ussKb } from '../../test/support/harness';
import { type Peers, pm2Env } from '../peers';
import { type Figure, type Row, infoRow, progress, ratioRow, unavailableRow } from '../report';
import { fixture, packageFile, runNode, tempDir } from '../stage';

/** The fleet sizes. */
const SIZES = [10, 50, 100] as const;
/** Target: ours / pm2's, for every measure. */
const TARGET = 1;
/** Milliseconds the supervision is left to settle (its first samples) before it is measured. */
const SETTLE_MS = 3000;
/** How long a start may take before the figure gives up, ms. */
const START_TIMEOUT = 180_000;

type System = 'xdaemon' | 'pm2' | 'pm2-nopmx';

/** One run: start → all running, memory of the supervision, its idle CPU. */
interface Run {
  startMs: number;
  rss: number;
  uss: number;
  /** % of one core. */
  cpu: number;
}

/** RSS and USS, MB, summed over `pids`. */
function memoryOf(pids: readonly number[]): { rss: number; uss: number } {
  let rss = 0;
  let uss = 0;
  for (const pid of pids) {
    const r = rssKb(pid);
    const u = ussKb(pid);
    if (r === undefined || u === undefined) throw new Error(`cannot read the memory of ${pid}`);
    rss += r;
    uss += u;
  }
  return { rss: rss / 1024, uss: uss / 1024 };
}

/** CPU clock ticks used so far by `pids`. */
function ticksOf(pids: readonly number[]): number {
  return pids.reduce((n, pid) => {
    const st = procStat(pid);
    return n + (st === undefined ? 0 : st.utime + st.stime);
  }, 0);
}

/** The idle CPU of `pids` over `windowMs`, % of one core. */
async function idleCpu(pids: readonly number[], windowMs: number): Promise<number> {
  const t0 = ticksOf(pids);
  const at = Date.now();
  await sleep(windowMs);
  return ((ticksOf(pids) - t0) / 100 / ((Date.now() - at) / 1000)) * 100;
}

/**
 * Polls `probe` every 20 ms until it holds; the time it took from `since`, ms. Fails as soon as
 * `command` (the start) does.
 */
async function until(what: string, since: bigint, command: Promise<unknown>, probe: () => boolean): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT;
  let failure: unknown;
  command.catch((err: unknown) => (failure = err ?? new Error('failed')));
  while (!probe()) {
    if (failure !== undefined) throw failure;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
  return Number(process.hrtime.bigint() - since) / 1e6;
}

const alive = (pid: number | undefined): boolean => pid !== undefined && procStat(pid) !== undefined && procStat(pid)?.state !== 'Z';

/** N apps with xdaemon: start FILE, measured, then stop --all. */
async function xdaemonRun(n: number, windowMs: number): Promise<Run> {
  const dir = tempDir(`hosting-xd-${n}`);
  const home = join(dir, 'state');
  const file = join(dir, 'apps.json');
  const names = Array.from({ length: n }, (_, i) => `app${i + 1}`);
  writeFileSync(file, JSON.stringify({ apps: names.map((name) => ({ name, script: fixture('idle-worker.cjs') })) }));
  const cli = (args: string[]): Promise<unknown> => runNode([packageFile('dist', 'cli.js'), ...args], { XDAEMON_HOME: home }, START_TIMEOUT);
  const workerOf = (name: string): number | undefined => {
    try {
      return (JSON.parse(readFileSync(join(home, `${name}.pid.state`), 'utf8')) as { live?: { workerPid?: number } }).live?.workerPid;
    } catch {
      return undefined;
    }
  };
  const t0 = process.hrtime.bigint();
  const starting = cli(['start', file]);
  try {
    const startMs = await until(`${n} xdaemon workers`, t0, starting, () => names.every((name) => alive(workerOf(name))));
    await starting;
    const host = Number(readFileSync(join(home, '.host.pid'), 'utf8'));
    const guard = childPids(host).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('xdaemon-group-guard');
      } catch {
        return false;
      }
    });
    const supervision = [host, ...guard];
    await sleep(SETTLE_MS);
    const memory = memoryOf(supervision);
    return { startMs, ...memory, cpu: await idleCpu(supervision, windowMs) };
  } finally {
    await starting.catch(() => undefined);
    const workers = names.map(workerOf).filter((pid): pid is number => pid !== undefined);
    const host = existsSync(join(home, '.host.pid')) ? Number(readFileSync(join(home, '.host.pid'), 'utf8')) : undefined;
    const stopped = await cli(['stop', '--all', '--timeout', '60000']).then(
      () => undefined,
      (err: unknown) => err,
    );
    if (stopped !== undefined) progress(`hosting: stop --all of ${n} apps failed: ${stopped instanceof Error ? stopped.message.split('\n')[0] : String(stopped)}`);
    // Whatever a failed stop left: SIGTERM to the host (it stops every daemon), then SIGKILL.
    if (host !== undefined && host > 0) await stopAndWait([host, ...workers], 60_000).catch(() => undefined);
  }
}

/** N apps with pm2 (`pmx: false` on each with `noPmx`): pm2 start FILE, measured, then pm2 kill. */
async function pm2Run(modules: string, n: number, windowMs: number, noPmx: boolean): Promise<Run> {
  const dir = tempDir(`hosting-pm2-${n}`);
  const env = pm2Env(modules, dir, {});
  const pm2Home = env.PM2_HOME as string;
  const file = join(dir, 'apps.json');
  writeFileSync(file, JSON.stringify({ apps: Array.from({ length: n }, (_, i) => ({ name: `app${i + 1}`, script: fixture('idle-worker.cjs'), exec_mode: 'fork', ...(noPmx ? { pmx: false } : {}) })) }));
  const pm2 = (args: string[]): Promise<unknown> => runNode([join(modules, 'pm2', 'bin', 'pm2'), ...args], env, START_TIMEOUT);
  const pidsDir = join(pm2Home, 'pids');
  const appPids = (): number[] => {
    if (!existsSync(pidsDir)) return [];
    return readdirSync(pidsDir).flatMap((f) => {
      try {
        return [Number(readFileSync(join(pidsDir, f), 'utf8'))];
      } catch {
        return [];
      }
    });
  };
  const t0 = process.hrtime.bigint();
  const starting = pm2(['start', file]);
  let god: number | undefined;
  try {
    const startMs = await until(`${n} pm2 workers`, t0, starting, () => {
      const pids = appPids();
      return pids.length >= n && pids.every(alive);
    });
    await starting;
    god = Number(readFileSync(join(pm2Home, 'pm2.pid'), 'utf8'));
    await sleep(SETTLE_MS);
    const memory = memoryOf([god]);
    return { startMs, ...memory, cpu: await idleCpu([god], windowMs) };
  } finally {
    await starting.catch(() => undefined);
    const workers = appPids();
    god ??= existsSync(join(pm2Home, 'pm2.pid')) ? Number(readFileSync(join(pm2Home, 'pm2.pid'), 'utf8')) : undefined;
    await pm2(['kill']).catch(() => undefined);
    await stopAndWait([...workers, ...(god === undefined ? [] : [god])], 30_000);
  }
}

export async function hostingFigure(options: { windowMs: number }, peers: Peers | undefined): Promise<Figure> {
  const withPm2 = peers !== undefined && peers.unavailable.pm2 === undefined;
  progress(`hosting: ${SIZES.join(', ')} idle apps from one file${withPm2 ? ', beside pm2 (and pm2 with pmx: false)' : ''}; ${options.windowMs / 1000} s CPU windows ...`);
  const runs: Record<number, Partial<Record<System, Run>>> = {};
  const failed: Partial<Record<System, string>> = {};
  for (const [round, n] of SIZES.entries()) {
    runs[n] = {};
    const systems: System[] = withPm2 ? ['xdaemon', 'pm2', 'pm2-nopmx'] : ['xdaemon'];
    // Interleaved: the order turns from size to size.
    const order = systems.map((_, i) => systems[(i + round) % systems.length] as System);
    for (const system of order) {
      if (failed[system] !== undefined) continue;
      progress(`hosting: ${n} apps, ${system} ...`);
      try {
        (runs[n] as Record<System, Run>)[system] =
          system === 'xdaemon' ? await xdaemonRun(n, options.windowMs) : await pm2Run((peers as Peers).modules, n, options.windowMs, system === 'pm2-nopmx');
      } catch (err) {
        failed[system] = err instanceof Error ? err.message : String(err);
        progress(`hosting: ${system} failed: ${failed[system]}`);
      }
    }
  }
  const rows: Row[] = [];
  for (const n of SIZES) {
    const ours = runs[n]?.xdaemon;
    if (ours === undefined) {
      rows.push(unavailableRow(`hosting, ${n} apps`, 'MB', failed.xdaemon ?? 'not measured'));
      continue;
    }
    const peer = (system: 'pm2' | 'pm2-nopmx', label: string, unit: Row['unit'], key: keyof Run): Row => {
      const theirs = runs[n]?.[system];
      const figure = `${label}, ${n} apps: xdaemon vs ${system === 'pm2' ? 'pm2' : 'pm2 pmx:false'}`;
      if (theirs === undefined) return withPm2 ? unavailableRow(figure, unit, failed[system] ?? 'not measured') : infoRow(`${label}, ${n} apps: xdaemon`, unit, [ours[key]]);
      return ratioRow(figure, unit, [ours[key]], [theirs[key]], TARGET);
    };
    rows.push(peer('pm2', 'supervision RSS', 'MB', 'rss'));
    rows.push(peer('pm2', 'supervision USS', 'MB', 'uss'));
    rows.push(peer('pm2', 'idle CPU of supervision', '%', 'cpu'));
    if (withPm2) rows.push(peer('pm2-nopmx', 'idle CPU of supervision', '%', 'cpu'));
    rows.push(peer('pm2', 'start FILE → all running', 'ms', 'startMs'));
  }
  const small = runs[10]?.xdaemon;
  const large = runs[100]?.xdaemon;
  const perApp = small !== undefined && large !== undefined ? { rss: ((large.rss - small.rss) / 90) * 1024, uss: ((large.uss - small.uss) / 90) * 1024 } : undefined;
  if (perApp !== undefined) {
    rows.push(infoRow('one more hosted daemon: supervision RSS (10 → 100 apps, per app)', 'MB', [perApp.rss / 1024]));
    rows.push(infoRow('one more hosted daemon: supervision USS (10 → 100 apps, per app)', 'MB', [perApp.uss / 1024]));
  }
  return {
    rows,
    notes: [
      `hosting = N idle node apps (idle-worker.cjs) from one JSON file; each system from nothing (no host, no God); sizes interleaved, one run each;`,
      `  start → all running = spawn of \`xdaemon start FILE\` / \`pm2 start FILE\` until every app's worker pid runs (our state files, pm2's pids/);`,
      `  supervision = xdaemon's host and its group guard / pm2's God daemon; RSS and USS ${SETTLE_MS / 1000} s after all ran, then CPU ticks over ${options.windowMs / 1000} s;`,
      ...(perApp === undefined ? [] : [`  one more hosted daemon: +${perApp.rss.toFixed(0)} kB RSS, +${perApp.uss.toFixed(0)} kB USS (the growth from 10 to 100 apps, per app)`]),
    ],
    details: { hosting: runs },
  };
}

/**
 * The faces that watch daemons live, with 20 daemons running (`sleep 3600` workers, as in the cli
 * figure):
 *   - `xdaemon monit` on a terminal (a pty made by util-linux's `script`): spawn until its first
 *     frame is on the terminal, against a bare node start that writes a line through the same pty
 *     (target 1.5 ×); then its own CPU over a window with the view open (target < 5 % of a core),
 *     and the supervisors' CPU over that window (target: each within 0.5 % of a core), beside the
 *     same window with no monit open;
 *   - a scrape of `xdaemon metrics` (`GET /metrics` over a kept connection, as Prometheus
 *     scrapes), client side, against a target of 20 ms; the exporter's own figure beside it.
 * Every daemon started here is stopped with `xdaemon stop --all` before the figure returns.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { freePort, signal, sleep, taggedEnv, waitFor } from '../../test/support/harness';
import { type Figure, type Row, checkRow, infoRow, median, progress, ratioRow } from '../report';
import { packageFile, runNode, startNode } from '../stage';
import { cpuMs, newHome, supervisorPid } from './cli';

/** Targets: monit's first frame / a bare node start through the same pty; its CPU, % of a core; a supervisor's CPU with it open, % of a core; a scrape, ms. */
const TARGET_FRAME = 1.5;
const TARGET_MONIT_PCT = 5;
const TARGET_SUPERVISOR_PCT = 0.5;
const TARGET_SCRAPE_MS = 20;
/** Daemons running. */
const DAEMONS = 20;

/** Runs `xdaemon args…` with XDAEMON_HOME `home`. */
async function cli(home: string, args: readonly string[]): Promise<void> {
  await runNode([packageFile('dist', 'cli.js'), ...args], { XDAEMON_HOME: home });
}

/** `command` on a fresh pty of 80 × 24 (util-linux's script), in its own process group. */
function onPty(command: string, env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; began: number } {
  const began = performance.now();
  const child = spawn('script', ['-qfec', `stty cols 80 rows 24; exec ${command}`, '/dev/null'], { env: taggedEnv(env), stdio: ['pipe', 'pipe', 'ignore'], detached: true });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  return { child, output: () => output, began };
}

/** Ends what runs on the pty (its process group) and waits for it. */
async function endPty(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('close', resolve));
    signal(-(child.pid as number), 'SIGTERM');
    await gone;
  }
}

/** Milliseconds from spawning `command` on a pty until `text` is on it; the pty is left running. */
async function timeUntil(command: string, env: NodeJS.ProcessEnv, text: string): Promise<{ ms: number; child: ChildProcess }> {
  const run = onPty(command, env);
  const at = await waitFor(`"${text}" on the pty`, () => (run.output().includes(text) ? performance.now() : undefined), 20_000, 1);
  return { ms: at - run.began, child: run.child };
}

/** The pid of the node process under `root` (the pty's script) whose command line holds `needle`. */
function nodeUnder(root: number, needle: string): number {
  const children = (pid: number): number[] => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const queue = children(root);
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      if (argv[0] === process.execPath && argv.some((a) => a.includes(needle))) return pid;
    } catch {
      // gone
    }
    queue.push(...children(pid));
  }
  throw new Error(`no node process under ${root} runs ${needle}`);
}

/** One GET of `url` over `agent`: the client's time, ms, and the body. */
function scrapeOnce(url: string, agent: Agent): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t0, body }) : reject(new Error(`GET ${url}: ${res.statusCode}`))));
    }).on('error', reject);
  });
}

export async function facesFigure(options: { frames: number; cpuSeconds: number; scrapes: number }): Promise<Figure> {
  const home = newHome('faces');
  const env = { XDAEMON_HOME: home, LANG: 'C.UTF-8', TERM: 'xterm-256color' };
  const monit = `${process.execPath} ${packageFile('dist', 'cli.js')} monit`;
  const bare = `${process.execPath} -e "process.stdout.write('xdaemon monit:')"`;
  const rows: Row[] = [];
  try {
    progress(`faces: ${DAEMONS} daemons ...`);
    for (let i = 1; i <= DAEMONS; i++) await cli(home, ['start', '--name', `d${i}`, '--', 'sleep', '3600']);
    const supervisors = Array.from({ length: DAEMONS }, (_, i) => supervisorPid(home, `d${i + 1}`));

    progress(`faces: ${options.frames} rounds of monit's first frame and a bare node start on a pty, interleaved ...`);
    const frames: number[] = [];
    const floors: number[] = [];
    for (let i = 0; i < options.frames; i++) {
      for (const kind of i % 2 === 0 ? ['monit', 'bare'] : ['bare', 'monit']) {
        const { ms, child } = await timeUntil(kind === 'monit' ? monit : bare, env, 'xdaemon monit:');
        (kind === 'monit' ? frames : floors).push(ms);
        await endPty(child);
      }
    }
    rows.push(ratioRow(`monit: spawn → first frame (${DAEMONS} daemons) vs a bare node start writing to the same pty`, 'ms', frames, floors, TARGET_FRAME));

    progress(`faces: the supervisors' CPU over ${options.cpuSeconds} s without monit, then with monit open ...`);
    const window = options.cpuSeconds * 1000;
    const perSupervisor = (before: number[]): number[] => supervisors.map((pid, i) => ((cpuMs([pid]) - (before[i] as number)) / window) * 100);
    let before = supervisors.map((pid) => cpuMs([pid]));
    await sleep(window);
    const closed = perSupervisor(before);
    const open = await timeUntil(monit, env, 'xdaemon monit:');
    let monitCpu: number;
    let opened: number[];
    try {
      const pid = nodeUnder(open.child.pid as number, 'cli.js');
      await sleep(2000);
      const monitBefore = cpuMs([pid]);
      before = supervisors.map((p) => cpuMs([p]));
      await sleep(window);
      opened = perSupervisor(before);
      monitCpu = ((cpuMs([pid]) - monitBefore) / window) * 100;
    } finally {
      await endPty(open.child);
    }
    rows.push(checkRow(`monit's own CPU, ${DAEMONS} daemons, view open`, '%', [monitCpu], `< ${TARGET_MONIT_PCT} %`, monitCpu < TARGET_MONIT_PCT));
    const worst = Math.max(...opened);
    rows.push(checkRow(`— a supervisor's CPU with monit open (the most of the ${DAEMONS}; median ${median(opened).toFixed(2)} %)`, '%', opened, `≤ ${TARGET_SUPERVISOR_PCT} % each`, worst <= TARGET_SUPERVISOR_PCT));
    rows.push(infoRow(`— a supervisor's CPU over the same window with no monit open`, '%', closed));

    progress(`faces: ${options.scrapes} scrapes of xdaemon metrics ...`);
    const port = await freePort();
    const exporter = startNode([packageFile('dist', 'cli.js'), 'metrics', '--listen', `127.0.0.1:${port}`], { XDAEMON_HOME: home });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await waitFor('the exporter', () => exporter.stdout.includes('serving metrics'), 10_000);
      const url = `http://127.0.0.1:${port}/metrics`;
      for (let i = 0; i < 3; i++) await scrapeOnce(url, agent);
      const client: number[] = [];
      const own: number[] = [];
      const cpuBefore = cpuMs([exporter.pid]);
      for (let i = 0; i < options.scrapes; i++) {
        const { ms, body } = await scrapeOnce(url, agent);
        client.push(ms);
        own.push(Number(/^xdaemon_exporter_scrape_duration_seconds (\S+)$/m.exec(body)?.[1]) * 1000);
        // Prometheus scrapes at an interval: the next one finds the exporter idle.
        await sleep(100);
      }
      const at = median(client);
      rows.push(checkRow(`a scrape of xdaemon metrics, ${DAEMONS} daemons (median; GET /metrics, client side)`, 'ms', client, `≤ ${TARGET_SCRAPE_MS} ms (median)`, at <= TARGET_SCRAPE_MS));
      const cpuPerScrape = (cpuMs([exporter.pid]) - cpuBefore) / options.scrapes;
      rows.push(infoRow('— the same scrapes as the exporter times them (xdaemon_exporter_scrape_duration_seconds)', 'ms', own));
      rows.push(infoRow("— the exporter's CPU per scrape (mean; what a scrape costs on an idle core)", 'ms', [cpuPerScrape]));
    } finally {
      agent.destroy();
      signal(exporter.pid, 'SIGTERM');
      await exporter.done;
    }
  } finally {
    await cli(home, ['stop', '--all']);
  }
  return {
    rows,
    notes: [
      `monit = \`xdaemon monit\` on an 80 × 24 pty (util-linux script) with ${DAEMONS} daemons (\`sleep 3600\` workers) running; first frame = spawn until its title is on the pty, floor: a bare node writing the same text there;`,
      `  CPU = utime+stime from /proc of monit (and of each supervisor) over ${options.cpuSeconds} s with the view open (it looks at every daemon once a second and follows their events);`,
      '  scrape = GET /metrics of `xdaemon metrics` over a kept connection, 100 ms apart, client side (the exporter reads the state files and /proc: RSS and PSS of each tree);',
    ],
  };
}

/**
 * Figure: health checks. (1) A Python `http.server` that calls nothing of xdaemon, 2 instances on a
 * held socket, ready by its health check: the time a reload takes (each replacement spawned to
 * ready, summed over the instances) under a loopback load, against two bare python start-ups
 * (spawned on an inherited listening socket to its first answer), interleaved; every failed request
 * counted (target: none). (2) The CPU of a supervisor of 4 instances with an HTTP check every
 * second, beside one without checks over the same window (target < 1 % of one core).
 */
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { freePort, runToEnd, sleep, taggedEnv } from '../../test/support/harness';
import { type Figure, checkRow, infoRow, progress, ratioRow } from '../report';
import { fixture, packageFile, runNode } from '../stage';
import { cpuMs, newHome, supervisorPid } from './cli';

const TARGET_RELOAD = 1.5;
const TARGET_CPU_PCT = 1;
const INSTANCES = 4;

/** `xdaemon ARGS` of the staged package with a private state directory; its stdout. */
async function xd(home: string, args: readonly string[]): Promise<string> {
  const exit = await runToEnd(process.execPath, [packageFile('dist', 'cli.js'), ...args], { env: { XDAEMON_HOME: home }, timeout: 120_000 });
  if (exit.code !== 0) throw new Error(`xdaemon ${args.join(' ')}: exit ${exit.code}: ${exit.stderr.trim()}`);
  return exit.stdout;
}

/** One GET; true when answered 200. */
function get(port: number, agent: http.Agent | false): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
    req.setTimeout(10_000, () => req.destroy());
  });
}

/** Milliseconds from spawning `python3 plain-http.py` on a listening socket of its own to its first answer. */
async function barePythonStart(): Promise<number> {
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  const t0 = performance.now();
  const child = spawn('python3', [fixture('plain-http.py')], { env: taggedEnv(), stdio: ['ignore', 'ignore', 'inherit', fd] });
  // This process lets go of the socket (it would accept on it too): python's copy keeps it listening.
  server.close();
  // Queued in the socket's backlog until python accepts it.
  const ok = await get(port, false);
  const ms = performance.now() - t0;
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  if (!ok) throw new Error('the bare python server did not answer');
  return ms;
}

export async function healthFigure(options: { reloads: number; cpuSeconds: number }): Promise<Figure> {
  const home = newHome('health');
  const rows: Figure['rows'] = [];
  try {
    const python = (await runToEnd('python3', ['-c', 'pass'], { timeout: 10_000 }).catch(() => ({ code: 1 }))).code === 0;
    if (python) {
      progress(`health: ${options.reloads} reloads of a Python http.server (2 instances) under load, and as many pairs of bare python start-ups ...`);
      const port = await freePort();
      await xd(home, ['start', '--name', 'py', '--listen', `127.0.0.1:${port}`, '--instances', '2', '--health', `http://127.0.0.1:${port}/`, '--', 'python3', fixture('plain-http.py')]);
      let loading = true;
      let failures = 0;
      let answered = 0;
      const client = async (): Promise<void> => {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        while (loading) {
          if (await get(port, agent)) answered += 1;
          else failures += 1;
        }
        agent.destroy();
      };
      const clients = [client(), client()];
      const ours: number[] = [];
      const floor: number[] = [];
      try {
        for (let i = 0; i < options.reloads; i++) {
          const out = await xd(home, ['reload', 'py']);
          ours.push([...out.matchAll(/\((\d+\.\d+) s\)/g)].reduce((sum, m) => sum + Number(m[1]) * 1000, 0));
          floor.push((await barePythonStart()) + (await barePythonStart()));
        }
      } finally {
        loading = false;
        await Promise.all(clients);
      }
      rows.push(ratioRow('health: reload of a Python http.server, 2 instances, ready by its check vs two bare python start-ups', 'ms', ours, floor, TARGET_RELOAD));
      rows.push(checkRow('health: failed requests during those reloads', 'lines', [failures], '0', failures === 0, `${answered} answered`));
      await xd(home, ['stop', 'py']);
    }

    progress(`health: the CPU of HTTP checks every second on ${INSTANCES} instances, over ${options.cpuSeconds} s ...`);
    const [checkedPort, plainPort] = [await freePort(), await freePort()];
    const node = (port: number): string[] => ['--instances', String(INSTANCES), '--listen', `127.0.0.1:${port}`, '--env', `PORT=${port}`, '--', process.execPath, fixture('plain-http.cjs')];
    await xd(home, ['start', '--name', 'checked', '--health', `http://127.0.0.1:${checkedPort}/`, '--health-interval', '1000', ...node(checkedPort)]);
    await xd(home, ['start', '--name', 'plain', ...node(plainPort)]);
    const [checked, plain] = [supervisorPid(home, 'checked'), supervisorPid(home, 'plain')];
    await sleep(2000);
    const before = [cpuMs([checked]), cpuMs([plain])];
    await sleep(options.cpuSeconds * 1000);
    const pct = (pid: number, was: number): number => ((cpuMs([pid]) - was) / (options.cpuSeconds * 1000)) * 100;
    const withChecks = pct(checked, before[0] as number);
    rows.push(checkRow(`health: supervisor CPU, an HTTP check every second on ${INSTANCES} instances`, '%', [withChecks], `< ${TARGET_CPU_PCT.toFixed(1)} %`, withChecks < TARGET_CPU_PCT));
    rows.push(infoRow('— the same supervisor without checks', '%', [pct(plain, before[1] as number)]));
  } finally {
    await runNode([packageFile('dist', 'cli.js'), 'stop', '--all'], { XDAEMON_HOME: home });
  }
  return {
    rows,
    notes: [
      'health reload = the sum over the 2 instances of each replacement\'s spawn to its first passing check (seen accepting on the held socket), from `xdaemon reload`\'s answer, under 2 keep-alive clients;',
      '  its floor = two bare `python3 plain-http.py` spawned on a listening socket, each to its first answer (a request waits in the backlog meanwhile);',
      `  health CPU = utime+stime from /proc of a supervisor of ${INSTANCES} node:http workers with --health http://… --health-interval 1000, beside one without, over the same window;`,
    ],
  };
}

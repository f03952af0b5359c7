/**
 * Figure, cluster mode (pm2's `-i 4` for an app with a hard-coded port, no `--listen`): a
 * node:http server that calls `listen(PORT)` and nothing else (no ready(), no SIGTERM handler),
 * four instances started by `xdaemon start --instances 4`, whose listen() the supervisor serves with
 * a socket it binds on the first request and holds.
 *
 * - The reload of the four instances without waitReady (each replacement is ready when it listens)
 *   under keep-alive client load, against four bare worker start-ups (`node` of the same server
 *   until it listens, one after the other), interleaved round by round; every failed request of
 *   the reload windows counted (target: 0).
 * - The first `listen()` of a cluster instance (its request over the IPC channel, the supervisor's
 *   answer with the handle), from the call to `'listening'` in the worker, against the same
 *   server's listen() on a held socket (`--listen`: the descriptor the worker inherits), both read
 *   from the daemons' logs, every instance of every start and reload, interleaved by round.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientLoop } from '../../test/support/http-load';
import { freePort, runToEnd } from '../../test/support/harness';
import { type Figure, checkRow, deltaRow, median, progress, ratioRow } from '../report';
import { fixture, packageFile, runNode, stagedLibrary, tempDir } from '../stage';

const INSTANCES = 4;
const TARGET_RELOAD = 1.3;
/** ms a cluster instance's first listen() may cost over a listen() on a held socket. */
const TARGET_LISTEN_MS = 2;
/** Keep-alive client connections during a reload. */
const CONNECTIONS = 4;

/** `xdaemon ARGS` of the staged package with a private state directory. */
async function xd(home: string, args: readonly string[]): Promise<string> {
  const exit = await runToEnd(process.execPath, [packageFile('dist', 'cli.js'), ...args], { env: { XDAEMON_HOME: home }, timeout: 60_000 });
  if (exit.code !== 0) throw new Error(`xdaemon ${args.join(' ')}: exit ${exit.code}: ${exit.stderr.trim()}`);
  return exit.stdout;
}

/** The listen() times the instances of daemon `name` wrote to its log, from the `from`-th on. */
function listenTimes(home: string, name: string, from: number): number[] {
  const all = [...readFileSync(join(home, `${name}.log`), 'utf8').matchAll(/^LISTEN_MS (\d+\.\d+)$/gm)].map((m) => Number(m[1]));
  return all.slice(from);
}

/** Waits until daemon `name`'s log holds `count` listen() times (the replacements have written theirs). */
async function waitListenTimes(home: string, name: string, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (listenTimes(home, name, 0).length < count) {
    if (Date.now() > deadline) throw new Error(`${name}: ${count} listen() times expected in its log`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function clusterFigure(options: { rounds: number }): Promise<Figure> {
  progress(`cluster: ${options.rounds} rounds of a reload of ${INSTANCES} cluster instances under load, four bare start-ups, a reload on held sockets ...`);
  const home = join(tempDir('cluster'), 'state');
  const lib = stagedLibrary();
  const [clusterPort, heldPort] = [await freePort(), await freePort()];
  const server = fixture('cluster-server.cjs');
  await xd(home, ['start', '--name', 'cluster', '--instances', String(INSTANCES), '--', process.execPath, server, String(clusterPort)]);
  await xd(home, ['start', '--name', 'held', '--instances', String(INSTANCES), '--listen', `127.0.0.1:${heldPort}`, '--', process.execPath, server, String(heldPort)]);
  const reloads: number[] = [];
  const bare: number[] = [];
  const failures: number[] = [];
  const answered: number[] = [];
  const clusterListen: number[] = [];
  const heldListen: number[] = [];
  try {
    await waitListenTimes(home, 'cluster', INSTANCES);
    await waitListenTimes(home, 'held', INSTANCES);
    clusterListen.push(...listenTimes(home, 'cluster', 0));
    heldListen.push(...listenTimes(home, 'held', 0));
    for (let round = 0; round < options.rounds; round++) {
      const steps = [
        async (): Promise<void> => {
          let done = false;
          const load = clientLoop(clusterPort, true, () => done, CONNECTIONS);
          const t0 = performance.now();
          try {
            await lib.reload(join(home, 'cluster.pid'));
            reloads.push(performance.now() - t0);
          } finally {
            done = true;
          }
          const tally = await load;
          failures.push(tally.failures.length);
          answered.push(tally.ok);
          await waitListenTimes(home, 'cluster', clusterListen.length + INSTANCES);
          clusterListen.push(...listenTimes(home, 'cluster', clusterListen.length));
        },
        async (): Promise<void> => {
          let ms = 0;
          for (let i = 0; i < INSTANCES; i++) ms += (await runNode([server, '0'], { BENCH_EXIT: 'listening' })).ms;
          bare.push(ms);
        },
        async (): Promise<void> => {
          await lib.reload(join(home, 'held.pid'));
          await waitListenTimes(home, 'held', heldListen.length + INSTANCES);
          heldListen.push(...listenTimes(home, 'held', heldListen.length));
        },
      ];
      // Interleaved: every other round the floor first.
      for (const step of round % 2 === 0 ? steps : [...steps].reverse()) await step();
    }
  } finally {
    await xd(home, ['stop', 'cluster', 'held']);
  }
  // Paired as the rounds ran (deltaRow's per-round difference): as many of each.
  const pairs = Math.min(clusterListen.length, heldListen.length);
  return {
    rows: [
      ratioRow(`cluster: reload of ${INSTANCES} instances (no waitReady) vs ${INSTANCES} bare worker start-ups`, 'ms', reloads, bare, TARGET_RELOAD),
      checkRow('cluster: failed requests per reload under load', 'lines', failures, '0', failures.every((f) => f === 0), `${median(answered).toFixed(0)} answered per reload (median)`),
      deltaRow("cluster: an instance's first listen() vs listen() on a held socket", 'ms', clusterListen.slice(0, pairs), heldListen.slice(0, pairs), TARGET_LISTEN_MS),
    ],
    notes: [
      `cluster = \`xdaemon start --instances ${INSTANCES} -- node cluster-server.cjs PORT\` (listen(PORT) in the code, no --listen, no ready(), no SIGTERM handler); ${options.rounds} rounds, interleaved: reload(pidFile) of the ${INSTANCES} instances (each ready at its 'listening', the old one drained then stopped) under ${CONNECTIONS} keep-alive loopback clients, against ${INSTANCES} bare \`node cluster-server.cjs 0\` spawned one after the other until they listen and exit;`,
      `  first listen() = listen() called to 'listening' in each instance (the IPC request, the supervisor's bind on the first one, the handle passed back), every start and reload, against the same server under \`--listen\` (the inherited descriptor), ${pairs} of each.`,
    ],
    details: { cluster: { reloads, bare, failures, answered, clusterListen, heldListen } },
  };
}

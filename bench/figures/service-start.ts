/**
 * Figure, service start: `systemctl --user start` of a service installed with `xdaemon install
 * --wait-ready` under a real systemd user manager (the sandbox of the system tests,
 * test/system/systemd-user-sandbox), spawn to exit: systemd starts the program, which listens and
 * calls `ready()`, which runs `systemd-notify --ready`; systemctl returns once systemd has it.
 * Floor: the same program run plainly until it calls `ready()` (spawn to its `READY` line), plus
 * one bare node start-up (`node empty.cjs`), interleaved round by round with the service's starts
 * (each start followed by an untimed stop). Target: at most 1.2 × the floor. Skipped with a note
 * where the machine cannot host the sandbox (not root, no systemd).
 */
import { join } from 'node:path';
import { runToEnd, start, waitFor } from '../../test/support/harness';
import { type Figure, median, progress, ratioRow, unavailableRow } from '../report';
import { ROOT, fixture, packageFile, runNode, tempDir } from '../stage';

const SANDBOX = join(ROOT, 'test', 'system', 'systemd-user-sandbox');
const TARGET = 1.2;
const NAME = 'bench-ready';

type Kind = 'service' | 'plain' | 'bare';
const KINDS: readonly Kind[] = ['service', 'plain', 'bare'];

/** Spawn to the `READY` line of a plain run of the program (then it is stopped). */
async function plainReady(): Promise<number> {
  const t0 = performance.now();
  const proc = start(process.execPath, [fixture('service-app.cjs')]);
  await waitFor('READY from the plain program', () => proc.stdout.includes('READY '), 30_000, 1);
  const ms = performance.now() - t0;
  proc.child.kill('SIGTERM');
  await proc.done;
  return ms;
}

export async function serviceStart(rounds: number): Promise<Figure> {
  const figure = 'service start: systemctl --user start of an install --wait-ready service';
  const dir = tempDir('service-start');
  const up = await runToEnd(SANDBOX, ['start', dir]);
  if (up.code !== 0) {
    const why = up.stderr.trim().replace(/^systemd-user-sandbox: /, '');
    return { rows: [unavailableRow(figure, 'ms', why)], notes: [`service start: not measured: this machine cannot host a systemd user manager (${why});`] };
  }
  // systemctl reaches the manager through its runtime folder (no need to enter its namespace).
  const env = { HOME: join(dir, 'home'), XDG_RUNTIME_DIR: join(dir, 'run'), XDAEMON_HOME: undefined, XDG_CONFIG_HOME: undefined };
  const systemctl = async (...args: string[]): Promise<number> => {
    const exit = await runToEnd('systemctl', ['--user', ...args], { env });
    if (exit.code !== 0) throw new Error(`systemctl --user ${args.join(' ')}: exit ${exit.code}: ${exit.stderr.trim()}`);
    return exit.ms;
  };
  const samples: Record<Kind, number[]> = { service: [], plain: [], bare: [] };
  try {
    progress(`service start: ${rounds} rounds of a systemctl start, a plain run to ready() and a bare node start, interleaved ...`);
    const installed = await runToEnd(SANDBOX, ['run', dir, '--', process.execPath, packageFile('dist', 'cli.js'), 'install', '--user', '--name', NAME, '--wait-ready', '10000', '--', process.execPath, fixture('service-app.cjs')], { env: { XDAEMON_HOME: undefined, XDG_CONFIG_HOME: undefined } });
    if (installed.code !== 0) throw new Error(`xdaemon install: exit ${installed.code}: ${installed.stderr.trim()}`);
    // One start and stop before measuring: the first pays for cold caches.
    await systemctl('start', `${NAME}.service`);
    await systemctl('stop', `${NAME}.service`);
    for (let i = 0; i < rounds; i++) {
      for (let j = 0; j < KINDS.length; j++) {
        const kind = KINDS[(i + j) % KINDS.length] as Kind;
        if (kind === 'service') {
          samples.service.push(await systemctl('start', `${NAME}.service`));
          await systemctl('stop', `${NAME}.service`);
          // Manual starts count toward the unit's start limit too: its counter is reset (untimed).
          await systemctl('reset-failed', `${NAME}.service`);
        } else if (kind === 'plain') samples.plain.push(await plainReady());
        else samples.bare.push((await runNode([fixture('empty.cjs')])).ms);
      }
    }
  } finally {
    await runToEnd(SANDBOX, ['stop', dir]);
  }
  // The floor of round i: that round's plain run to ready() plus that round's bare start.
  const floor = samples.plain.map((ms, i) => ms + (samples.bare[i] as number));
  return {
    rows: [ratioRow(figure, 'ms', samples.service, floor, TARGET)],
    notes: [
      `service start = \`systemctl --user start\` (spawn to exit) of a service installed with \`xdaemon install --wait-ready\` (Type=notify) in a systemd user manager (test/system/systemd-user-sandbox), ${rounds} starts, each followed by an untimed stop (and reset-failed: the start limit counts manual starts);`,
      `  floor: the same program run plainly until it calls ready() (spawn to its line; median ${median(samples.plain).toFixed(1)} ms) plus one bare node start-up (median ${median(samples.bare).toFixed(1)} ms), per round, interleaved; target ≤ ${TARGET}×;`,
    ],
    details: { serviceStart: samples },
  };
}

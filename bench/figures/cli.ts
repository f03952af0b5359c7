/**
 * Figure 8, the `xdaemon` command, against floors measured in the same rounds, interleaved:
 *   - `xdaemon status` and `xdaemon list` with 20 daemons running, against a bare `node empty.cjs`
 *     (one Node start-up: what any command written in Node pays); each asks all 20 supervisors at
 *     once over their control sockets;
 *   - `xdaemon start --name N -- sleep 3600` until it exits (the prompt is back), against the
 *     ideal handshake (fixtures/ideal-launcher.cjs: a bare launcher that starts a bare child
 *     detached and exits once the child handles SIGTERM).
 * Also, for information: the CPU the 20 supervisors spend answering one `list` (from /proc), which
 * is most of what `status` and `list` cost beyond a Node start-up; `xdaemon --version` (the
 * command's own load, no work) against the same floor; and the bare start with the 20 daemons
 * running against the bare start measured in the first phase, before any daemon runs (interleaved
 * with `start` there): whether the daemons' presence moves the floor itself, which is what once
 * put status and list below 1.0 (the floor of this phase 30-35 % above the run's other bare
 * starts). Both floors are the launch figure's bare start (`bareStart`), the same process.
 * Every daemon started here is stopped with `xdaemon stop --all` before the figure returns.
 */
import { chmodSync, readFileSync } from 'node:fs';
import { clockTicks } from '../../test/support/harness';
import { type Figure, infoRow, progress, ratioRow } from '../report';
import { bareStart, idealLaunch } from './launch';
import { packageFile, runNode, tempDir } from '../stage';

/** Targets: status and list / one bare start; start / the ideal handshake. */
const TARGET_STATUS = 1.3;
const TARGET_START = 1.1;
/** Daemons running while status and list are measured. */
const DAEMONS = 20;

/** A private state directory (the CLI refuses one that others can write). */
export function newHome(name: string): string {
  const dir = tempDir(name);
  chmodSync(dir, 0o700);
  return dir;
}

/** Runs `xdaemon args…` with XDAEMON_HOME `home`; its spawn-to-exit time. */
async function cli(home: string, args: readonly string[]): Promise<number> {
  return (await runNode([packageFile('dist', 'cli.js'), ...args], { XDAEMON_HOME: home })).ms;
}

/** User plus system CPU of `pids` so far, in ms (/proc's clock ticks, CLK_TCK a second). */
export function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.split(' ') ?? [];
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / clockTicks();
}

/** A supervisor's pid, from its pid file. */
export function supervisorPid(home: string, name: string): number {
  return Number(readFileSync(`${home}/${name}.pid`, 'utf8').trim());
}

/** The supervisors' pids, from their pid files. */
function supervisorPids(home: string, count: number): number[] {
  return Array.from({ length: count }, (_, i) => supervisorPid(home, `d${i + 1}`));
}

export async function cliFigure(rounds: number): Promise<Figure> {
  progress(`cli: ${rounds} rounds of xdaemon start, the ideal handshake and a bare start (no daemon running), interleaved ...`);
  const startHome = newHome('cli-start');
  const starts: number[] = [];
  const ideal: number[] = [];
  const bareAlone: number[] = [];
  try {
    await cli(startHome, ['--version']);
    for (let i = 0; i < rounds; i++) {
      const steps = [
        async (): Promise<void> => {
          starts.push(await cli(startHome, ['start', '--name', `s${i}`, '--', 'sleep', '3600']));
          await cli(startHome, ['stop', `s${i}`]);
        },
        async (): Promise<void> => void ideal.push(await idealLaunch()),
        async (): Promise<void> => void bareAlone.push(await bareStart()),
      ];
      for (let j = 0; j < steps.length; j++) await (steps[(i + j) % steps.length] as () => Promise<void>)();
    }
  } finally {
    await cli(startHome, ['stop', '--all']);
  }

  progress(`cli: ${DAEMONS} daemons, then ${rounds} rounds of xdaemon status, xdaemon list, xdaemon --version and a bare start, interleaved ...`);
  const home = newHome('cli-20');
  const samples: Record<'bare' | 'status' | 'list' | 'version', number[]> = { bare: [], status: [], list: [], version: [] };
  let supervisorCpu = 0;
  try {
    for (let i = 1; i <= DAEMONS; i++) await cli(home, ['start', '--name', `d${i}`, '--', 'sleep', '3600']);
    const pids = supervisorPids(home, DAEMONS);
    await cli(home, ['list']);
    const run: Record<keyof typeof samples, () => Promise<number>> = {
      bare: bareStart,
      status: () => cli(home, ['status']),
      list: () => cli(home, ['list']),
      version: () => cli(home, ['--version']),
    };
    const kinds = Object.keys(run) as (keyof typeof samples)[];
    const cpuBefore = cpuMs(pids);
    for (let i = 0; i < rounds; i++) {
      for (let j = 0; j < kinds.length; j++) {
        const kind = kinds[(i + j) % kinds.length] as keyof typeof samples;
        samples[kind].push(await run[kind]());
      }
    }
    supervisorCpu = (cpuMs(pids) - cpuBefore) / (2 * rounds);
  } finally {
    await cli(home, ['stop', '--all']);
  }
  return {
    rows: [
      ratioRow(`xdaemon status (${DAEMONS} daemons) vs a bare node start`, 'ms', samples.status, samples.bare, TARGET_STATUS),
      ratioRow(`xdaemon list (${DAEMONS} daemons) vs a bare node start`, 'ms', samples.list, samples.bare, TARGET_STATUS),
      infoRow(`— CPU of the ${DAEMONS} supervisors per status or list (mean; their own 5 s CPU samples included)`, 'ms', [supervisorCpu]),
      ratioRow(`— xdaemon --version (${DAEMONS} daemons) vs the same bare start: the command's own load`, 'ms', samples.version, samples.bare, null),
      ratioRow(`— the bare start with ${DAEMONS} daemons running vs with none (first phase): does the floor move?`, 'ms', samples.bare, bareAlone, null),
      ratioRow('xdaemon start → prompt vs the ideal handshake', 'ms', starts, ideal, TARGET_START),
    ],
    notes: [
      `xdaemon status / list = spawn until exit of \`node dist/cli.js status|list\` with ${DAEMONS} daemons (\`sleep 3600\` workers) running, metrics on (each tree's CPU and memory read from /proc), against the launch figure's bare start measured in the same rounds (the kinds' order rotating);`,
      '  xdaemon start = spawn until exit of `node dist/cli.js start --name N -- sleep 3600` (floor: the ideal handshake, as in the launch figure);',
    ],
  };
}

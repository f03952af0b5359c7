/**
 * Figure 10, the restart interval of a command that is not Node: a shell that appends the time
 * (`date +%s%6N`, µs) to a file and exits, restarted by `xdaemon run` (killMode group: its group
 * guard watches every worker, no wrapper; and, where setpriv is, killMode process, whose workers
 * start through `setpriv --pdeathsig`), against a plain Node parent re-spawning the same shell
 * (the floor), and, to show what the wrapper itself costs, the plain parent starting it through
 * `setpriv --pdeathsig SIGTERM --`. Interleaved runs, medians.
 */
import { join } from 'node:path';
import { readText } from '../../test/support/fixtures';
import { findSetpriv } from '../../src/process/parent-death';
import { type Figure, type Row, progress, ratioRow, unavailableRow } from '../report';
import { fixture, packageFile, runNode, tempDir } from '../stage';

/** The worker: a shell that records its start and exits. */
const SHELL = ['/bin/sh', '-c', 'date +%s%6N >> "$BENCH_TS_FILE"'];

type Kind = 'ours' | 'process' | 'floor' | 'setpriv';

/** Consecutive differences of the recorded start times (ms). */
function intervals(ts: string, expected: number, what: string): number[] {
  const times = readText(ts)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((us) => Number(us) / 1000)
    .sort((a, b) => a - b);
  if (times.length !== expected) throw new Error(`${what}: ${times.length} of ${expected} starts recorded`);
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

async function restartRun(kind: Kind, starts: number, setpriv: string | undefined): Promise<number[]> {
  const ts = join(tempDir(`restart-command-${kind}`), 'ts');
  const env = { BENCH_TS_FILE: ts };
  if (kind === 'ours' || kind === 'process') {
    const settings = ['--max-count', String(starts), '--max-error', '0', '--min-exit-time', '0', ...(kind === 'process' ? ['--kill-mode', 'process'] : [])];
    await runNode([packageFile('dist', 'cli.js'), 'run', ...settings, '--', ...SHELL], env, 30_000 + starts * 1000);
  } else {
    const command = kind === 'setpriv' ? [setpriv as string, '--pdeathsig', 'TERM', '--', ...SHELL] : SHELL;
    await runNode([fixture('floor-parent.cjs'), String(starts), ...command], env, 30_000 + starts * 1000);
  }
  return intervals(ts, starts, `${kind} restart run`);
}

export async function restartCommand(n: { restarts: number; runs: number }): Promise<Figure> {
  const starts = n.restarts + 1;
  const setpriv = findSetpriv();
  progress(`restart interval of a non-Node command: ${n.runs} run(s) of ${starts} starts each ...`);
  const kinds: Kind[] = setpriv === undefined ? ['ours', 'floor'] : ['ours', 'process', 'floor', 'setpriv'];
  const samples: Record<Kind, number[]> = { ours: [], process: [], floor: [], setpriv: [] };
  for (let run = 0; run < n.runs; run++) {
    for (let j = 0; j < kinds.length; j++) {
      const kind = kinds[(run + j) % kinds.length] as Kind;
      samples[kind].push(...(await restartRun(kind, starts, setpriv)));
    }
  }
  const rows: Row[] = [
    ratioRow('restart interval, non-Node worker (sh): xdaemon run', 'ms', samples.ours, samples.floor, null, 'against a plain Node parent re-spawning sh'),
    ...(setpriv === undefined
      ? [unavailableRow('restart interval, non-Node worker: killMode process, through setpriv', 'ms', 'no setpriv on this machine: xdaemon starts such commands without it')]
      : [
          ratioRow('restart interval, non-Node worker: xdaemon run --kill-mode process (through setpriv --pdeathsig)', 'ms', samples.process, samples.floor, null),
          ratioRow('restart interval, non-Node worker: plain parent through setpriv (the wrapper\'s cost)', 'ms', samples.setpriv, samples.floor, null),
        ]),
  ];
  return {
    rows,
    notes: [
      `non-Node restart interval: time between consecutive starts of \`sh -c 'date +%s%6N >> file'\` (µs), ${n.runs} run(s) of ${n.restarts} restarts each;`,
      '  floor: a plain Node parent re-spawning it; the setpriv row: the same parent starting it through setpriv --pdeathsig (what the parent-death signal of killMode process costs per start);',
    ],
  };
}

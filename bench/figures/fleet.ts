/**
 * Figure 9, fleet files: `xdaemon start FILE` of 10 apps until it exits (all 10 supervisors
 * handle signals), against a plain Node parent that starts 10 bare `node` children at once and
 * waits for each (the floor: no fleet start can boot 11 Node processes with less; on 2 cores, 3 ×
 * one bare start, the old floor, cannot be met by anyone), beside one bare start, 10 sequential
 * `xdaemon start` calls and 10 bare node start-ups one after the other (for information); and
 * `xdaemon list` of those 10 against one bare node start (the cli figure's target). Rounds
 * interleave ours and the floors. Every daemon started here is stopped with `xdaemon stop --all`
 * before the next sample and before the figure returns.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Figure, progress, ratioRow } from '../report';
import { fixture, packageFile, runNode, tempDir } from '../stage';

/**
 * Targets: start FILE / the parallel parent; list / one bare start (as in the cli figure). A
 * supervisor boots more than a bare node (its code, the log, the handshake): half as long again.
 */
const TARGET_FLEET = 1.5;
const TARGET_LIST = 1.3;
/** Apps in the file. */
const APPS = 10;

/** Runs `xdaemon args…` with XDAEMON_HOME `home` (in `cwd`); its spawn-to-exit time. */
async function cli(home: string, args: readonly string[]): Promise<number> {
  const exit = await runNode([packageFile('dist', 'cli.js'), ...args], { XDAEMON_HOME: home });
  if (exit.code !== 0 && args[0] !== 'stop') throw new Error(`xdaemon ${args.join(' ')}: exit ${exit.code}: ${exit.stderr}`);
  return exit.ms;
}

const bare = async (): Promise<number> => (await runNode([fixture('empty.cjs')])).ms;

export async function fleetFigure(rounds: number): Promise<Figure> {
  progress(`fleet: ${rounds} rounds of start FILE (${APPS} apps), a parent of ${APPS} parallel bare children, ${APPS} sequential starts and ${APPS} bare node start-ups, interleaved ...`);
  const dir = tempDir('fleet');
  chmodSync(dir, 0o700);
  const home = join(dir, 'state');
  const file = join(dir, 'apps.json');
  writeFileSync(file, JSON.stringify({ apps: Array.from({ length: APPS }, (_, i) => ({ name: `app${i + 1}`, command: 'sleep', args: ['3600'] })) }));
  const samples: Record<'fleet' | 'sequential' | 'bare' | 'bareTen' | 'parallel' | 'list', number[]> = { fleet: [], sequential: [], bare: [], bareTen: [], parallel: [], list: [] };
  try {
    await cli(home, ['--version']);
    const run = {
      fleet: async (): Promise<void> => {
        samples.fleet.push(await cli(home, ['start', file]));
        // The second list: the first finds the supervisors still starting their workers.
        await cli(home, ['list']);
        samples.list.push(await cli(home, ['list']));
        await cli(home, ['stop', '--all']);
      },
      sequential: async (): Promise<void> => {
        let ms = 0;
        for (let i = 1; i <= APPS; i++) ms += await cli(home, ['start', '--name', `seq${i}`, '--', 'sleep', '3600']);
        samples.sequential.push(ms);
        await cli(home, ['stop', '--all']);
      },
      parallel: async (): Promise<void> => {
        const exit = await runNode([fixture('parallel-parent.cjs'), String(APPS), fixture('empty.cjs')]);
        if (exit.code !== 0) throw new Error(`parallel-parent: exit ${exit.code}: ${exit.stderr}`);
        samples.parallel.push(exit.ms);
      },
      bare: async (): Promise<void> => {
        samples.bare.push(await bare());
        let ms = 0;
        for (let i = 0; i < APPS; i++) ms += await bare();
        samples.bareTen.push(ms);
      },
    };
    const kinds = Object.keys(run) as (keyof typeof run)[];
    for (let i = 0; i < rounds; i++) for (let j = 0; j < kinds.length; j++) await run[kinds[(i + j) % kinds.length] as keyof typeof run]();
  } finally {
    await cli(home, ['stop', '--all']);
  }
  return {
    rows: [
      ratioRow(`xdaemon start FILE (${APPS} apps) vs a parent starting ${APPS} bare node children at once`, 'ms', samples.fleet, samples.parallel, TARGET_FLEET),
      ratioRow(`— xdaemon start FILE (${APPS} apps) vs one bare node start`, 'ms', samples.fleet, samples.bare, null),
      ratioRow(`— ${APPS} sequential xdaemon start vs one bare node start`, 'ms', samples.sequential, samples.bare, null),
      ratioRow(`— ${APPS} bare node starts, one after the other, vs one`, 'ms', samples.bareTen, samples.bare, null),
      ratioRow(`xdaemon list (${APPS} daemons of a file) vs a bare node start`, 'ms', samples.list, samples.bare, TARGET_LIST),
    ],
    notes: [
      `start FILE = spawn until exit of \`node dist/cli.js start apps.json\` with ${APPS} apps (\`sleep 3600\`): every supervisor spawned, then each handshake awaited; its floor = \`node parallel-parent.cjs ${APPS} empty.cjs\` (${APPS} bare children at once, each waited for);`,
      `  sequential = the sum of ${APPS} \`xdaemon start --name N -- sleep 3600\`; list = \`xdaemon list\` right after start FILE;`,
    ],
  };
}

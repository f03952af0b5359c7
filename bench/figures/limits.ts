/**
 * The supervisor's own restarts, what they cost and how fast they are:
 *   - the CPU of a supervisor of 4 instances with the memory check on (`--max-memory`, a limit
 *     never reached: each instance's tree is measured every second), against a supervisor of 4
 *     instances without it, side by side over the same window; target < 1 % of one core;
 *   - watch: from a file write to the new worker's first line in its log (`--watch-debounce 0`,
 *     so the figure is the stop and the start, not the debounce), against one bare node start.
 * Both supervisors also take their CPU samples of the tree (every 5 s), so the difference is the check.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, waitFor } from '../../test/support/harness';
import { type Figure, checkRow, infoRow, progress, ratioRow } from '../report';
import { fixture, packageFile, runNode, tempDir } from '../stage';
import { cpuMs, newHome, supervisorPid } from './cli';

/** Target: the supervisor's CPU with the memory check on, % of one core. */
const TARGET_CHECK_PCT = 1;

/** Instances of the checked daemon (and of the one beside it). */
const INSTANCES = 4;

/** Runs `xdaemon args…` with XDAEMON_HOME `home`. */
async function cli(home: string, args: readonly string[]): Promise<void> {
  await runNode([packageFile('dist', 'cli.js'), ...args], { XDAEMON_HOME: home });
}

export async function limitsFigure(options: { checkSeconds: number; watchRounds: number }): Promise<Figure> {
  const home = newHome('limits');
  const rows: Figure['rows'] = [];
  try {
    progress(`limits: the memory check's CPU over ${options.checkSeconds} s ...`);
    const worker = [process.execPath, fixture('idle-worker.cjs')];
    const instances = ['--instances', String(INSTANCES)];
    await cli(home, ['start', '--name', 'checked', ...instances, '--max-memory', '1G', '--', ...worker]);
    await cli(home, ['start', '--name', 'plain', ...instances, '--', ...worker]);
    const [checked, plain] = [supervisorPid(home, 'checked'), supervisorPid(home, 'plain')];
    await sleep(1000);
    const before = [cpuMs([checked]), cpuMs([plain])];
    await sleep(options.checkSeconds * 1000);
    const pct = (pid: number, was: number): number => ((cpuMs([pid]) - was) / (options.checkSeconds * 1000)) * 100;
    const withCheck = pct(checked, before[0] as number);
    const without = pct(plain, before[1] as number);
    rows.push(checkRow(`supervisor CPU, memory check on (${INSTANCES} instances)`, '%', [withCheck], `< ${TARGET_CHECK_PCT.toFixed(1)} %`, withCheck < TARGET_CHECK_PCT));
    rows.push(infoRow('— the same supervisor without the check', '%', [without]));

    progress(`limits: ${options.watchRounds} watched writes and as many bare node starts ...`);
    const dir = tempDir('watched');
    const log = join(dir, 'w.log');
    await cli(home, ['start', '--name', 'watched', `--watch=${dir}`, '--watch-debounce', '0', '--log', log, '--', process.execPath, fixture('watch-worker.cjs')]);
    const workers = (): number => (readFileSync(log, 'utf8').match(/^WORKER \d+$/gm) ?? []).length;
    await waitFor('the first worker', () => workers() === 1, 10_000, 5);
    const ours: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < options.watchRounds; i++) {
      // A change in a worker's first second is taken as its own: wait that out.
      await sleep(1200);
      const seen = workers();
      const t0 = performance.now();
      writeFileSync(join(dir, 'app.js'), `// ${i}\n`);
      await waitFor('the new worker\'s first line', () => workers() > seen, 10_000, 2);
      ours.push(performance.now() - t0);
      floor.push((await runNode([fixture('empty.cjs')])).ms);
    }
    rows.push(ratioRow('watch: file write → new worker\'s first line vs a bare node start', 'ms', ours, floor, null));
  } finally {
    await cli(home, ['stop', '--all']);
  }
  return {
    rows,
    notes: [
      `supervisor CPU = utime+stime from /proc of a supervisor of ${INSTANCES} idle node workers with --max-memory 1G (each tree checked every second), beside one without, over the same window;`,
      '  watch = a write into the watched folder until the new worker\'s first line is in the log, --watch-debounce 0 (the default 200 ms debounce comes on top);',
    ],
  };
}

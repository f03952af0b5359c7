/**
 * Figure 2, launch: spawn-to-exit of `node app.cjs` calling `new Daemon(log).run()` (the user's
 * prompt comes back when the launcher exits), against a bare `node empty.cjs` (the floor),
 * interleaved. Also returns the floor's median: one Node start-up, which the memory figure needs.
 */
import { launchApp, stopApp } from '../daemon-app';
import { type Figure, median, progress, ratioRow } from '../report';
import { fixture, runNode } from '../stage';

/** Target: ours / floor. */
const TARGET = 1.15;

export interface LaunchFigure extends Figure {
  /** Median spawn-to-exit of a bare `node empty.cjs`, in ms. */
  bareStartMs: number;
}

/** Spawn-to-exit of `node empty.cjs`. */
async function bareStart(): Promise<number> {
  return (await runNode([fixture('empty.cjs')])).ms;
}

/** Spawn-to-exit of app.cjs's launcher; stops the daemon it started. */
async function ourLaunch(): Promise<number> {
  const app = await launchApp();
  await stopApp(app);
  return app.ms;
}

export async function launch(rounds: number): Promise<LaunchFigure> {
  progress(`launch: ${rounds} launches and ${rounds} empty scripts, interleaved ...`);
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? ['floor', 'ours'] : ['ours', 'floor'];
    for (const kind of order) {
      if (kind === 'floor') floor.push(await bareStart());
      else ours.push(await ourLaunch());
    }
  }
  return {
    rows: [ratioRow('launch (spawn → launcher exit)', 'ms', ours, floor, TARGET)],
    notes: ['launch = spawn of `node app.cjs` (new Daemon(log).run()) until the launcher exits (floor: `node empty.cjs`);'],
    bareStartMs: median(floor),
  };
}

/**
 * Figure 2, launch: spawn-to-exit of `node app.cjs` calling `new Daemon(log).run()` (the user's
 * prompt comes back when the launcher exits), against the floor measured in the same rounds:
 *   - the ideal handshake (fixtures/ideal-launcher.cjs): a bare launcher that starts a bare child
 *     detached and exits once the child handles SIGTERM. Two Node start-ups in a row, and nothing
 *     else: the honest floor of a daemon(7)-correct launch, and the only one with a target;
 *   - a bare `node empty.cjs` (one Node start-up), for information only: a launch that waits for
 *     its supervisor is at least two start-ups, so no target against one can be met.
 * Also returns the bare start's median, which the memory figures need.
 */
import { stopAndWait } from '../../test/support/harness';
import { launchApp, stopApp } from '../daemon-app';
import { type Figure, median, progress, ratioRow } from '../report';
import { fixture, runNode } from '../stage';

/** Target: ours / the ideal handshake. */
const TARGET_IDEAL = 1.1;

export interface LaunchFigure extends Figure {
  /** Median spawn-to-exit of a bare `node empty.cjs`, in ms. */
  bareStartMs: number;
}

type Kind = 'bare' | 'ideal' | 'ours';
const KINDS: readonly Kind[] = ['bare', 'ideal', 'ours'];

/** Spawn-to-exit of `node empty.cjs`: one bare Node start-up. */
export async function bareStart(): Promise<number> {
  return (await runNode([fixture('empty.cjs')])).ms;
}

/** Spawn-to-exit of the ideal launcher; stops the child it left running. */
export async function idealLaunch(): Promise<number> {
  const launcher = await runNode([fixture('ideal-launcher.cjs')]);
  const child = Number(launcher.stdout.trim());
  if (!Number.isInteger(child) || child <= 0) throw new Error(`ideal-launcher.cjs printed ${JSON.stringify(launcher.stdout)}`);
  await stopAndWait([child]);
  return launcher.ms;
}

/** Spawn-to-exit of app.cjs's launcher; stops the daemon it started. */
async function ourLaunch(): Promise<number> {
  const app = await launchApp();
  await stopApp(app);
  return app.ms;
}

const launchOf: Record<Kind, () => Promise<number>> = { bare: bareStart, ideal: idealLaunch, ours: ourLaunch };

export async function launch(rounds: number): Promise<LaunchFigure> {
  progress(`launch: ${rounds} rounds of a launch, an ideal handshake and an empty script, interleaved ...`);
  const samples: Record<Kind, number[]> = { bare: [], ideal: [], ours: [] };
  for (let i = 0; i < rounds; i++) {
    // Each kind once a round, the order rotating from round to round.
    for (let j = 0; j < KINDS.length; j++) {
      const kind = KINDS[(i + j) % KINDS.length] as Kind;
      samples[kind].push(await launchOf[kind]());
    }
  }
  return {
    rows: [
      ratioRow('launch (spawn → launcher exit) vs the ideal handshake (two bare node start-ups)', 'ms', samples.ours, samples.ideal, TARGET_IDEAL),
      ratioRow('— the same launch vs one bare node start-up (information: a launch is two start-ups at least)', 'ms', samples.ours, samples.bare, null),
    ],
    notes: [
      'launch = spawn of `node app.cjs` (new Daemon(log).run()) until the launcher exits (floor: the ideal handshake, a bare node launcher starting',
      '  a bare node child detached, exiting once the child has its SIGTERM handler and said so on a pipe; one bare `node empty.cjs` for information);',
    ],
    bareStartMs: median(samples.bare),
  };
}

/**
 * Figure 7, supervisor memory with the control channel: the supervisor-memory figure again, but the
 * daemon has a pid file, so its supervisor holds the pid file's lock and listens on its control
 * socket, and it has answered one `status()` call (from this process, through the staged package)
 * before it is read: what the control channel costs once used. The floor is the same bare idle
 * node as in the supervisor-memory figure, measured again here, interleaved round by round.
 */
import { join } from 'node:path';
import { sleep, waitAllGone } from '../../test/support/harness';
import { launchApp } from '../daemon-app';
import { type Figure, progress, ratioRow } from '../report';
import { stagedLibrary, tempDir } from '../stage';
import { type Memory, SETTLE_MS, add, idleNodeMemory, noSamples, readMemory } from './supervisor-memory';

/** Target: ours / floor, for RSS (the same as without the pid file). */
const TARGET_RSS = 1.1;

/** The supervisor of app-control.cjs, SETTLE_MS after its status() answer. */
async function controlSupervisorMemory(): Promise<Memory> {
  const pidFile = join(tempDir('control-rss'), 'app.pid');
  const app = await launchApp('app-control.cjs', { BENCH_PID_FILE: pidFile });
  const lib = stagedLibrary();
  try {
    // The state file may still be a write behind the log's line: ask until it names the worker.
    let status = await lib.status(pidFile);
    for (let tries = 0; tries < 50 && status.workerPid !== app.worker; tries++) {
      await sleep(20);
      status = await lib.status(pidFile);
    }
    if (status.state !== 'running' || status.pid !== app.supervisor || status.workerPid !== app.worker) {
      throw new Error(`status(${pidFile}) answered ${JSON.stringify({ state: status.state, pid: status.pid, workerPid: status.workerPid })}, expected supervisor ${app.supervisor} with worker ${app.worker}`);
    }
    await sleep(SETTLE_MS);
    return readMemory(app.supervisor, 'supervisor');
  } finally {
    await lib.stop(pidFile, { timeout: 15_000 });
    await waitAllGone([app.supervisor, app.worker]);
  }
}

export async function controlMemory(rounds: number, bootMs: number): Promise<Figure> {
  progress(`memory with a pid file and one status() answered: ${rounds} runs each, ${SETTLE_MS} ms settle ...`);
  const ours = noSamples();
  const floor = noSamples();
  for (let i = 0; i < rounds; i++) {
    // The order alternates from round to round.
    if (i % 2 === 0) add(ours, await controlSupervisorMemory());
    add(floor, await idleNodeMemory(bootMs));
    if (i % 2 === 1) add(ours, await controlSupervisorMemory());
  }
  return {
    rows: [
      ratioRow('supervisor RSS, pid file + control socket (one status() answered)', 'MB', ours.rss, floor.rss, TARGET_RSS),
      ratioRow('supervisor USS, pid file + control socket (one status() answered)', 'MB', ours.uss, floor.uss, null),
    ],
    notes: [
      `control-channel RSS/USS = the same readings of the supervisor of a daemon with a pid file, ${SETTLE_MS} ms after it answered one status() call (floor: the idle node again, interleaved);`,
    ],
  };
}

/**
 * The fixtures that call `Daemon.run()`, as the figures see them: the launcher names the
 * supervisor on stderr, the supervisor names each worker in the log. The launch and memory figures
 * launch bench/fixtures/app.cjs (or app-control.cjs) the same way and stop it the same way.
 */
import { join } from 'node:path';
import { type Exit, isGone, stopAndWait, waitFor } from '../test/support/harness';
import { readText, supervisorPid } from '../test/support/fixtures';
import { fixture, runNode, tempDir } from './stage';

/** The supervisor pid the launcher printed (`xdaemon: [PID] started supervisor SPID`). */
export function supervisorOf(launcher: Exit, log: string): number {
  try {
    return supervisorPid(launcher.stderr);
  } catch {
    throw new Error(`no supervisor pid in the launcher's stderr: ${launcher.stderr.trim()} ${readText(log)}`);
  }
}

/** Pids of the workers the supervisor's log mentions, in start order. */
export function workerPids(log: string): number[] {
  return [...readText(log).matchAll(/worker started: pid (\d+)/g)].map((m) => Number(m[1]));
}

/** A launched app.cjs: the launcher's spawn-to-exit time, and the processes it left running. */
export interface LaunchedApp {
  ms: number;
  supervisor: number;
  worker: number;
}

/**
 * Launches app.cjs (`new Daemon(log).run()`), or `script` with BENCH_LOG and `env`, and waits until
 * its supervisor has started the worker.
 */
export async function launchApp(script = 'app.cjs', env: NodeJS.ProcessEnv = {}): Promise<LaunchedApp> {
  const log = join(tempDir('launch'), 'daemon.log');
  const launcher = await runNode([fixture(script)], { BENCH_LOG: log, ...env });
  const supervisor = supervisorOf(launcher, log);
  const worker = await waitFor(
    'the worker to start',
    () => {
      const [pid] = workerPids(log);
      if (pid !== undefined) return pid;
      if (isGone(supervisor)) throw new Error(`supervisor ${supervisor} ended before starting a worker: ${readText(log)}`);
      return undefined;
    },
    15_000,
    10,
  );
  return { ms: launcher.ms, supervisor, worker };
}

/** Stops a launched app: SIGTERM to the supervisor, which stops its worker; SIGKILL if that hangs. */
export function stopApp(app: LaunchedApp): Promise<void> {
  return stopAndWait([app.supervisor, app.worker]);
}

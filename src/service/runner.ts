/**
 * The program side of a service (the seed's Runner): run the init and start hooks, tell the
 * manager the service is ready, wait for SIGTERM or SIGINT (or, in debug mode, Enter on stdin),
 * run the stop hook and exit. What the service manager runs is this, in the foreground.
 */
import { messageOf } from '../errors.js';
import { ready } from '../worker/ready.js';

/** The hooks of a service program. Each may return a promise; a throw or rejection fails the service. */
export interface ServiceHooks {
  /** Runs first (the seed's Init). */
  init?: () => unknown;
  /** Starts the service's work and returns (or resolves) once it serves; `ready()` follows. */
  start: () => unknown;
  /** Stops it; the process exits 0 once it returns (or resolves). */
  stop?: () => unknown;
}

/** How {@link runService} runs. */
export interface RunServiceOptions {
  /** The service's name, for its messages. */
  name: string;
  /** Debug mode: Enter on stdin (or its end) stops the service too, and the steps are printed. */
  debug: boolean;
}

/** Throws a TypeError unless `hooks` has a `start` function (and functions for the others, if given). */
export function checkHooks(hooks: unknown): asserts hooks is ServiceHooks {
  const h = hooks as Record<string, unknown> | null;
  if (typeof h !== 'object' || h === null || typeof h.start !== 'function') {
    throw new TypeError('xdaemon: a service needs hooks with a start function: { start, stop? , init? }');
  }
  for (const key of ['init', 'stop'] as const) {
    if (h[key] !== undefined && typeof h[key] !== 'function') throw new TypeError(`xdaemon: the ${key} hook must be a function`);
  }
}

/**
 * Runs a service program in the foreground and ends the process: exit code 0 after a stop
 * request and a successful stop hook, 1 when a hook fails (its message on stderr) or a second stop
 * request arrives while stopping. A stop request during start is honoured once start is done.
 * Never resolves.
 */
export function runService(hooks: ServiceHooks, options: RunServiceOptions): Promise<never> {
  checkHooks(hooks);
  const say = (line: string): void => {
    process.stderr.write(`xdaemon: service ${JSON.stringify(options.name)}: ${line}\n`);
  };
  return new Promise<never>(() => {
    let phase: 'starting' | 'running' | 'stopping' = 'starting';
    let pending: string | undefined;
    // Like the seed's wait on a signal channel: nothing else may keep the process alive.
    const keepAlive = setInterval(() => undefined, 2 ** 31 - 1);
    const finish = (code: number): never => {
      clearInterval(keepAlive);
      process.exit(code);
    };
    const stop = async (why: string): Promise<void> => {
      phase = 'stopping';
      say(`${why}: stopping`);
      try {
        await hooks.stop?.();
      } catch (err) {
        say(`stop failed: ${messageOf(err)}`);
        finish(1);
      }
      if (options.debug) say('stopped');
      finish(0);
    };
    const request = (why: string): void => {
      if (phase === 'stopping' || pending !== undefined) {
        say(`${why} while stopping: exiting now`);
        finish(1);
      }
      if (phase === 'starting') {
        pending = why;
        say(`${why} while starting: stopping once started`);
      } else void stop(why);
    };
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => request(`received ${signal}`));
    if (options.debug) {
      process.stdin.setEncoding('utf8');
      process.stdin.on('data', (chunk: string) => {
        if (chunk.includes('\n')) request('Enter pressed');
      });
      // Go's ReadString returns at the end of input too.
      process.stdin.once('end', () => request('end of input'));
    }
    void (async () => {
      try {
        await hooks.init?.();
        await hooks.start();
      } catch (err) {
        say(`start failed: ${messageOf(err)}`);
        finish(1);
      }
      ready();
      phase = 'running';
      if (options.debug) say('running in debug mode: press Enter or Ctrl-C to stop');
      if (pending !== undefined) void stop(pending);
    })();
  });
}

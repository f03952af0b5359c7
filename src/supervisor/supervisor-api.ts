/**
 * What the public {@link Supervisor} class takes and tells: its options, its counters and status,
 * its events (each listener receives one object, and the list of their kinds) and the hooks the
 * supervisor process adds.
 */
import type { LogSink } from '../log/log-sink.js';
import type { DaemonSettings, SupervisorSettingOptions } from '../settings/types.js';
import type { GiveUpReason } from './policy.js';
import type { GroupGuard } from './group-guard.js';
import type { WorkerHealth } from './health/health-state.js';
import type { Supervisor } from './supervisor.js';
import type { DrainOutcome, ReadyVia } from './worker-run.js';

/** Options of a {@link Supervisor}: the command, where its output goes, and the settings of the loop. */
export interface SupervisorOptions extends SupervisorSettingOptions {
  /** The executable: a path, or a name looked up in PATH. */
  command: string;
  /** Its arguments (default none). */
  args?: readonly string[] | undefined;
  /** Working directory (default: this process's). */
  cwd?: string | undefined;
  /** Environment (default: this process's). */
  env?: NodeJS.ProcessEnv | undefined;
  /** File for the worker's stdout and stderr, opened afresh for every start (default '': discard). */
  logFile?: string | undefined;
}

/** The counters, as every event reports them. */
export interface Counters {
  /** Worker starts so far (Go's count; failed starts included, requested restarts not). */
  starts: number;
  /** Requested restarts ({@link Supervisor.restart}, SIGUSR2). */
  restarts: number;
  /** Workers replaced by a reload ({@link Supervisor.reload}); never a start or a failure. */
  reloads: number;
  /** Consecutive failures. */
  errors: number;
  maxCount: number;
  maxError: number;
}

/** How the supervision ended. */
export interface SupervisorEnd {
  /** The exit code a supervisor process ends with: 0 after a stop or maxCount, 1 after giving up. */
  code: number;
  /**
   * Why: the policy's reason, `stop`, `not-ready` (a first worker never said it was ready), or
   * `listen` (an address could not be bound).
   */
  reason: GiveUpReason | 'stop' | 'not-ready' | 'listen';
}

/** One instance, as {@link SupervisorStatus} reports it. */
export interface InstanceStatus {
  /** Its number, 0…instances-1 (`XDAEMON_INSTANCE` of its workers). */
  instance: number;
  workerPid: number | undefined;
  /** Date.now() of its worker's start. */
  workerStartedAt: number | undefined;
  ready: boolean;
  /** Waiting out a restart delay, or a requested restart under way. */
  restarting: boolean;
  /** Its own counters (each instance has its own history under the policy). */
  counters: Counters;
  lastExit: SupervisorStatus['lastExit'];
  /** Its serving worker's health, with a health check. */
  health?: WorkerHealth | undefined;
}

/** What a {@link Supervisor} is doing. */
export interface SupervisorStatus {
  state: 'idle' | 'running' | 'restarting' | 'stopping' | 'ended';
  /** Instance 0's worker. */
  workerPid: number | undefined;
  /** Date.now() of the supervisor's start and of the current worker's start. */
  startedAt: number | undefined;
  workerStartedAt: number | undefined;
  /** Whether every instance's worker has called `ready()`. */
  ready: boolean;
  /** Summed over the instances (errors: the most of any one). */
  counters: Counters;
  lastExit: { code: number | null; signal: NodeJS.Signals | null; seconds: number; at: number } | undefined;
  /** The command as run: the resolved executable, then its arguments. */
  command: string[];
  /** Every instance. */
  instances: InstanceStatus[];
  /** Whether a reload is under way. */
  reloading: boolean;
  /** The sockets held for the workers. */
  listen: { name: string; address: string }[];
}

/** Events of a {@link Supervisor}; every listener receives one object. */
export interface SupervisorEvents {
  /** A worker was started (`fromSpare`: the waiting spare became it, with prewarm). */
  start: [info: { instance: number; pid: number; fromSpare: boolean; counters: Counters }];
  /** With prewarm: the instance's spare ended while it waited (another boots; it counts nowhere). */
  'spare-exit': [info: { instance: number; pid: number; code: number | null; signal: NodeJS.Signals | null }];
  /**
   * A worker is ready, `seconds` after its start: it called `ready()` (`via: 'ready'`), its first
   * `listen()` on a socket the supervisor holds listens (`'listening'`, without waitReady), or it
   * sent pm2's `process.send('ready')` (`'message'`, cluster mode).
   */
  ready: [info: { instance: number; pid: number; seconds: number; counters: Counters; via: ReadyVia }];
  /**
   * Cluster mode: a worker's `listen()` asked for the socket of `address`; it got the supervisor's
   * (bound now for the first request: `bound`), or the bind failed (`error`: its code, which the
   * worker's server gets as its `error` event).
   */
  socket: [info: { instance: number; pid: number; address: string; bound: boolean; error?: string }];
  /**
   * Before a reload or a restart stopped it, a worker on a held socket drained for `seconds`: it
   * stopped accepting and answered what was in flight (`outcome: 'drained'`), or it exited, or
   * killTimeout passed first (`'timeout'`); its stop signal follows.
   */
  drained: [info: { instance: number; pid: number; seconds: number; outcome: DrainOutcome }];
  /** A worker exited after `seconds`. */
  exit: [info: { instance: number; pid: number; code: number | null; signal: NodeJS.Signals | null; seconds: number; counters: Counters }];
  /** The next start waits `delay` ms (restartDelay, backoff). */
  restart: [info: { instance: number; delay: number; counters: Counters }];
  /** Supervision ended after {@link Supervisor.stop}. */
  stop: [info: { survivors: number[]; counters: Counters }];
  /** Supervision ended on its own: the policy said so, or the first worker was never ready. */
  giveup: [info: { code: number; reason: GiveUpReason | 'not-ready' | 'listen'; counters: Counters }];
  /** A start failed (it counts as a start and a failure, as in Go). */
  'start-failed': [info: { instance: number; error: Error; counters: Counters }];
  /** A stop began: the worker's tree gets `signal`. */
  stopping: [info: { signal: NodeJS.Signals; pid: number | undefined; pids: number[] }];
  /** A requested restart began: the worker's tree is being stopped. */
  restarting: [info: { instance: number; pid: number; counters: Counters }];
  /** Processes still alive after killTimeout get SIGKILL. */
  kill: [info: { instance: number; pid: number; pids: number[]; killTimeout: number }];
  /** A worker exited and left processes running (killMode 'group'): they are being stopped. */
  cleanup: [info: { instance: number; pid: number; pids: number[] }];
  /**
   * A worker was not ready within `waitReady` ms (waitReady, or with a health check its start
   * period): it is being stopped. `how`: what would have made it ready; `lastCheck`: what its last
   * health check answered.
   */
  'not-ready': [info: { instance: number; pid: number; waitReady: number; how: string; lastCheck?: string }];
  /** The `listen` sockets are bound (or taken over from systemd), before the first worker. */
  listening: [info: { sockets: { name: string; address: string; fd: number }[] }];
  /** A reload began, for `instances` instances one by one. */
  reloading: [info: { instances: number }];
  /** A reload started an instance's replacement. */
  'reload-start': [info: { instance: number; pid: number; oldPid: number | undefined }];
  /** The replacement is ready (or the reload grace passed): the old worker is being stopped. */
  'reload-ready': [info: { instance: number; pid: number; oldPid: number | undefined; seconds: number; ready: boolean }];
  /** An instance is reloaded: its replacement serves, its old worker is gone. */
  reloaded: [info: { instance: number; pid: number; oldPid: number | undefined; seconds: number }];
  /** A replacement failed: it was stopped, the old worker keeps running; the reload ends. */
  'reload-failed': [info: { instance: number; message: string }];
  /**
   * A replacement of the supervisor's own begins, for the reason `message` gives: of one instance
   * (`instance`: its tree above maxMemory) or of all (a cronRestart time, a change under watch);
   * the `restarting` event follows, or with `listen` the reload's events.
   */
  'auto-restart': [info: { cause: 'memory' | 'cron' | 'watch' | 'health'; message: string; pid?: number; instance?: number }];
  /**
   * A worker passed its first health check `seconds` after its start (it is ready now; `accepting`:
   * how it was seen taking connections on the checked socket), or passes again after failures (`recovered`).
   */
  healthy: [info: { instance: number; pid: number; seconds: number; recovered: boolean; accepting?: string }];
  /** A health check of a ready worker failed, `failures` of `retries` in a row, answering `answer`. */
  'health-failed': [info: { instance: number; pid: number; failures: number; retries: number; answer: string }];
  /** A ready worker failed `failures` health checks in a row: it is replaced (an `auto-restart` of cause `health` follows). */
  unhealthy: [info: { instance: number; pid: number; failures: number; answer: string }];
  /** Something the supervisor's log should say (a watched path that cannot be watched, say). */
  notice: [info: { message: string }];
}

/** Each kind of {@link SupervisorEvents} once (a kind missing here is a type error). */
const EVENT_KINDS: Record<keyof SupervisorEvents, true> = {
  start: true,
  'spare-exit': true,
  ready: true,
  socket: true,
  drained: true,
  exit: true,
  restart: true,
  stop: true,
  giveup: true,
  'start-failed': true,
  stopping: true,
  restarting: true,
  kill: true,
  cleanup: true,
  'not-ready': true,
  listening: true,
  reloading: true,
  'reload-start': true,
  'reload-ready': true,
  reloaded: true,
  'reload-failed': true,
  'auto-restart': true,
  healthy: true,
  'health-failed': true,
  unhealthy: true,
  notice: true,
};

/** The kinds of {@link SupervisorEvents}, for those that follow every one (the event stream, the log). */
export const SUPERVISOR_EVENT_KINDS = Object.keys(EVENT_KINDS) as (keyof SupervisorEvents)[];

/** Calls `listener` at every event of `supervisor`, with the event's kind and info. */
export function onEveryEvent(
  supervisor: Pick<Supervisor, 'on'>,
  listener: <K extends keyof SupervisorEvents>(kind: K, info: SupervisorEvents[K][0]) => void,
): void {
  const on = supervisor.on as (this: typeof supervisor, event: string, listener: (info: never) => void) => unknown;
  for (const kind of SUPERVISOR_EVENT_KINDS) on.call(supervisor, kind, (info: never) => listener(kind, info));
}

/**
 * What the supervisor process adds to the loop; not for programs (the package does not export it).
 * Its declaration is published all the same: the constructor's names it, and a declaration of a
 * type stripped from the output fails a user's `skipLibCheck: false`.
 */
export interface SupervisorHooks {
  /** Extra environment for the n-th start (1-based), e.g. Go's generation marker. */
  envForStart?: (start: number) => NodeJS.ProcessEnv;
  /** The log (default: one made from `logFile` and the log settings). */
  output?: LogSink;
  /** The worker's executable as given (no PATH lookup: the launcher resolved it). */
  resolved?: boolean;
  /** The prefix of the workers' tree tokens, when it was chosen (and recorded) before the loop. */
  treePrefix?: string;
  /** Where systemd's socket activation variables are read (default: process.env). */
  socketEnv?: NodeJS.ProcessEnv;
  /** Files and folders watch ignores besides the log files (the pid and state files, the state directory). */
  ignoredPaths?: readonly string[];
  /** The clock of the cron restart (tests). */
  clock?: { now(): number };
  /**
   * A group guard shared with other supervisors of this process (a host's), which the supervisor
   * uses and never closes; default: one of its own, closed at its end.
   */
  guard?: GroupGuard;
  /** The defaults the settings were resolved against (a named daemon's), for the rules between them; default: the library's. */
  defaults?: Readonly<DaemonSettings>;
}


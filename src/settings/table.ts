/**
 * The settings of a supervised daemon: one table of names, kinds, defaults and texts from which the
 * library's types and validation, the CLI's flags and help, the fleet files' keys and the service
 * installer's subset are all derived, so that none of them can drift. A row's TSDoc comment is the
 * API documentation of the option: the option types are mapped over this table (./types), and a
 * mapped type carries each row's comment into the published declarations.
 */

/** How a setting's value is checked (and, in the CLI, parsed from text). */
export type SettingKind =
  | { type: 'count'; min?: number }
  | { type: 'seconds' }
  /** `min`: the least a value may be (a check interval: 100 ms). */
  | { type: 'ms'; min?: number }
  | { type: 'choice'; values: readonly string[] }
  | { type: 'codes' }
  | { type: 'path' }
  /** The name of an environment variable (letters, digits, `_`, not starting with a digit), or '' for none. */
  | { type: 'variable' }
  | { type: 'bool' }
  | { type: 'bytes' }
  /** `of: 'address'`: each one a listening address, parsed by the check (./listen). */
  | { type: 'strings'; of?: 'address' }
  | { type: 'cron' }
  /** A health check: `http://…`, `tcp:…` or `exec:…`, parsed by the check (../supervisor/health/health-spec). */
  | { type: 'check' };

/** One row of the table. */
export interface SettingSpec {
  kind: SettingKind;
  /** The default, as the library applies it. */
  default: unknown;
  /** One line for help texts and the README. */
  doc: string;
  /**
   * The CLI flag (and a fleet file's key), where it is not the kebab-case name; `false`: none (the
   * command line names a daemon's own files itself).
   */
  flag?: string | false;
  /**
   * The flag given without a value stands for this value: a list flag (`--watch`: the working
   * directory) takes one only as `--flag=VALUE`; a number flag also takes a number as the next
   * argument (`--wait-ready`, `--wait-ready 5000`).
   */
  bare?: string;
  /** A one-letter spelling of the flag (pm2's `-i`). */
  short?: string;
  /**
   * Whose setting it is when it is not the supervise loop's: `daemon-process`, the process around
   * a `Supervisor` (which does not take it).
   */
  owner?: 'daemon-process';
  /** An OS service manager has it too: `xdaemon install` takes it as a flag. */
  service?: true;
}

/** Largest delay a Node timer takes, in milliseconds. */
export const MAX_TIMER = 2 ** 31 - 1;

/** The settings table (order: as shown in help texts). */
export const SETTINGS = {
  /** Total number of worker starts; 0 (default) means no limit. A whole number. */
  maxCount: { kind: { type: 'count' }, default: 0, doc: 'total worker starts; 0 = unlimited' },
  /**
   * Consecutive failures allowed (default 3); one more and the supervisor gives up with exit code 1.
   * A whole number.
   */
  maxError: { kind: { type: 'count' }, default: 3, doc: 'consecutive failures allowed; one more gives up (exit 1)' },
  /** Seconds a worker must run for its exit not to count as a failure (default 10; fractions allowed). */
  minExitTime: { kind: { type: 'seconds' }, default: 10, doc: 'seconds a run must last not to count as a failure' },
  /** Milliseconds between the stop signal and SIGKILL when stopping the worker (default 5000). */
  killTimeout: { kind: { type: 'ms' }, default: 5000, doc: 'ms between SIGTERM and SIGKILL when stopping the worker', service: true },
  /** Milliseconds to wait before each restart (default 0: at once, as in Go). */
  restartDelay: { kind: { type: 'ms' }, default: 0, doc: 'ms to wait before each restart (0: at once, as in Go)', service: true },
  /**
   * `fixed` (default) or `exponential`: double `restartDelay` per consecutive failure, up to
   * `maxRestartDelay`.
   */
  backoff: { kind: { type: 'choice', values: ['fixed', 'exponential'] }, default: 'fixed', doc: 'exponential: double restartDelay per consecutive failure' },
  /** Cap of the exponential backoff in milliseconds (default 30000). */
  maxRestartDelay: { kind: { type: 'ms' }, default: 30_000, doc: 'cap of the exponential backoff, ms' },
  /**
   * `always` (default, Go's): restart after every exit; `on-failure`: not after an exit with code
   * 0 (or one of `successExitCodes`), the supervisor then ends with 0; `never`: run the worker once.
   */
  restart: {
    kind: { type: 'choice', values: ['always', 'on-failure', 'never'] },
    default: 'always',
    doc: 'always (Go); on-failure: not after a successful exit; never: run once',
    service: true,
  },
  /** Exit codes besides 0 that count as success for `restart: 'on-failure'` (default none). */
  successExitCodes: { kind: { type: 'codes' }, default: [], doc: 'exit codes besides 0 that count as success for on-failure' },
  /**
   * `group` (default): when a worker exits, whatever it left running (its process group and, on
   * Linux, its whole tree) is stopped before the next start, and a stop reaches all of it;
   * `process` (Go's): only the worker itself is signalled, and what it leaves runs on.
   */
  killMode: {
    kind: { type: 'choice', values: ['group', 'process'] },
    default: 'group',
    doc: "group: stop what a worker left running before the next start; process: leave it (Go's)",
  },
  /**
   * Milliseconds a worker has to call `ready()` (default 0: no waiting). The launcher then exits 0
   * only once the first worker is ready, and fails (stopping everything) if it dies first or the
   * time runs out; a later worker that is not ready in time is stopped and counts as a failure.
   */
  waitReady: {
    kind: { type: 'ms' },
    default: 0,
    // pm2's --wait-ready takes no value: its listen_timeout default, 3000 ms.
    bare: '3000',
    doc: "ms a worker has to call ready() (or, with cluster, process.send('ready')); alone: 3000 (pm2's listen timeout); 0: do not wait",
    service: true,
  },
  /**
   * Pid file (default '': none). The supervisor holds a lock that dies with it, so one daemon runs
   * per pid file: a second launch is refused, printing the running supervisor's pid, with exit code
   * 150 (`EXIT_ALREADY_RUNNING`). Enables `status()`, `stop()`, `restart()` and `reload()` from any
   * process.
   */
  pidFile: {
    kind: { type: 'path' },
    default: '',
    doc: 'pid file (single instance, status, stop, restart); empty: none',
    // A named daemon's pid file is its own in the state directory; a Supervisor has none.
    flag: false,
    owner: 'daemon-process',
  },
  /**
   * Prefix every line of the worker's output with an ISO 8601 UTC time (default false). Switches
   * to piped mode: the supervisor reads the worker's output and is the only writer of the log.
   */
  timestamps: { kind: { type: 'bool' }, default: false, doc: "prefix each line of the worker's output with an ISO time (piped mode)" },
  /** File for the worker's stderr (default '': the log file). In piped mode it gets the same prefix. */
  errFile: { kind: { type: 'path' }, default: '', doc: "file for the worker's stderr; empty: the log file", service: true },
  /**
   * Rotate the log (and errFile) by rename when a line would take it beyond this many bytes
   * (default 0: never). Switches to piped mode.
   */
  maxSize: { kind: { type: 'bytes' }, default: 0, doc: 'rotate the log by rename when it would grow beyond this many bytes (piped mode); 0: never' },
  /** Rotated files kept: `log.1` (newest) … `log.N`; the oldest is deleted (default 5). */
  maxFiles: { kind: { type: 'count' }, default: 5, doc: 'rotated files kept (log.1 … log.N), the oldest deleted' },
  /**
   * Bytes (default 0: no limit). Checked every second from /proc (Linux): when the summed RSS of
   * an instance's whole worker tree is above it, that instance's worker is replaced gracefully,
   * counted in `restarts`, never in `errors`.
   */
  maxMemory: {
    kind: { type: 'bytes' },
    default: 0,
    doc: "replace an instance's worker gracefully (that instance alone; with --listen: new ready first) when its whole tree's RSS is above this, checked every second; 0: no limit",
  },
  /**
   * A cron expression of 5 fields (minute hour day-of-month month day-of-week) in the system's
   * local time (default '': none): the worker is restarted gracefully at those times.
   */
  cronRestart: { kind: { type: 'cron' }, default: '', doc: 'restart the worker gracefully at these times (5 cron fields, local time); empty: never' },
  /**
   * Paths (files or folders; relative ones to the working directory) whose changes restart the
   * worker (default none). node_modules, .git, dotfiles, the log files and the pid and state files
   * are always ignored.
   */
  watch: {
    kind: { type: 'strings' },
    default: [],
    bare: '.',
    doc: 'restart the worker when a file under these paths changes (relative: to the working directory; --watch alone: that directory; repeatable)',
  },
  /** Globs of paths that `watch` ignores besides the built-in ones (default none). */
  watchIgnore: {
    kind: { type: 'strings' },
    default: [],
    flag: 'ignore',
    doc: 'globs of paths watch ignores besides node_modules, .git, dotfiles, the logs and the state',
  },
  /** Milliseconds without a further change before `watch` restarts the worker (default 200). */
  watchDebounce: { kind: { type: 'ms' }, default: 200, doc: 'ms without a change before watch restarts the worker' },
  /**
   * Listening addresses the supervisor binds once and hands to every worker as descriptors 3, 4, …
   * (systemd's `LISTEN_FDS` protocol): `8080`, `127.0.0.1:8080`, `[::1]:8080`, `unix:/path`, each
   * optionally named (`http=8080`). Default none. The worker takes one with `listenHandle()`, or
   * its own `listen(port)` of a held port does.
   */
  listen: {
    kind: { type: 'strings', of: 'address' },
    default: [],
    doc: 'address the supervisor holds for its workers (PORT, HOST:PORT, [V6]:PORT, unix:PATH; NAME=ADDR), repeatable',
    service: true,
  },
  /** Workers run side by side (default 1), each with `XDAEMON_INSTANCE` 0…N-1, each restarted on its own. */
  instances: {
    kind: { type: 'count', min: 1 },
    default: 1,
    short: 'i',
    doc: 'workers run side by side, each restarted on its own (CLI: max or 0 = one per CPU, -N = N fewer)',
  },
  /**
   * A variable each instance also gets its number 0…N-1 in (default '': only `XDAEMON_INSTANCE`
   * and `NODE_APP_INSTANCE`, which every worker gets), as pm2's `instance_var`.
   */
  instanceVar: { kind: { type: 'variable' }, default: '', doc: 'a variable that also holds the instance number 0…N-1 (XDAEMON_INSTANCE and NODE_APP_INSTANCE always do)' },
  /**
   * A variable that instance i gets as its value in the environment plus i (0 when unset), as
   * pm2's `increment_var` (`PORT`: 3000, 3001, …): each instance its own port (default '': none).
   */
  incrementVar: { kind: { type: 'variable' }, default: '', doc: "a variable that instance i gets as the environment's value + i (PORT: 3000, 3001, …)" },
  /**
   * Node workers get an IPC channel (`process.send`, as under pm2) and their `listen()` of a port
   * or a unix path is served by a socket the supervisor binds on the first such request and holds
   * for the daemon's life, as Node's cluster primary does (default false; true for `xdaemon start`
   * and fleet files): every instance shares one accept queue, and a reload or restart refuses no
   * connection, whatever port the program's code listens on.
   */
  cluster: {
    kind: { type: 'bool' },
    default: false,
    // Not a flag: xdaemon start and fleet files run Node programs so; the library's Daemon does not.
    flag: false,
    doc: "Node workers: process.send, and listen() served by sockets the supervisor holds (pm2's cluster mode)",
  },
  /** Milliseconds a reload keeps old and new worker side by side when `waitReady` is 0 (default 2000). */
  reloadGrace: { kind: { type: 'ms' }, default: 2000, doc: 'ms a reload overlaps old and new worker when waitReady is 0' },
  /**
   * A check of the app (default '': none), run by the supervisor: `http://HOST:PORT/PATH` (a GET;
   * 2xx and 3xx pass), `tcp:HOST:PORT` (a connect passes) or `exec:COMMAND` (run by /bin/sh in the
   * working directory with `XDAEMON_INSTANCE` and `XDAEMON_WORKER_PID`; exit 0 passes). A worker is
   * ready at its first pass (for the start, a reload and every replacement; with `listen`, on
   * Linux, only once the worker itself accepts on the held socket); a ready worker whose checks
   * fail `healthRetries` times in a row is replaced gracefully, counted in `restarts`.
   */
  health: {
    kind: { type: 'check' },
    default: '',
    doc: "check the app: http://HOST:PORT/PATH (2xx, 3xx pass), tcp:HOST:PORT, exec:COMMAND; ready at the first pass, replaced after health-retries failures in a row",
  },
  /** Milliseconds between two checks of a ready worker (default 10000, at least 100); a starting one is checked far more often. */
  healthInterval: { kind: { type: 'ms', min: 100 }, default: 10_000, doc: 'ms between two checks of a ready worker (a starting one is checked far more often)' },
  /** Milliseconds one check may take (default 2000, at most `healthInterval`, to which a default above it shrinks). */
  healthTimeout: { kind: { type: 'ms' }, default: 2000, doc: 'ms one check may take (at most health-interval)' },
  /** Failed checks in a row that make a ready worker unhealthy: it is then replaced (default 3). */
  healthRetries: { kind: { type: 'count', min: 1 }, default: 3, doc: 'failed checks in a row that make a ready worker unhealthy: it is replaced' },
  /**
   * Milliseconds a starting worker has for its first passing check (default 60000, at least 100);
   * its failures until then do not count. Without `waitReady` it is the time the worker has to be
   * ready: one that has not passed by then is stopped, a failed start.
   */
  healthStartPeriod: { kind: { type: 'ms', min: 100 }, default: 60_000, doc: 'ms a starting worker has for its first pass; its failures until then do not count' },
  /**
   * Keep one spare node process booted with the worker's node binary, flags, working directory,
   * environment and stdio, idle, that becomes the next worker when one is to start: a restart
   * without a Node start-up (default false). Node workers only.
   */
  prewarm: { kind: { type: 'bool' }, default: false, doc: 'keep one idle node booted to become the next worker (Node workers only)' },
  /**
   * Files of `NAME=value` lines (dotenv syntax: quotes, `export `, comments, multi-line values in
   * double quotes) read at every start of a worker, so that a restart takes their current content
   * (default none; a later file wins). Their variables go over the inherited environment and under
   * the variables set for the daemon (`env`, `--env`). Never written into a record, a state file,
   * a log or `save` output: only the paths are.
   */
  envFile: {
    kind: { type: 'strings' },
    default: [],
    doc: "file of NAME=value lines (dotenv) read at every start, under --env; its values are never stored (repeatable)",
    // Read by the process around the loop, at each start (../daemon-process/env-file-start).
    owner: 'daemon-process',
    service: true,
  },
} as const satisfies Record<string, SettingSpec>;

/**
 * The settings of a supervised daemon: one table of names, kinds, defaults and descriptions that
 * drives the library's validation, the CLI's flags and the service installer, so they cannot
 * drift. Validation errors name the setting and the value.
 */
import { describe } from './errors.js';
import { parseAddresses } from './socket/address.js';
import { type RestartPolicy, ignoredSetting } from './supervisor/policy.js';
import { ignoredWatchSetting } from './supervisor/watch-settings.js';

/** How a setting's value is checked (and, in the CLI, parsed from text). */
export type SettingKind =
  | { type: 'count'; min?: number }
  | { type: 'seconds' }
  | { type: 'ms' }
  | { type: 'choice'; values: readonly string[] }
  | { type: 'codes' }
  | { type: 'path' }
  | { type: 'bool' }
  | { type: 'bytes' }
  | { type: 'strings' }
  | { type: 'cron' };

/** One row of the table. */
export interface SettingSpec {
  kind: SettingKind;
  /** The default, as the library applies it. */
  default: unknown;
  /** One line for help texts and the README. */
  doc: string;
  /** The CLI flag, where it is not the kebab-case name. */
  flag?: string;
  /** A list flag given without `=VALUE` stands for this value (`--watch`: the working directory). */
  bare?: string;
}

/** Largest delay a Node timer takes, in milliseconds. */
export const MAX_TIMER = 2 ** 31 - 1;

/** The settings table (order: as shown in help texts). */
export const SETTINGS = {
  maxCount: { kind: { type: 'count' }, default: 0, doc: 'total worker starts; 0 = unlimited' },
  maxError: { kind: { type: 'count' }, default: 3, doc: 'consecutive failures allowed; one more gives up (exit 1)' },
  minExitTime: { kind: { type: 'seconds' }, default: 10, doc: 'seconds a run must last not to count as a failure' },
  killTimeout: { kind: { type: 'ms' }, default: 5000, doc: 'ms between SIGTERM and SIGKILL when stopping the worker' },
  restartDelay: { kind: { type: 'ms' }, default: 0, doc: 'ms to wait before each restart (0: at once, as in Go)' },
  backoff: { kind: { type: 'choice', values: ['fixed', 'exponential'] }, default: 'fixed', doc: 'exponential: double restartDelay per consecutive failure' },
  maxRestartDelay: { kind: { type: 'ms' }, default: 30_000, doc: 'cap of the exponential backoff, ms' },
  restart: {
    kind: { type: 'choice', values: ['always', 'on-failure', 'never'] },
    default: 'always',
    doc: 'always (Go); on-failure: not after a successful exit; never: run once',
  },
  successExitCodes: { kind: { type: 'codes' }, default: [], doc: 'exit codes besides 0 that count as success for on-failure' },
  killMode: {
    kind: { type: 'choice', values: ['group', 'process'] },
    default: 'group',
    doc: "group: stop what a worker left running before the next start; process: leave it (Go's)",
  },
  waitReady: { kind: { type: 'ms' }, default: 0, doc: 'ms a worker has to call ready(); 0: do not wait' },
  pidFile: { kind: { type: 'path' }, default: '', doc: 'pid file (single instance, status, stop, restart); empty: none' },
  timestamps: { kind: { type: 'bool' }, default: false, doc: "prefix each line of the worker's output with an ISO time (piped mode)" },
  errFile: { kind: { type: 'path' }, default: '', doc: "file for the worker's stderr; empty: the log file" },
  maxSize: { kind: { type: 'bytes' }, default: 0, doc: 'rotate the log by rename when it would grow beyond this many bytes (piped mode); 0: never' },
  maxFiles: { kind: { type: 'count' }, default: 5, doc: 'rotated files kept (log.1 … log.N), the oldest deleted' },
  maxMemory: { kind: { type: 'bytes' }, default: 0, doc: "replace an instance's worker gracefully (that instance alone; with --listen: new ready first) when its whole tree's RSS is above this, checked every second; 0: no limit" },
  cronRestart: { kind: { type: 'cron' }, default: '', doc: 'restart the worker gracefully at these times (5 cron fields, local time); empty: never' },
  watch: { kind: { type: 'strings' }, default: [], bare: '.', doc: 'restart the worker when a file under these paths changes (relative: to the working directory; --watch alone: that directory; repeatable)' },
  watchIgnore: { kind: { type: 'strings' }, default: [], flag: 'ignore', doc: 'globs of paths watch ignores besides node_modules, .git, dotfiles, the logs and the state' },
  watchDebounce: { kind: { type: 'ms' }, default: 200, doc: 'ms without a change before watch restarts the worker' },
  listen: {
    kind: { type: 'strings' },
    default: [],
    doc: 'address the supervisor holds for its workers (PORT, HOST:PORT, [V6]:PORT, unix:PATH; NAME=ADDR), repeatable',
  },
  instances: { kind: { type: 'count', min: 1 }, default: 1, doc: 'workers run side by side, each restarted on its own (CLI: max = CPUs)' },
  reloadGrace: { kind: { type: 'ms' }, default: 2000, doc: 'ms a reload overlaps old and new worker when waitReady is 0' },
  prewarm: { kind: { type: 'bool' }, default: false, doc: 'keep one idle node booted to become the next worker (Node workers only)' },
} as const satisfies Record<string, SettingSpec>;

/** Names of the settings. */
export type SettingName = keyof typeof SETTINGS;

/** Options of a {@link Daemon} (and, with the command, of a `Supervisor`). */
export interface DaemonOptions {
  /** Total number of worker starts; 0 (default) means no limit. A whole number. */
  maxCount?: number | undefined;
  /** Consecutive failures allowed before giving up (default 3). A whole number. */
  maxError?: number | undefined;
  /** Seconds a worker must run for its exit not to count as a failure (default 10; fractions allowed). */
  minExitTime?: number | undefined;
  /** Milliseconds between the stop signal and SIGKILL when stopping the worker (default 5000). */
  killTimeout?: number | undefined;
  /** Milliseconds to wait before each restart (default 0: at once, as in Go). */
  restartDelay?: number | undefined;
  /** `fixed` (default) or `exponential`: double `restartDelay` per consecutive failure. */
  backoff?: 'fixed' | 'exponential' | undefined;
  /** Cap of the exponential backoff in milliseconds (default 30000). */
  maxRestartDelay?: number | undefined;
  /**
   * `always` (default, Go's): restart after every exit; `on-failure`: not after an exit with code
   * 0 (or one of `successExitCodes`), the supervisor then ends with 0; `never`: run the worker once.
   */
  restart?: 'always' | 'on-failure' | 'never' | undefined;
  /** Exit codes besides 0 that count as success for `restart: 'on-failure'` (default none). */
  successExitCodes?: readonly number[] | undefined;
  /**
   * `group` (default): when a worker exits, whatever it left running (its process group and, on
   * Linux, its whole tree) is stopped before the next start, and a stop reaches all of it;
   * `process` (Go's): only the worker itself is signalled, and what it leaves runs on.
   */
  killMode?: 'group' | 'process' | undefined;
  /**
   * Milliseconds a worker has to call `ready()` (default 0: no waiting). The launcher then exits 0
   * only once the first worker is ready, and fails (stopping everything) if it dies first or the
   * time runs out; a later worker that is not ready in time is stopped and counts as a failure.
   */
  waitReady?: number | undefined;
  /**
   * Pid file (default '': none). The supervisor holds a lock that dies with it, so one daemon runs
   * per pid file: a second start is refused. Enables `status()`, `stop()` and `restart()`.
   */
  pidFile?: string | undefined;
  /**
   * Prefix every line of the worker's output with an ISO 8601 UTC time (default false). Switches
   * to piped mode: the supervisor reads the worker's output and is the only writer of the log.
   */
  timestamps?: boolean | undefined;
  /** File for the worker's stderr (default '': the log file). In piped mode it gets the same prefix. */
  errFile?: string | undefined;
  /**
   * Rotate the log (and errFile) by rename when a line would take it beyond this many bytes
   * (default 0: never). Switches to piped mode.
   */
  maxSize?: number | undefined;
  /** Rotated files kept: `log.1` (newest) … `log.N`; the oldest is deleted (default 5). */
  maxFiles?: number | undefined;
  /**
   * Bytes (default 0: no limit). Checked every second from /proc (Linux): when the summed RSS of
   * the worker's whole tree is above it, the worker is restarted gracefully, counted in `restarts`,
   * never in `errors`.
   */
  maxMemory?: number | undefined;
  /**
   * A cron expression of 5 fields (minute hour day-of-month month day-of-week) in the system's
   * local time (default '': none): the worker is restarted gracefully at those times.
   */
  cronRestart?: string | undefined;
  /**
   * Paths (files or folders; relative ones to the working directory) whose changes restart the
   * worker (default none). node_modules, .git, dotfiles, the log files and the pid and state files
   * are always ignored.
   */
  watch?: readonly string[] | undefined;
  /** Globs of paths that `watch` ignores besides the built-in ones (default none). */
  watchIgnore?: readonly string[] | undefined;
  /** Milliseconds without a further change before `watch` restarts the worker (default 200). */
  watchDebounce?: number | undefined;
  /**
   * Listening addresses the supervisor binds once and hands to every worker as descriptors 3, 4, …
   * (systemd's `LISTEN_FDS` protocol): `8080`, `127.0.0.1:8080`, `[::1]:8080`, `unix:/path`, each
   * optionally named (`http=8080`). Default none.
   */
  listen?: readonly string[] | undefined;
  /** Workers run side by side (default 1), each with `XDAEMON_INSTANCE` 0…N-1, each restarted on its own. */
  instances?: number | undefined;
  /** Milliseconds a reload keeps old and new worker side by side when `waitReady` is 0 (default 2000). */
  reloadGrace?: number | undefined;
  /**
   * Keep one spare node process booted with the worker's node binary, flags, working directory,
   * environment and stdio, idle, that becomes the next worker when one is to start: a restart
   * without a Node start-up (default false). Node workers only.
   */
  prewarm?: boolean | undefined;
}

/** The resolved settings a supervisor runs with. */
export interface DaemonSettings extends RestartPolicy {
  killTimeout: number;
  killMode: 'group' | 'process';
  waitReady: number;
  /** Absolute, or '' for none. */
  pidFile: string;
  timestamps: boolean;
  /** Absolute, or '' for the log file. */
  errFile: string;
  maxSize: number;
  maxFiles: number;
  maxMemory: number;
  /** '' for none. */
  cronRestart: string;
  watch: readonly string[];
  watchIgnore: readonly string[];
  watchDebounce: number;
  listen: readonly string[];
  instances: number;
  reloadGrace: number;
  prewarm: boolean;
}

/** Defaults: Go's `NewDaemon` plus the opt-in extras switched off. */
export const DEFAULTS: Readonly<DaemonSettings> = Object.freeze(
  Object.fromEntries(Object.entries(SETTINGS).map(([name, spec]) => [name, spec.default])) as unknown as DaemonSettings,
);

const NAMES = Object.keys(SETTINGS) as SettingName[];

/** Throws unless `options` is an object with known keys only. */
export function checkOptionKeys(options: unknown, known: readonly string[] = NAMES): asserts options is DaemonOptions {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`xdaemon: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`xdaemon: unknown option ${JSON.stringify(key)} (known: ${known.join(', ')})`);
    }
  }
}

/**
 * Validates every setting of `source` (fields of a Daemon, or options); `undefined` means "not
 * set" and gets the default. Throws a TypeError or RangeError naming the first bad one, or one
 * that would have no effect with the others (see ./supervisor/policy `ignoredSetting`).
 */
export function checkSettings(source: Readonly<Partial<Record<SettingName, unknown>>>): DaemonSettings {
  const settings: Record<string, unknown> = {};
  for (const name of NAMES) {
    const value = source[name];
    settings[name] = value === undefined ? SETTINGS[name].default : checkSetting(name, value);
  }
  const checked = settings as unknown as DaemonSettings;
  checkListen(checked.listen);
  // Refused, not accepted and then ignored.
  const ignored = ignoredSetting(checked, SETTINGS.maxRestartDelay.default);
  if (ignored !== undefined) throw new RangeError(`xdaemon: ${ignored.option} cannot apply: ${ignored.reason}`);
  const watchIgnored = ignoredWatchSetting(checked, SETTINGS.watchDebounce.default);
  if (watchIgnored !== undefined) throw new RangeError(`xdaemon: ${watchIgnored.option} cannot apply: ${watchIgnored.reason}`);
  return checked;
}

/**
 * The rule `listen` adds to its kind: every address parses, names and addresses differ, and the
 * platform can pass sockets to a child (Windows cannot). Throws a RangeError naming the address.
 */
export function checkListen(listen: readonly string[]): void {
  if (listen.length > 0 && process.platform === 'win32') {
    throw new RangeError('xdaemon: listen is not supported on Windows: Node cannot pass a listening socket to a child process there');
  }
  parseAddresses(listen);
}

/** Checks one value against its row of the table; returns it (a copy, for arrays). */
export function checkSetting(name: SettingName, value: unknown): unknown {
  const kind: SettingKind = SETTINGS[name].kind;
  switch (kind.type) {
    case 'choice':
      if (typeof value !== 'string' || !kind.values.includes(value)) {
        throw new TypeError(`xdaemon: ${name} must be ${kind.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describe(value)}`);
      }
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw new TypeError(`xdaemon: ${name} must be a boolean, got ${describe(value)}`);
      return value;
    case 'path':
      if (typeof value !== 'string') throw new TypeError(`xdaemon: ${name} must be a string, got ${describe(value)}`);
      if (value.includes('\0')) throw new TypeError(`xdaemon: ${name} must not contain a NUL byte`);
      return value;
    case 'codes': {
      if (!Array.isArray(value)) throw new TypeError(`xdaemon: ${name} must be an array of exit codes, got ${describe(value)}`);
      for (const code of value as unknown[]) {
        if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 255) {
          throw new RangeError(`xdaemon: ${name} must hold whole numbers from 0 to 255, got ${describe(code)}`);
        }
      }
      return [...(value as number[])];
    }
    case 'strings': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        throw new TypeError(`xdaemon: ${name} must be an array of strings, got ${describe(value)}`);
      }
      if (value.some((v: string) => v.includes('\0'))) throw new TypeError(`xdaemon: ${name} must not contain a NUL byte`);
      return [...(value as string[])];
    }
    case 'cron': {
      if (typeof value !== 'string') throw new TypeError(`xdaemon: ${name} must be a string, got ${describe(value)}`);
      const problem = value === '' ? undefined : cronProblem(value);
      if (problem !== undefined) throw new RangeError(`xdaemon: ${name} ${JSON.stringify(value)} is not a schedule: ${problem}`);
      return value;
    }
    default: {
      if (typeof value !== 'number') throw new TypeError(`xdaemon: ${name} must be a number, got ${describe(value)}`);
      if (!Number.isFinite(value) || value < 0) throw new RangeError(`xdaemon: ${name} must be a finite number >= 0, got ${describe(value)}`);
      if ((kind.type === 'count' || kind.type === 'bytes') && !Number.isInteger(value)) {
        throw new RangeError(`xdaemon: ${name} must be a whole number, got ${value}`);
      }
      if (kind.type === 'count' && kind.min !== undefined && value < kind.min) {
        throw new RangeError(`xdaemon: ${name} must be at least ${kind.min}, got ${value}`);
      }
      if (kind.type === 'ms' && value > MAX_TIMER) throw new RangeError(`xdaemon: ${name} must be at most ${MAX_TIMER} ms, got ${value}`);
      return value;
    }
  }
}

/**
 * Why `expression` is not a 5-field cron schedule, or undefined. The parser (croner) is loaded only
 * here and by the cron restart, so that nothing pays for it unless a schedule is set.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `it has ${fields.length} field(s), a schedule has 5 (minute hour day-of-month month day-of-week)`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Cron } = require('croner') as typeof import('croner');
    new Cron(expression, { paused: true });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Generations: the `XW_DAEMON_IDX` marker and the per-process call counter.
 *
 * The marker is read once, when the first copy of the library loads, and removed from
 * `process.env` so that programs the final process starts do not inherit it. The state lives on
 * `globalThis` under a `Symbol.for` key, so an ESM copy and a CJS copy (or two installed copies)
 * of the library in one process share one counter and one marker.
 */
import { XDaemonError } from './errors.js';

/** Name of the environment variable that tells a generation its index (Go's `ENV_NAME`). */
export const ENV_NAME = 'XW_DAEMON_IDX';

interface GenerationState {
  /** The marker this process was started with (0 when absent or not an integer). */
  readonly marker: number;
  /** How many generation-counting calls this process has made so far. */
  calls: number;
  /** Set once `Daemon.run()` has been called in this process (the process is then a worker). */
  ranDaemon?: boolean;
}

const STATE_KEY = Symbol.for('xdaemon.generation.v1');

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Parses a marker the way Go's `strconv.Atoi` does on a 64-bit system: an optional sign and
 * decimal digits, nothing else, within int64. Anything else (empty, `abc`, `1.5`, ` 3`, beyond
 * int64) counts as 0. A value beyond 2^53 keeps its sign and size (as a double: a generation that
 * large is past every call, as in Go); only its last digits are rounded.
 */
export function parseMarker(value: string | undefined): number {
  if (value === undefined || !/^[+-]?[0-9]+$/.test(value)) return 0;
  const n = BigInt(value);
  return n < INT64_MIN || n > INT64_MAX ? 0 : Number(n);
}

function state(): GenerationState {
  const holder = globalThis as unknown as Record<symbol, GenerationState | undefined>;
  let s = holder[STATE_KEY];
  if (s === undefined) {
    s = { marker: parseMarker(process.env[ENV_NAME]), calls: 0 };
    delete process.env[ENV_NAME];
    holder[STATE_KEY] = s;
  }
  return s;
}

// Read (and hide) the marker as soon as the library loads, before user code can spawn anything.
state();

/** The marker this process was started with. */
export function currentMarker(): number {
  return state().marker;
}

/**
 * Counts one call and tells whether it belongs to this process: `index` is the call's number
 * (1-based) and `mine` is true when the index is above the marker, i.e. this generation has not
 * passed that point yet and must act (spawn the next generation).
 */
export function nextCall(): { index: number; mine: boolean } {
  const s = state();
  s.calls += 1;
  return { index: s.calls, mine: s.calls > s.marker };
}

/**
 * Refuses a call that would start another process after `Daemon.run()` (a second supervisor, or an
 * unsupervised copy that outlives a stop), and any call from a worker thread (where
 * `process.exit` only ends the thread, so the program would keep running beside its copy).
 */
export function checkMayStart(call: 'background()' | 'Daemon.run()'): void {
  if (inWorkerThread()) {
    throw new XDaemonError(`${call} cannot be called from a worker thread: call it at the top of the main script`);
  }
  if (state().ranDaemon === true) {
    throw new XDaemonError(
      `${call} cannot be called after Daemon.run() in the same process (pid ${process.pid}): ` +
        'this process is a supervised worker, and what it started would escape its supervisor',
    );
  }
}

/** Records that `Daemon.run()` was called in this process. */
export function markDaemonRun(): void {
  state().ranDaemon = true;
}

/**
 * True inside a worker thread. Node replaces the process-wide calls a thread may not make
 * (`process.chdir`, `process.abort`, …) with stubs marked `disabled`; reading that mark costs
 * nothing, where loading node:worker_threads for `isMainThread` costs ~2 ms in every worker.
 */
function inWorkerThread(): boolean {
  return (process.chdir as { disabled?: unknown }).disabled === true;
}

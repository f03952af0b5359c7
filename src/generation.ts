/**
 * Generations: the `XW_DAEMON_IDX` marker and the per-process call counter.
 *
 * The marker is read once, when the first copy of the library loads, and removed from
 * `process.env` so that programs the final process starts do not inherit it. The state lives on
 * `globalThis` under a `Symbol.for` key, so an ESM copy and a CJS copy (or two installed copies)
 * of the library in one process share one counter and one marker.
 */

/** Name of the environment variable that tells a generation its index (Go's `ENV_NAME`). */
export const ENV_NAME = 'XW_DAEMON_IDX';

interface GenerationState {
  /** The marker this process was started with (0 when absent or not an integer). */
  readonly marker: number;
  /** How many generation-counting calls this process has made so far. */
  calls: number;
}

const STATE_KEY = Symbol.for('xdaemon.generation.v1');

/**
 * Parses a marker the way Go's `strconv.Atoi` does: an optional sign and decimal digits, nothing
 * else. Anything else (empty, `abc`, `1.5`, ` 3`, out of range) counts as 0.
 */
export function parseMarker(value: string | undefined): number {
  if (value === undefined || !/^[+-]?[0-9]+$/.test(value)) return 0;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : 0;
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

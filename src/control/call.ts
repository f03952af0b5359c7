/**
 * The lifetime of one public control call (`status()`, `stop()`, `restart()` and every later one):
 * whatever the call starts (its sockets, its timeouts, its waits) is tied to one AbortSignal, and
 * the call aborts it as it settles, resolved or rejected. So nothing a call started keeps the
 * caller's event loop alive once its promise has settled: `await stop(…)` in a deploy script, and
 * the script exits right after.
 */

/** What a call's body gets: its signal, and waits that end with it. */
export interface CallScope {
  /** Aborted as the call settles. */
  readonly signal: AbortSignal;
  /** Resolves after `ms`, or at once when the call settles (its timer is cleared then). */
  sleep(ms: number): Promise<void>;
}

/** Runs `body` in a scope of its own and tears that scope down as the call settles. */
export async function controlCall<T>(body: (scope: CallScope) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const { signal } = controller;
  try {
    return await body({ signal, sleep: (ms) => abortableSleep(ms, signal) });
  } finally {
    controller.abort();
  }
}

/** A sleep that ends early (resolved) when `signal` aborts; no listener or timer outlives it. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

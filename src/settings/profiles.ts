/**
 * The defaults of a named daemon (`xdaemon start`, `xdaemon run`, the apps of a fleet file), beside
 * the library's own (the table's: Go's `NewDaemon`, which `Daemon` keeps exactly). A service has to
 * keep coming back: with Go's ten-second rule and three failures, an app that crashes two seconds
 * after each start (its database is down) is given up for good within seconds. A named daemon
 * takes pm2's rule instead, with a backoff: a run shorter than 1 s is a failure, 16 failures in a
 * row give up, and each restart waits 100 ms doubled per failure in a row up to 15 s, back to
 * 100 ms after a run that lasted (pm2, systemd, Docker and Kubernetes all keep such a service
 * coming back). Node programs run in cluster mode (the `cluster` row). Pure.
 */
import { DEFAULTS } from './derived.js';
import type { DaemonSettings, SettingName } from './types.js';

/** What a named daemon's defaults change of the library's. */
export const NAMED_DAEMON_DEFAULTS = {
  minExitTime: 1,
  maxError: 15,
  restartDelay: 100,
  backoff: 'exponential',
  maxRestartDelay: 15_000,
  cluster: true,
} as const satisfies Partial<DaemonSettings>;

/**
 * The defaults of a named daemon whose settings `given` names. A `restartDelay` given alone is a
 * fixed delay, as pm2's `--restart-delay` is (the backoff then applies only when asked for).
 */
export function namedDaemonDefaults(given: (name: SettingName) => boolean = () => false): Readonly<DaemonSettings> {
  return { ...DEFAULTS, ...NAMED_DAEMON_DEFAULTS, backoff: given('restartDelay') ? 'fixed' : 'exponential' };
}

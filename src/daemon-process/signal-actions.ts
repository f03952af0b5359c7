/**
 * The signals a supervisor process acts on, for shell users and init systems, as a table: each
 * signal asks for an operation of the control channel and runs its very handler
 * (./control-surface), so a signal and a request for the same thing take the same path. SIGUSR1
 * stays Node's debugger signal.
 */
import type { OperationName, StreamOperation } from '../control/operations.js';
import type { Handlers } from './control-server.js';

/** What each signal asks for. */
export const SIGNAL_ACTIONS = {
  SIGTERM: 'stop',
  SIGINT: 'stop',
  // logrotate's `postrotate` convention.
  SIGHUP: 'reopen',
  SIGUSR2: 'restart',
} as const satisfies Partial<Record<NodeJS.Signals, Exclude<OperationName, StreamOperation>>>;

/** Installs the table: from now on each of its signals runs its operation's handler. */
export function installSignalActions(handlers: Pick<Handlers, (typeof SIGNAL_ACTIONS)[keyof typeof SIGNAL_ACTIONS]>): void {
  for (const [signal, operation] of Object.entries(SIGNAL_ACTIONS) as [NodeJS.Signals, (typeof SIGNAL_ACTIONS)[keyof typeof SIGNAL_ACTIONS]][]) {
    process.on(signal, () => {
      // The handler says in the log what it did, and what failed: a signal has no one to answer.
      Promise.resolve()
        .then(() => handlers[operation]({}, { kind: 'signal', signal }))
        .catch(() => undefined);
    });
  }
}

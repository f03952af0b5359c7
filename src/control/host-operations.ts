/**
 * The operations of a host's own control channel (the address of `<state directory>/.host.pid`,
 * which is also the lock of one host per state directory): `add` hands it a daemon to run, `status`
 * tells what it runs. Each daemon it runs answers the daemon operations (./operations) on its own
 * address, as any supervisor does, so that every client call works on it unchanged. Declared as
 * the daemon operations are: a row each, the host's handlers and the client's call derived from it.
 */
import type { SupervisorConfig } from '../daemon-process/config.js';
import type { HandshakeMessage } from '../daemon-process/handshake.js';
import { type NoParams, type RowAnswer, type RowParams, answered } from './operations.js';

/** A daemon for a host to run: what a launcher would hand a supervisor process of its own. */
export interface AddParams {
  /** The supervisor's configuration (its `handshake` is null: the answer is the channel). */
  config: SupervisorConfig;
  /** The worker's arguments. */
  args: string[];
  /** The environment the workers' is made from: the invoking one plus the daemon's additions. */
  env: NodeJS.ProcessEnv;
}

/** The table. */
export const HOST_OPERATIONS = {
  /**
   * Run a daemon: answered as a launcher's handshake ends (./handshake's messages): `supervising`
   * (or, with waitReady or listen, once its first workers are up: `ready`, `started`), `refused`
   * when its pid file is another supervisor's, `failed` when it cannot start. The client gives it
   * the time a launcher would, for each daemon.
   */
  add: answered<AddParams, { outcome: HandshakeMessage }>(10_000),
  /** What the host runs. */
  status: answered<NoParams, { pid: number; daemons: string[] }>(2000),
};

/** The name of a host operation. */
export type HostOperationName = keyof typeof HOST_OPERATIONS;

/** What a request of host operation `N` carries. */
export type HostParamsOf<N extends HostOperationName> = RowParams<(typeof HOST_OPERATIONS)[N]>;

/** What an answer to host operation `N` holds besides `ok: true`. */
export type HostAnswerOf<N extends HostOperationName> = RowAnswer<(typeof HOST_OPERATIONS)[N]>;

/** Whether `name` is a host operation. */
export function isHostOperation(name: unknown): name is HostOperationName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(HOST_OPERATIONS, name);
}

/**
 * Entry of a host (`dist/host-main.js`), started detached by a launcher (../launcher/host-client)
 * for a state directory that has none: the process around a {@link Host}. It takes the host's
 * lock (the control address of `<state directory>/.host.pid`: one host per state directory; a
 * second one is refused and exits 150), answers `add` and `status` on it with the key its state
 * file holds, acts on signals for every daemon it runs (SIGTERM and SIGINT stop them all, SIGHUP
 * reopens their logs, SIGUSR2 restarts their workers: the table of ./signal-actions, applied to
 * each), and exits 0 once its last daemon has ended (or when none was handed to it within
 * {@link IDLE_MS}). Whatever else ends it, each daemon's last words are said (its end in its state
 * file, its workers' trees told to stop); a SIGKILL runs nothing, and then the shared group guard
 * stops every worker's group and sweeps what left them by the host's tree prefix.
 *
 * Its stdout and stderr are `.host.log`: its own lines, and what Node prints if it fails.
 */
import { identify } from '../process/stop-tree.js';
import { HAS_PROC } from '../process/proc.js';
import { HOST_OPERATIONS, type HostAnswerOf, type HostOperationName, type HostParamsOf, isHostOperation } from '../control/host-operations.js';
import { EXIT_ALREADY_RUNNING, messageOf } from '../errors.js';
import { GroupGuard } from '../supervisor/group-guard.js';
import { newTreePrefix } from '../supervisor/tree-token.js';
import type { AnyHandler, Dispatch } from './control-server.js';
import { HandshakeSender } from './handshake.js';
import { hostPaths, parseHostConfig } from './host-config.js';
import { Host } from './host.js';
import { SIGNAL_ACTIONS } from './signal-actions.js';
import { type HeldPidFile, holdPidFile } from './single-instance.js';

/** How long a host waits for its first daemon before it exits, ms (its launcher died meanwhile). */
const IDLE_MS = 30_000;

/** How long an exiting host waits for its last answers, ms. */
const ANSWER_WAIT_MS = 2000;

let config: ReturnType<typeof parseHostConfig>;
try {
  config = parseHostConfig(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${messageOf(err)}\n`);
  process.exit(2);
}
const { stateDir } = config;
const paths = hostPaths(stateDir);
const startedAt = new Date();
const handshake = new HandshakeSender(config.handshake);
// Until the daemons' handlers are in place a stop signal only ends the wait for the first one.
let pendingSignal: NodeJS.Signals | undefined;
const keep = (signal: NodeJS.Signals): void => void (pendingSignal ??= signal);
process.on('SIGTERM', keep);
process.on('SIGINT', keep);
// Room enough: the original command line holds the configuration.
process.title = `xdaemon host: ${stateDir}`;

/** One of the host's own lines, in its log. */
function line(text: string): void {
  process.stdout.write(`${new Date().toISOString()} xdaemon host[${process.pid}] ${text}\n`);
}

async function main(): Promise<void> {
  const treePrefix = newTreePrefix();
  const self = HAS_PROC ? identify(process.pid) : undefined;
  const own = { pid: process.pid, starttime: self?.starttime ?? 0, treePrefix, startedAt: startedAt.toISOString(), command: [process.execPath, __filename], logFile: paths.log };
  let held: Awaited<ReturnType<typeof holdPidFile>>;
  try {
    held = await holdPidFile(paths.pidFile, own);
  } catch (err) {
    handshake.send({ kind: 'failed', message: `cannot take ${paths.pidFile}: ${messageOf(err)}` });
    process.exit(1);
  }
  if ('runningPid' in held) {
    handshake.send({ kind: 'refused', runningPid: held.runningPid ?? 0 });
    process.exit(EXIT_ALREADY_RUNNING);
  }
  const lock: HeldPidFile = held;
  // One watcher for the groups of every daemon's workers; its sweep covers every daemon's prefix.
  const guard = new GroupGuard(self === undefined ? undefined : { prefix: treePrefix, since: self.starttime });
  let exiting = false;
  const host = new Host({
    ref: { pid: process.pid, pidFile: paths.pidFile },
    treePrefix,
    guard,
    line,
    onEmpty: () => void exit(0, 'no daemon left to run'),
  });

  /** Ends the host on its own terms: the lock released first (a new host may start at once), the last answers written. */
  async function exit(code: number, reason: string): Promise<void> {
    if (exiting) return;
    exiting = true;
    line(`exiting: ${reason}`);
    lock.release({ at: new Date().toISOString(), code, signal: null, reason, unwritten: [] });
    await Promise.all([lock.answered(ANSWER_WAIT_MS), guard.close()]);
    process.exit(code);
  }

  lock.answer(hostDispatch(host));
  installSignals(host, () => void exit(0, 'stopped with no daemon running'));
  installFaultHandlers(host);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(config.signalExit ?? 'signal-exit') as typeof import('signal-exit')).onExit((code, signal) => {
    if (!exiting) {
      host.lastWords(code, signal);
      void guard.close();
      lock.release({ at: new Date().toISOString(), code: code ?? null, signal, reason: `host ending: ${signal ?? `exit code ${code ?? 0}`}`, unwritten: [] });
    }
  });
  process.removeListener('SIGTERM', keep);
  process.removeListener('SIGINT', keep);
  line(`host started for ${stateDir}`);
  handshake.send({ kind: 'supervising', pid: process.pid });
  handshake.close();
  // The listening lock keeps the process alive meanwhile; a launcher that died before its first add leaves nothing.
  setTimeout(() => host.checkEmpty(), IDLE_MS).unref();
  if (pendingSignal !== undefined) process.emit(pendingSignal);
}

/** The host's operations, as its control server dispatches them (one handler per row of the table). */
function hostDispatch(host: Host): Dispatch {
  const handlers: { [N in HostOperationName]: (params: HostParamsOf<N>) => HostAnswerOf<N> | Promise<HostAnswerOf<N>> } = {
    add: (params) => host.add(params),
    status: () => host.status(),
  };
  return { row: (op) => (isHostOperation(op) ? { after: HOST_OPERATIONS[op].after, handler: handlers[op] as AnyHandler } : undefined) };
}

/** Each signal of the table acts on every daemon, as it would on a daemon's own supervisor; with none, a stop ends the host. */
function installSignals(host: Host, stopEmpty: () => void): void {
  for (const [signal, operation] of Object.entries(SIGNAL_ACTIONS) as [NodeJS.Signals, (typeof SIGNAL_ACTIONS)[keyof typeof SIGNAL_ACTIONS]][]) {
    process.on(signal, () => {
      const all = host.supervisions;
      if (all.length === 0 && operation === 'stop') stopEmpty();
      for (const supervision of all) {
        // Each handler says in its daemon's log what it did, and what failed.
        Promise.resolve()
          .then(() => supervision.handlers[operation]({}, { kind: 'signal', signal }))
          .catch(() => undefined);
      }
    });
  }
}

/**
 * An exception or a rejection no one handled: a daemon's is that daemon's (it is stopped, the
 * others go on); one of the host's own ends the host, as it would end any Node program (each
 * daemon's last words are said on the way out).
 */
function installFaultHandlers(host: Host): void {
  const fatal = (err: unknown): void => {
    if (host.fault(err)) return;
    process.stderr.write(`xdaemon host: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
}

void main();

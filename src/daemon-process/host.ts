/**
 * A host: one process that runs the supervision of many named daemons (those `xdaemon start`
 * starts in one state directory), because a Node process cannot cost less than ~6 MB of private
 * memory and ~40 MB of RSS, and one supervisor process per daemon made a fleet cost that many
 * times over (pm2's one daemon for all costs ~0.1 MB per app). Each daemon is still a
 * {@link Supervision} of its own (./supervision): its own loop, slots, policy, sockets, log,
 * limits, environment, working directory, control address, lock, pid and state files, so that
 * every client call, `status`, `list` and `events` work on it as on a daemon with a process of
 * its own. What they share is what costs per process: the process itself, one group guard for all
 * their workers' groups, one timer per period and one watch of their trees
 * (../supervisor/shared-timers, ../process/tree-watch).
 *
 * Isolation: a daemon's start that fails (a log that cannot be opened, a pid file that is another
 * supervisor's) is that daemon's answer alone; its give-up, a failed reload, a crash loop are its
 * loop's, as in a process of its own; an exception thrown in its supervision is told apart by the
 * async context each daemon's work runs in (its timers, its children's events and its sockets are
 * all created in it), and stops that daemon alone ({@link Host.fault}).
 *
 * The process around it (the lock, the control channel of `add`, signals, the exit once no daemon
 * is left) is ./host-entry's. The foreground profile (`xdaemon run FILE`: every app of a file in
 * the foreground, labelled output, probes: ./fleet-run) is the same class, its apps known by name
 * ({@link Host.run}) with no pid file and another output for their supervisions.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync } from 'node:fs';
import type { HostRef } from '../control/daemon-status.js';
import type { AddParams, HostAnswerOf } from '../control/host-operations.js';
import { XDaemonError, shortMessageOf } from '../errors.js';
import { openLogFile } from '../log/log-file.js';
import type { LogSink, LogSinkOptions } from '../log/log-sink.js';
import type { GroupGuard } from '../supervisor/group-guard.js';
import { answersAfterStart } from './config.js';
import type { HandshakeMessage } from './handshake.js';
import { HOST_EXITING } from './host-config.js';
import { holdPidFile, ownRecord } from './single-instance.js';
import { type StartReply, Supervision } from './supervision.js';

/** What a host is made of. */
export interface HostSpec {
  /** The host itself (its pid is this process's). */
  ref: HostRef;
  /** The tree prefix of the host: each daemon's is it plus the daemon's number. */
  treePrefix: string;
  /** The group guard every daemon shares (its sweep covers the host's prefix). */
  guard: GroupGuard;
  /** Writes one of the host's own lines (its log). */
  line(text: string): void;
  /** Called once no daemon runs and none is being added: the host has nothing left to do. */
  onEmpty(): void;
  /** Called as a daemon's supervision ends, with its exit code (0 after a stop, 1 after giving up). */
  onEnded?: ((key: string, code: number) => void) | undefined;
}

/** What an exception is attributed to: the daemon whose work threw (set once its supervision exists). */
interface Owner {
  name: string;
  supervision?: Supervision;
}

/** The daemons of one host (see the module comment). */
export class Host {
  private readonly daemons = new Map<string, Supervision>();
  private readonly context = new AsyncLocalStorage<Owner>();
  private adding = 0;
  private seq = 0;
  private exiting = false;

  constructor(private readonly spec: HostSpec) {}

  /** Whether the host has begun to exit (it adds nothing any more). */
  get closing(): boolean {
    return this.exiting;
  }

  /** The supervisions running, by pid file. */
  get supervisions(): Supervision[] {
    return [...this.daemons.values()];
  }

  /** What the host runs: the pid files of its daemons. */
  status(): HostAnswerOf<'status'> {
    return { pid: this.spec.ref.pid, daemons: [...this.daemons.keys()] };
  }

  /** The supervision of `key` (a daemon's pid file; an app's name in the foreground profile), while it runs. */
  supervision(key: string): Supervision | undefined {
    return this.daemons.get(key);
  }

  /**
   * Runs the daemon of `params` beside the others; resolves with what a launcher's handshake would
   * have said: once it supervises (with waitReady or listen: once its first workers are up), or
   * why it does not run. Refused (`code` {@link HOST_EXITING}) once the host exits.
   */
  async add(params: AddParams): Promise<HostAnswerOf<'add'>> {
    return { outcome: await this.enter(params.config.settings.pidFile, params, undefined) };
  }

  /**
   * The foreground profile (`xdaemon run FILE`): runs app `name` as {@link add} runs a daemon,
   * known by its name, with no pid file (its config has none: nothing is written in a state
   * directory, and no other verb reaches it) and the log `output` makes.
   */
  run(name: string, params: AddParams, output: (options: LogSinkOptions) => LogSink): Promise<HandshakeMessage> {
    return this.enter(name, params, output);
  }

  private async enter(key: string, params: AddParams, output: ((options: LogSinkOptions) => LogSink) | undefined): Promise<HandshakeMessage> {
    if (this.exiting) throw new XDaemonError('the host is exiting: start the daemon again', { code: HOST_EXITING });
    this.adding++;
    try {
      return await this.context.run({ name: key }, () => this.begin(key, params, output));
    } finally {
      this.adding--;
      this.checkEmpty();
    }
  }

  /** In the daemon's own context: its supervision made, its pid file (if it has one) taken, its loop begun. */
  private async begin(key: string, { config, args, env }: AddParams, output: ((options: LogSinkOptions) => LogSink) | undefined): Promise<HandshakeMessage> {
    const { pidFile } = config.settings;
    if (pidFile === '' && output === undefined) return { kind: 'failed', message: 'a hosted daemon needs a pid file' };
    const running = this.daemons.get(key);
    if (running !== undefined) return { kind: 'refused', runningPid: process.pid };
    // A log that cannot be opened fails the start at once, as it does a launcher's (which opens it
    // for a supervisor of its own), not at the first worker's start.
    try {
      const fd = openLogFile(config.logFile);
      if (fd !== undefined) closeSync(fd);
    } catch (err) {
      return { kind: 'failed', message: shortMessageOf(err) };
    }
    const reply = new AddReply(answersAfterStart(config.settings));
    const startedAt = new Date();
    const treePrefix = `${this.spec.treePrefix}${++this.seq}.`;
    let supervision: Supervision;
    try {
      supervision = new Supervision({
        config: { ...config, handshake: null },
        args,
        env,
        mode: 'detached',
        toStdio: false,
        output,
        reply,
        startedAt,
        treePrefix,
        host: { ref: this.spec.ref, guard: this.spec.guard },
      });
    } catch (err) {
      return { kind: 'failed', message: shortMessageOf(err) };
    }
    (this.context.getStore() as Owner).supervision = supervision;
    if (pidFile !== '') {
      let held: Awaited<ReturnType<typeof holdPidFile>>;
      try {
        held = await holdPidFile(pidFile, { ...ownRecord(config, args, treePrefix, startedAt), host: this.spec.ref }, 'worker');
      } catch (err) {
        supervision.discard();
        return { kind: 'failed', message: `cannot take the pid file ${pidFile}: ${shortMessageOf(err)}` };
      }
      if ('runningPid' in held) {
        supervision.discard();
        return { kind: 'refused', runningPid: held.runningPid ?? 0 };
      }
      supervision.hold(held);
    }
    this.daemons.set(key, supervision);
    this.spec.line(`runs ${key}: ${[config.file, ...args].join(' ')}`);
    supervision.begin();
    void supervision.finished.then((code) => {
      this.daemons.delete(key);
      this.spec.line(`${key} ended (code ${code}); ${this.daemons.size} daemon(s) left`);
      this.spec.onEnded?.(key, code);
      this.checkEmpty();
    });
    return reply.outcome;
  }

  /**
   * An exception (or a rejection no one handled): when it was thrown in a daemon's work, that
   * daemon is stopped (its log says why) and true is returned; the others go on. False when it
   * belongs to no daemon (the host's own code).
   */
  fault(err: unknown): boolean {
    const owner = this.context.getStore();
    if (owner === undefined) return false;
    this.spec.line(`internal error in the supervision of ${owner.name}: ${err instanceof Error ? err.message : String(err)}; stopping that daemon`);
    owner.supervision?.fault(err);
    return true;
  }

  /**
   * The process ends now (synchronously, from an exit handler): every daemon's last words. Returns
   * the lines their logs could not take.
   */
  lastWords(code: number | null | undefined, signal: NodeJS.Signals | null): string[] {
    return this.supervisions.flatMap((s) => s.lastWords(code, signal));
  }

  /** Exits (through `onEmpty`) when nothing is left to run: no daemon, none being added. */
  checkEmpty(): void {
    if (this.exiting || this.adding > 0 || this.daemons.size > 0) return;
    this.exiting = true;
    this.spec.onEmpty();
  }
}

/**
 * The answer to an `add`, from the supervision's start messages: the first one a launcher would
 * have stopped waiting at (`supervising`, or with waitReady or listen the one after it).
 */
class AddReply implements StartReply {
  readonly outcome: Promise<HandshakeMessage>;
  private last: HandshakeMessage | undefined;
  private settle: (message: HandshakeMessage) => void = () => undefined;
  private settled = false;

  constructor(private readonly afterStart: boolean) {
    this.outcome = new Promise((resolve) => (this.settle = resolve));
  }

  send(message: HandshakeMessage): void {
    if (this.settled) return;
    this.last = message;
    if (this.afterStart && message.kind === 'supervising') return;
    this.settled = true;
    this.settle(message);
  }

  close(): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(this.last ?? { kind: 'failed', message: 'the supervision ended before it began' });
  }
}

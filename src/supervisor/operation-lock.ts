/**
 * The one operation a supervisor runs at a time on its workers (a restart, a reload, one
 * instance's replacement): whoever asks (a client, a signal, the memory check, cron, watch), a
 * second operation meanwhile is refused with an error that names both, and a second restart
 * joins the one under way. One lock instead of a field per operation and a check per pair.
 */
import { XDaemonError } from '../errors.js';

/** The operations that may not overlap. */
export type LoopOperation = 'restart' | 'reload' | 'replace';

/** What is under way, as a refusal says it. */
const UNDER_WAY: Record<LoopOperation, string> = {
  restart: 'a restart is under way',
  reload: 'a reload is under way',
  replace: 'an instance is being replaced',
};

/** What to do again, as a refusal says it. */
const AGAIN: Record<LoopOperation, string> = {
  restart: 'restart again',
  reload: 'reload',
  replace: 'replace the instance',
};

/** The refusal of `requested` while `current` is under way. Pure. */
export function busyText(current: LoopOperation, requested: LoopOperation): string {
  if (current === requested && current === 'reload') return 'a reload is already under way';
  return `${UNDER_WAY[current]}: ${AGAIN[requested]} once it is done`;
}

/** A refusal: another operation is under way (`code: 'EBUSY'`). */
export class BusyError extends XDaemonError {
  /** The operation under way. */
  readonly current: LoopOperation;
  /** The operation refused. */
  readonly requested: LoopOperation;
  constructor(current: LoopOperation, requested: LoopOperation) {
    super(busyText(current, requested), { code: 'EBUSY', reason: UNDER_WAY[current] });
    this.current = current;
    this.requested = requested;
  }
}

/** The lock. */
export class OperationLock {
  private held: { name: LoopOperation; done: Promise<unknown> } | undefined;

  /** The operation under way, if one is. */
  get current(): LoopOperation | undefined {
    return this.held?.name;
  }

  /**
   * Runs `operation` as `name` and holds the lock until it settles. While another runs it rejects
   * with a {@link BusyError}, except that a restart requested during a restart gets that one's promise.
   */
  run<T>(name: LoopOperation, operation: () => Promise<T>): Promise<T> {
    const held = this.held;
    if (held !== undefined) return held.name === 'restart' && name === 'restart' ? (held.done as Promise<T>) : Promise.reject(new BusyError(held.name, name));
    const done = operation();
    this.held = { name, done };
    const release = (): void => {
      if (this.held?.done === done) this.held = undefined;
    };
    done.then(release, release);
    return done;
  }
}

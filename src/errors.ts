/** Errors the library raises for bad input or a failed start, and how they reach the user. */

/** The fields an {@link XDaemonError} may carry besides its message. */
export interface XDaemonErrorFields {
  /**
   * What kind of failure: a system error code behind it (`ENOENT`, `EACCES`, …), or one of
   * xdaemon's own: `EUSAGE` (the input cannot be acted on: a face turns it into its usage answer,
   * exit 2 in the CLI), `EBUSY` (another operation is under way), `EALREADY` (it runs already).
   */
  code?: string | undefined;
  /** The setting, flag or key the error is about. */
  option?: string | undefined;
  /** Why, in a few words, without the subject (the message holds both). */
  reason?: string | undefined;
  /** The process the error is about (a supervisor, a worker). */
  pid?: number | undefined;
  /** The instance the error is about. */
  instance?: number | undefined;
  cause?: unknown;
}

/** The class behind {@link XDaemonError} (a class expression, so that its name stays `XDaemonError`). */
const XDaemonErrorClass = class XDaemonError extends Error {
  override readonly name = 'XDaemonError';
  /** See {@link XDaemonErrorFields.code}. */
  readonly code: string | undefined;
  /** See {@link XDaemonErrorFields.option}. */
  readonly option: string | undefined;
  /** See {@link XDaemonErrorFields.reason}. */
  readonly reason: string | undefined;
  /** See {@link XDaemonErrorFields.pid}. */
  readonly pid: number | undefined;
  /** See {@link XDaemonErrorFields.instance}. */
  readonly instance: number | undefined;
  /** The message holds no `xdaemon: ` prefix: the face that prints it adds one. */
  constructor(message: string, fields?: XDaemonErrorFields) {
    super(message, fields?.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields?.code;
    this.option = fields?.option;
    this.reason = fields?.reason;
    this.pid = fields?.pid;
    this.instance = fields?.instance;
  }
};

/** `code` of an {@link XDaemonError} for input that cannot be acted on (the CLI's exit 2). */
export const EUSAGE = 'EUSAGE';

/**
 * An error raised by xdaemon for input it cannot act on or a process it could not start. One
 * class per process, whichever bundle (CommonJS, ES module, the lazily loaded parts) creates the
 * error, so `instanceof XDaemonError` always holds.
 */
export const XDaemonError: typeof XDaemonErrorClass = ((globalThis as unknown as Record<symbol, typeof XDaemonErrorClass | undefined>)[
  Symbol.for('xdaemon.XDaemonError.v1')
] ??= XDaemonErrorClass);
/** An error raised by xdaemon (see the value of the same name). */
export type XDaemonError = InstanceType<typeof XDaemonErrorClass>;

/**
 * `err` again with `fields` added (its own kept where `fields` has none): the same message and
 * cause, for a caller that knows more of it than the code that threw (the instance of a start that
 * failed).
 */
export function withFields(err: unknown, fields: XDaemonErrorFields): XDaemonError {
  const own: Partial<XDaemonError> = err instanceof XDaemonError ? err : {};
  return new XDaemonError(messageOf(err), {
    code: fields.code ?? own.code ?? errorCode(err),
    option: fields.option ?? own.option,
    reason: fields.reason ?? own.reason,
    pid: fields.pid ?? own.pid,
    instance: fields.instance ?? own.instance,
    cause: err instanceof XDaemonError ? err.cause : err,
  });
}

/**
 * The fields of a TypeError or RangeError that refuses an option: its message keeps the
 * `xdaemon: ` prefix library users have always read, and the short form is beside it for a face
 * that prints its own prefix (Node's invalid-argument errors carry a `code` the same way).
 */
export interface OptionErrorFields {
  /** Always {@link EUSAGE}: the input cannot be acted on. */
  readonly code: typeof EUSAGE;
  /** The option, setting or key refused. */
  readonly option: string;
  /** Why, without the subject. */
  readonly reason: string;
  /** The message without its `xdaemon: ` prefix. */
  readonly shortMessage: string;
}

/** A `Kind` (TypeError or RangeError) refusing an option: message `xdaemon: <shortMessage>`, with the fields. */
export function optionError<E extends TypeError | RangeError>(
  Kind: new (message: string) => E,
  shortMessage: string,
  fields: { option: string; reason: string },
): E & OptionErrorFields {
  const extra: OptionErrorFields = { code: EUSAGE, option: fields.option, reason: fields.reason, shortMessage };
  return Object.assign(new Kind(`xdaemon: ${shortMessage}`), extra);
}

/**
 * The message of any thrown value as a face prints it after its own `xdaemon: `: an option error's
 * short form, an XDaemonError's message (which has no prefix), any other error's message.
 */
export function shortMessageOf(err: unknown): string {
  const short = (err as { shortMessage?: unknown } | null)?.shortMessage;
  return typeof short === 'string' ? short : messageOf(err);
}

/** The `code` of a Node system error, if it has one. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Ends the process the way a command-line launcher should: one line on stderr, exit code 1.
 * Used when the caller asked the library to exit (`isExit`, `Daemon.run()` in the launcher).
 */
export function exitWithError(err: unknown): never {
  process.stderr.write(`xdaemon: ${shortMessageOf(err)}\n`);
  process.exit(1);
}

/** A short description of a value's type, for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

/**
 * Exit code of a launcher whose daemon already runs (a second start with the same pid file):
 * distinct from 1 (a failure), from LSB's range for applications (150–199).
 */
export const EXIT_ALREADY_RUNNING = 150;

/**
 * How a line of a fleet's app looks on `xdaemon run FILE`'s own stdout and stderr, where the
 * output of every app meets (a container's log is one stream per container): in text, the app's
 * name (and instance, when it has several) padded to the longest, then a bar, as `xdaemon logs`
 * shows several daemons; in JSON, one object a line with the time, app, instance, stream and
 * line, for a log collector that parses. Pure.
 */

/** The formats of `--log-format`. */
export const LOG_FORMATS = ['text', 'json'] as const;
/** One of {@link LOG_FORMATS}. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Where a line came from: the worker's stdout or stderr, or a line of xdaemon's own (the
 * supervisor's about the app, or `run`'s: `xdaemon[PID] …`).
 */
export type LineStream = 'out' | 'err' | 'xdaemon';

/** One line to show (without its newline). */
export interface AppLine {
  /** The app; null for a line of `run` itself. */
  app: string | null;
  /** The worker's instance; null for a supervisor's line. */
  instance: number | null;
  stream: LineStream;
  line: string;
  /** Date.now() of its arrival. */
  time: number;
}

/** How the lines of a fleet are labelled. */
export interface LineLabels {
  format: LogFormat;
  /** Whether an app's label carries the instance (`web[1]`): the app has several. */
  instanced: (app: string) => boolean;
  /** The width labels are padded to (text). */
  width: number;
  /** Whether a text line begins with its time (the app's `timestamps`). */
  timestamps: (app: string) => boolean;
}

/** The label of `app`'s lines (`web`, `web[1]`), unpadded. */
export function labelOf(app: string, instance: number | null, instanced: boolean): string {
  return instanced && instance !== null ? `${app}[${instance}]` : app;
}

/** The width of the labels of `apps` (each with its instance count). */
export function labelWidth(apps: readonly { name: string; instances: number }[]): number {
  return Math.max(0, ...apps.map((a) => labelOf(a.name, a.instances - 1, a.instances > 1).length));
}

/** `line` as written, with its newline. */
export function formatLine(line: AppLine, labels: LineLabels): string {
  if (labels.format === 'json') {
    return `${JSON.stringify({ time: new Date(line.time).toISOString(), app: line.app, instance: line.instance, stream: line.stream, line: line.line })}\n`;
  }
  return `${textPrefix(line, labels)}${line.line}\n`;
}

/** What comes before a line in text: the label padded, a bar, and the time where it shows. */
export function textPrefix(line: Omit<AppLine, 'line'>, labels: LineLabels): string {
  // The supervisor's lines carry their time, as in a log file; a worker's with `timestamps`.
  const time = line.stream === 'xdaemon' || (line.app !== null && labels.timestamps(line.app)) ? `${new Date(line.time).toISOString()} ` : '';
  if (line.app === null) return time;
  return `${labelOf(line.app, line.instance, labels.instanced(line.app)).padEnd(labels.width)} | ${time}`;
}

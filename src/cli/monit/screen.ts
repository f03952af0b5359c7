/**
 * `monit`'s screen as text: a title, one row per instance (name, instance, state, health where any
 * instance has checks, worker pid, uptime, restarts of every cause, CPU and memory of the worker's
 * tree, and a sparkline of each over the last minute), the selected daemon's log below, a status
 * line and the keys. Exactly the terminal's size, every line cut to its width, in colour or not
 * (`NO_COLOR`); and the plain table that takes its place when stdout is not a terminal. Pure.
 */
import { formatBytes, formatDuration } from '../render.js';
import type { MonitRow } from './history.js';
import { type ViewState, selectedIndex, visibleRows } from './model.js';
import { sparkline } from './sparkline.js';

/** Everything a frame shows. */
export interface Frame {
  /** Every instance of every daemon (the filter is applied here). */
  rows: readonly MonitRow[];
  state: ViewState;
  width: number;
  height: number;
  colour: boolean;
  /** Whether the terminal takes UTF-8 (block characters and rules), else ASCII. */
  unicode: boolean;
  /** ms since the epoch. */
  now: number;
  /** The selected daemon's log tail (oldest first) and what to call it, while the log pane is on. */
  log: { title: string; lines: readonly string[] } | undefined;
}

/** A piece of a line and its SGR attributes (`32` green, `1` bold, …). */
interface Segment {
  text: string;
  sgr?: string | undefined;
}

/** One column of the table. */
interface Column {
  head: string;
  width: number;
  right?: boolean;
  text(row: MonitRow, now: number): string;
  sgr?(row: MonitRow): string | undefined;
}

const STATE_SGR: Record<string, string> = { ready: '32', running: '32', restarting: '33', reloading: '33', errored: '31', dead: '31', stopped: '2' };
const HEALTH_SGR: Record<string, string> = { healthy: '32', starting: '33', unhealthy: '31' };

/** How long a message stays on the status line, ms. */
export const MESSAGE_MS = 10_000;

/** The columns shown for `rows` (HEALTH only when an instance has checks). */
function columns(rows: readonly MonitRow[]): Column[] {
  const name = Math.min(24, Math.max(4, ...rows.map((r) => r.name.length)));
  const inst = Math.max(1, ...rows.map((r) => String(r.instance).length));
  const cols: Column[] = [
    { head: 'NAME', width: name, text: (r) => r.name },
    { head: '#', width: inst, right: true, text: (r) => (r.state === 'stopped' || r.state === 'errored' || r.state === 'dead' ? '-' : String(r.instance)) },
    { head: 'STATE', width: 11, text: (r) => `${r.state}${r.unresponsive ? '?' : ''}`, sgr: (r) => STATE_SGR[r.state] },
  ];
  if (rows.some((r) => r.health !== undefined)) cols.push({ head: 'HEALTH', width: 9, text: (r) => r.health ?? '-', sgr: (r) => (r.health === undefined ? undefined : HEALTH_SGR[r.health]) });
  cols.push(
    { head: 'PID', width: 7, right: true, text: (r) => (r.workerPid === undefined ? '-' : String(r.workerPid)) },
    { head: 'UPTIME', width: 7, right: true, text: (r, now) => uptime(r, now) },
    { head: 'RESTARTS', width: 8, right: true, text: (r) => String(r.restarts.exit + r.restarts.restart + r.restarts.reload) },
    { head: 'CPU', width: 6, right: true, text: (r) => (r.cpu === undefined ? '-' : `${r.cpu.toFixed(1)}%`) },
    { head: 'MEM', width: 9, right: true, text: (r) => (r.rss === undefined ? '-' : formatBytes(r.rss)) },
  );
  return cols;
}

function uptime(r: MonitRow, now: number): string {
  if (r.workerStartedAt === undefined || r.workerPid === undefined) return '-';
  const t = Date.parse(r.workerStartedAt);
  return Number.isNaN(t) ? '-' : formatDuration(now - t);
}

/** `text` cut or padded to `width` (right-aligned with `right`). */
function fit(text: string, width: number, right = false): string {
  if (text.length > width) return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
  return right ? text.padStart(width) : text.padEnd(width);
}

/**
 * The segments as one line of exactly `width` columns: cut where they pass it, padded with spaces
 * after; with colour, each in its attributes over `base` (the selected row's inverse), reset at the end.
 */
function line(segments: readonly Segment[], width: number, colour: boolean, base = ''): string {
  let out = '';
  let left = width;
  let current: string | undefined;
  const attrs = (sgr: string | undefined): string => {
    const wanted = [base, sgr ?? ''].filter((a) => a !== '').join(';');
    if (!colour || wanted === current) return '';
    current = wanted;
    return `\x1b[0${wanted === '' ? '' : `;${wanted}`}m`;
  };
  for (const s of segments) {
    if (left <= 0) break;
    const text = s.text.length > left ? s.text.slice(0, left) : s.text;
    left -= text.length;
    out += attrs(s.sgr) + text;
  }
  out += attrs(undefined) + ' '.repeat(Math.max(0, left));
  return colour ? `${out}\x1b[0m` : out;
}

/** What a terminal would show of a log line: escape sequences and control characters out, tabs as spaces. */
export function printable(text: string): string {
  return text
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[@-_]/g, '')
    .replace(/\t/g, '    ')
    .replace(/[\x00-\x1f\x7f]/g, '?');
}

/** The frame as `height` lines of `width` columns. */
export function renderScreen(frame: Frame): string[] {
  const { state, width, height, colour, unicode, now } = frame;
  const filter = state.mode.kind === 'filter' ? state.mode.text : state.filter;
  const rows = visibleRows(frame.rows, filter);
  const cols = columns(frame.rows);
  const fixed = 2 + cols.reduce((n, c) => n + c.width + 1, 0);
  // What is left goes to the two sparklines, a minute at most each.
  const spark = Math.max(0, Math.min(60, Math.floor((width - fixed - 1) / 2)));
  const out: string[] = [];

  const daemons = new Set(frame.rows.map((r) => r.name)).size;
  const title = ` xdaemon monit: ${daemons} daemon${daemons === 1 ? '' : 's'}, ${frame.rows.filter((r) => r.workerPid !== undefined).length} worker(s) running${filter === '' ? '' : `, filter "${filter}"`}`;
  const clock = `${new Date(now).toTimeString().slice(0, 8)} `;
  out.push(line([{ text: fit(title, Math.max(0, width - clock.length)) + clock }], width, colour, '7'));

  const head: Segment[] = [{ text: '  ' }, ...cols.map((c) => ({ text: `${fit(c.head, c.width, c.right)} ` }))];
  if (spark >= 3) head.push({ text: `${fit('CPU 1m', spark)} ${fit('MEM 1m', spark)}` });
  out.push(line(head, width, colour, '1'));

  const body = height - 4;
  const at = selectedIndex(state, rows);
  const withLog = state.logPane && frame.log !== undefined && rows.length > 0 && body >= 5;
  const tableRows = withLog ? Math.min(Math.max(rows.length, 1), Math.max(Math.min(rows.length, 3), Math.ceil(body / 2))) : body;
  const top = at < tableRows ? 0 : at - tableRows + 1;
  if (rows.length === 0) {
    out.push(line([{ text: frame.rows.length === 0 ? '  no daemons yet (xdaemon start … starts one; it shows up here)' : `  no daemon's name holds "${filter}" (Esc clears the filter)` }], width, colour, '2'));
  }
  for (const [i, r] of rows.slice(top, top + tableRows).entries()) {
    const selected = top + i === at;
    const segments: Segment[] = [{ text: selected ? '> ' : '  ' }];
    for (const c of cols) segments.push({ text: fit(c.text(r, now), c.width, c.right), sgr: selected ? undefined : c.sgr?.(r) }, { text: ' ' });
    if (spark >= 3) {
      segments.push(
        { text: sparkline(r.history.map((h) => h.cpu), spark, 100, unicode), sgr: selected ? undefined : '36' },
        { text: ' ' },
        { text: sparkline(r.history.map((h) => h.rss), spark, 1, unicode), sgr: selected ? undefined : '35' },
      );
    }
    out.push(line(segments, width, colour, selected ? '7' : ''));
  }
  const tableEnd = 2 + (withLog ? tableRows : body);
  while (out.length < tableEnd) out.push(line([], width, colour));

  if (withLog && frame.log !== undefined) {
    const rule = unicode ? '─' : '-';
    const caption = ` ${frame.log.title} `;
    out.push(line([{ text: `${rule.repeat(2)}${caption}${rule.repeat(Math.max(0, width - caption.length - 2))}` }], width, colour, '2'));
    const room = body - tableRows - 1;
    const lines = frame.log.lines.slice(-room);
    for (const text of lines) out.push(line([{ text: printable(text) }], width, colour));
    while (out.length < height - 2) out.push(line([], width, colour));
  }

  const message = state.message !== undefined && now - state.message.at < MESSAGE_MS ? state.message : undefined;
  out.push(line([{ text: message === undefined ? '' : ` ${message.text}`, sgr: message?.error === true ? '31' : undefined }], width, colour));
  out.push(line([{ text: footer(state) }], width, colour, '7'));
  return out.slice(0, height);
}

/** The last line: the keys, the filter being typed, or the question. */
function footer(state: ViewState): string {
  switch (state.mode.kind) {
    case 'filter':
      return ` filter: ${state.mode.text}_   (Enter: apply, Esc: cancel)`;
    case 'confirm-stop':
      return ` stop ${state.mode.name}? (y: stop it, any other key: no)`;
    default:
      return ' j/k select  r restart  R reload  s stop  l log  / filter  q quit';
  }
}

/** The table without a terminal (stdout a file or a pipe): the same columns, no sparklines, as wide as it needs. */
export function plainTable(rows: readonly MonitRow[], now: number): string {
  if (rows.length === 0) return 'no daemons';
  const cols = columns(rows);
  const cells = [cols.map((c) => c.head), ...rows.map((r) => cols.map((c) => c.text(r, now)))];
  const widths = cols.map((c, i) => Math.max(...cells.map((row) => (row[i] as string).length), c.head.length));
  return cells.map((row) => row.map((text, i) => (cols[i]?.right === true ? text.padStart(widths[i] as number) : text.padEnd(widths[i] as number))).join('  ').trimEnd()).join('\n');
}

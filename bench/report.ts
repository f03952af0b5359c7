/**
 * What the benchmark reports, apart from how it measures: the statistics (median, min, max), the
 * rows every figure returns (ours beside the floor measured in the same run, their ratio, the
 * target), the table and notes printed at the end, and bench/results.json with every sample.
 */
import { writeFileSync } from 'node:fs';

/** Progress on stderr, so that stdout holds the table alone. */
export function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

// ---------------------------------------------------------------------------------------------
// Statistics

export interface Stats {
  n: number;
  median: number;
  min: number;
  max: number;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function stats(values: readonly number[]): Stats {
  if (values.length === 0) throw new Error('no samples');
  return { n: values.length, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

// ---------------------------------------------------------------------------------------------
// Rows

/** Units of the rows; MB/s and the ratios of throughput rows are better higher. */
export type Unit = 'ms' | 'MB' | 'MB/s' | 's' | '%' | 'lines' | 'req/s';

export interface Row {
  figure: string;
  unit: Unit;
  /**
   * What "ours" is: the median of `ours`, or (for import costs) the difference of the medians;
   * `check`: the median of per-run values that must each meet the target (the range shows the worst).
   */
  kind: 'ratio' | 'delta' | 'info' | 'check' | 'pending' | 'unavailable';
  ours?: Stats;
  floor?: Stats;
  /** For `delta` rows: median(ours) - median(floor). */
  delta?: number;
  /** For `delta` rows: the median of the per-round differences (each round runs both back to back). */
  pairedDelta?: number;
  ratio?: number;
  target: string;
  pass: boolean | null;
  note?: string;
  samples?: { ours: number[]; floor: number[] };
}

/** What a figure returns: its rows, and the sentences that say how they were measured. */
export interface Figure {
  rows: Row[];
  notes: string[];
  /** More of what was measured, for results.json only (per-run records, say). */
  details?: Record<string, unknown>;
}

/** Ours beside the floor: medians and their ratio, judged against `target` (null: for information). */
export function ratioRow(figure: string, unit: Row['unit'], ours: number[], floor: number[], target: number | null, note?: string): Row {
  return quotientRow(figure, unit, ours, floor, target, 'at most', note);
}

/**
 * Ours beside the floor for a measure that is better higher (a throughput): medians and their
 * ratio, which must be at least `target` (null: for information).
 */
export function ratioAtLeastRow(figure: string, unit: Row['unit'], ours: number[], floor: number[], target: number | null, note?: string): Row {
  return quotientRow(figure, unit, ours, floor, target, 'at least', note);
}

function quotientRow(
  figure: string,
  unit: Row['unit'],
  ours: number[],
  floor: number[],
  target: number | null,
  bound: 'at most' | 'at least',
  note: string | undefined,
): Row {
  const o = stats(ours);
  const f = stats(floor);
  const ratio = o.median / f.median;
  return {
    figure,
    unit,
    kind: target === null ? 'info' : 'ratio',
    ours: o,
    floor: f,
    ratio,
    target: target === null ? '—' : `${bound === 'at most' ? '≤' : '≥'} ${target.toFixed(2)}`,
    pass: target === null ? null : bound === 'at most' ? ratio <= target : ratio >= target,
    samples: { ours, floor },
    ...(note === undefined ? {} : { note }),
  };
}

/**
 * Ours minus the floor, judged against `maxDelta`; `ours[i]` and `floor[i]` ran in the same round,
 * which also gives the median of the per-round differences.
 */
export function deltaRow(figure: string, unit: Row['unit'], ours: number[], floor: number[], maxDelta: number): Row {
  const o = stats(ours);
  const f = stats(floor);
  const delta = o.median - f.median;
  return {
    figure,
    unit,
    kind: 'delta',
    ours: o,
    floor: f,
    delta,
    pairedDelta: median(ours.map((v, i) => v - (floor[i] as number))),
    ratio: o.median / f.median,
    target: `≤ +${maxDelta} ${unit}`,
    pass: delta <= maxDelta,
    samples: { ours, floor },
  };
}

/** A figure with no floor, shown for information. */
export function infoRow(figure: string, unit: Row['unit'], ours: number[], note?: string): Row {
  return { figure, unit, kind: 'info', ours: stats(ours), target: '—', pass: null, samples: { ours, floor: [] }, ...(note === undefined ? {} : { note }) };
}

/**
 * A check on every sample with no floor (lines lost in each run, say): `target` says what each
 * sample must be, `pass` whether all of them are.
 */
export function checkRow(figure: string, unit: Row['unit'], ours: number[], target: string, pass: boolean, note?: string): Row {
  return { figure, unit, kind: 'check', ours: stats(ours), target, pass, samples: { ours, floor: [] }, ...(note === undefined ? {} : { note }) };
}

/** A figure that could not be measured in this run (a peer that failed to install, say), and why. */
export function unavailableRow(figure: string, unit: Row['unit'], why: string): Row {
  return { figure, unit, kind: 'unavailable', target: '—', pass: null, note: why };
}

/** A figure announced but not measured yet. */
export function pendingRow(figure: string, unit: Row['unit'], why: string): Row {
  return { figure, unit, kind: 'pending', target: '—', pass: null, note: why };
}

// ---------------------------------------------------------------------------------------------
// The table

/** A value in its unit: MB, MB/s and % to 0.1, ms and s to 0.01, lines whole. */
export function fmt(value: number, unit: Row['unit']): string {
  switch (unit) {
    case 'MB':
    case 'MB/s':
    case '%':
      return value.toFixed(1);
    case 'lines':
    case 'req/s':
      return value.toFixed(0);
    default:
      return value.toFixed(2);
  }
}

function oursCell(row: Row): string {
  const u = row.unit;
  if (row.kind === 'pending') return row.note === undefined ? 'pending' : `pending (${row.note})`;
  if (row.kind === 'unavailable') return 'unavailable';
  if (row.kind === 'delta' && row.delta !== undefined) return `${row.delta >= 0 ? '+' : ''}${fmt(row.delta, u)} ${u}`;
  return row.ours ? `${fmt(row.ours.median, u)} ${u}` : '—';
}

/**
 * Three decimals; four when the rounded ratio would hide a miss (1.1015 shown as 1.100 against
 * ≤ 1.10, 0.9496 shown as 0.950 against ≥ 0.95).
 */
function ratioCell(row: Row): string {
  if (row.ratio === undefined) return '—';
  const limit = Number(row.target.replace(/[^\d.]/g, ''));
  const shown = Number(row.ratio.toFixed(3));
  const looksMet = row.target.startsWith('≥') ? shown >= limit : shown <= limit;
  const hidesMiss = row.pass === false && row.kind === 'ratio' && looksMet;
  return row.ratio.toFixed(hidesMiss ? 4 : 3);
}

function verdictCell(row: Row): string {
  if (row.pass !== null) return row.pass ? 'PASS' : 'FAIL';
  return row.kind === 'pending' ? 'pending' : row.kind === 'unavailable' ? '—' : 'info';
}

function cells(row: Row): string[] {
  const u = row.unit;
  const floor = row.floor ? `${fmt(row.floor.median, u)} ${u}` : '—';
  const n = row.ours ? String(row.ours.n) + (row.floor ? ` / ${row.floor.n}` : '') : '—';
  const range = (s: Stats | undefined): string => (s ? `${fmt(s.min, u)}–${fmt(s.max, u)}` : '—');
  return [row.figure, oursCell(row), floor, ratioCell(row), row.target, verdictCell(row), n, range(row.ours), range(row.floor)];
}

/** The rows as a Markdown table. */
export function table(rows: readonly Row[]): string {
  const head = ['figure', 'ours (median)', 'floor (median)', 'ratio', 'target', 'pass/fail', 'n (ours / floor)', 'ours min–max', 'floor min–max'];
  const body = rows.map(cells);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** The figures' own notes, then why each unavailable row is unavailable. */
export function notes(figures: readonly Figure[]): string[] {
  const out = figures.flatMap((f) => f.notes);
  for (const row of figures.flatMap((f) => f.rows)) {
    if (row.kind === 'unavailable' && row.note !== undefined) out.push(`${row.figure}: unavailable — ${row.note}${row.pass === false ? ' (a missed target)' : ''}`);
    else if (row.pass === false && row.note !== undefined) out.push(`${row.figure}: missed — ${row.note}`);
  }
  return out;
}

/**
 * "N of M targets met." over the rows that have a target; a row that could not be measured because
 * ours failed (lines lost, say) carries `pass: false` and counts as missed.
 */
export function verdict(rows: readonly Row[]): string {
  const judged = rows.filter((r) => r.pass !== null);
  return `${judged.filter((r) => r.pass === true).length} of ${judged.length} targets met.`;
}

// ---------------------------------------------------------------------------------------------
// results.json

/** Writes `facts` about the run and every row, samples included, as JSON. */
export function writeResults(file: string, facts: Record<string, unknown>, rows: readonly Row[]): void {
  writeFileSync(file, `${JSON.stringify({ ...facts, rows }, null, 2)}\n`);
}

/**
 * The README's figures from one source: writes the table of bench/results.json between the
 * README's `<!-- bench:table -->` and `<!-- /bench:table -->` markers, with the run's date, commit,
 * machine and load, so that no figure in the README is typed by hand from another run. Only a
 * full run with `--peers` (all figures, the peers measured beside ours) is taken; `--force` takes
 * another and says so in the heading. Prose elsewhere in the README points at this table instead
 * of quoting figures.
 *
 * Usage: `npm run bench -- --peers`, then `npm run bench:readme [-- --force]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Row, fmt, verdict } from './report';

const ROOT = join(__dirname, '..');
const README = join(ROOT, 'README.md');
const RESULTS = join(__dirname, 'results.json');
const START = '<!-- bench:table -->';
const END = '<!-- /bench:table -->';

interface Results {
  date: string;
  commit: string | null;
  node: string;
  cpus: number;
  cpuModel: string | null;
  loadavg: { before: number[]; after: number[] };
  quick: boolean;
  peers: boolean;
  seconds: number;
  rows: Row[];
}

/** One row of the README's table: figure, ours, floor, ratio, target (met / missed). */
function line(row: Row): string {
  const u = row.unit;
  const value = (v: number | undefined): string => (v === undefined ? '—' : `${fmt(v, u)} ${u}`);
  const ours = row.kind === 'unavailable' ? `unavailable${row.note === undefined ? '' : ` (${row.note})`}` : row.kind === 'delta' && row.delta !== undefined ? `${row.delta >= 0 ? '+' : ''}${fmt(row.delta, u)} ${u}` : value(row.ours?.median);
  const ratio = row.ratio === undefined ? '—' : row.ratio.toFixed(3);
  const target = row.pass === null ? (row.target === '—' ? '—' : row.target) : `${row.target} (${row.pass ? 'met' : 'missed'})`;
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  return `| ${cell(row.figure)} | ${cell(ours)} | ${value(row.floor?.median)} | ${ratio} | ${target} |`;
}

/** The block between the markers: how the run was made, then its table. */
export function block(r: Results, forced: boolean): string {
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  const kind = r.quick ? '`--quick` run' : 'full run';
  const heading =
    `One ${kind}${r.peers ? ' with `--peers`' : ' without `--peers`'} (\`npm run bench${r.quick ? ' -- --quick' : ''}${r.peers ? ' -- --peers' : ''}\`), ${r.date.slice(0, 10)}` +
    `${r.commit === null ? '' : `, commit ${r.commit}`}, Node ${r.node.replace(/^v/, '')}, ${r.cpus} × ${r.cpuModel ?? 'CPU'}, ${r.seconds.toFixed(0)} s, load average ${load(r.loadavg.before)} → ${load(r.loadavg.after)}; ${verdict(r.rows)}` +
    `${forced ? ' (not the full run with peers the README asks for: written with --force)' : ''} Written from bench/results.json by \`bench/readme-table.ts\`.`;
  return [START, heading, '', '| figure | ours | floor | ratio | target |', '| --- | --- | --- | --- | --- |', ...r.rows.map(line), END].join('\n');
}

function main(): void {
  const forced = process.argv.includes('--force');
  const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as Results;
  if ((results.quick || !results.peers) && !forced) {
    process.stderr.write(`readme-table: ${RESULTS} is a ${results.quick ? '--quick ' : ''}run${results.peers ? '' : ' without --peers'}; the README's figures come from one full run with --peers (or give --force)\n`);
    process.exit(2);
  }
  const text = readFileSync(README, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) {
    process.stderr.write(`readme-table: no ${START} … ${END} block in README.md\n`);
    process.exit(2);
  }
  writeFileSync(README, `${text.slice(0, from)}${block(results, forced)}${text.slice(to + END.length)}`);
  process.stdout.write(`README.md: ${results.rows.length} rows of the run of ${results.date}\n`);
}

if (require.main === module) main();

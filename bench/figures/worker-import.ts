/**
 * Figure 4, worker import: what loading xdaemon costs a worker. Spawn-to-exit of a script that only
 * imports xdaemon, against an empty script of the same module system (the floor), ESM and CJS,
 * interleaved; plus the time of the import itself, measured inside the process.
 */
import { type Figure, type Row, deltaRow, fmt, infoRow, progress } from '../report';
import { fixture, runNode } from '../stage';

/** Target: milliseconds over the empty script. */
const TARGET_MS = 3;

const SCRIPTS = {
  emptyCjs: 'empty.cjs',
  cjs: 'import-cjs.cjs',
  emptyEsm: 'empty.mjs',
  esm: 'import-esm.mjs',
  inprocCjs: 'import-cjs-inproc.cjs',
  inprocEsm: 'import-esm-inproc.mjs',
} as const;
type Kind = keyof typeof SCRIPTS;

/** One run of `kind`: spawn-to-exit, or for the in-process kinds the milliseconds the script printed. */
async function importRun(kind: Kind): Promise<number> {
  const exit = await runNode([fixture(SCRIPTS[kind])]);
  if (kind !== 'inprocCjs' && kind !== 'inprocEsm') return exit.ms;
  const ms = Number(exit.stdout.trim());
  if (!Number.isFinite(ms)) throw new Error(`${SCRIPTS[kind]} printed ${JSON.stringify(exit.stdout)}`);
  return ms;
}

/** The median of the per-round differences of the delta rows, for context. */
function pairedNote(rows: readonly Row[]): string {
  const text = rows
    .map((r) => {
      const d = r.pairedDelta ?? 0;
      return `${r.figure.replace(/ \(.*/, '')} ${d >= 0 ? '+' : ''}${fmt(d, r.unit)} ms`;
    })
    .join('; ');
  return `for context, the median of the per-round (back-to-back) differences: ${text}.`;
}

export async function workerImport(rounds: number): Promise<Figure> {
  const kinds = Object.keys(SCRIPTS) as Kind[];
  progress(`import cost: ${rounds} rounds of ${kinds.length} scripts, interleaved ...`);
  const samples = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
  for (let i = 0; i < rounds; i++) {
    // Every kind once a round, the order rotating from round to round.
    for (let j = 0; j < kinds.length; j++) {
      const kind = kinds[(i + j) % kinds.length] as Kind;
      samples[kind].push(await importRun(kind));
    }
  }
  const deltas = [
    deltaRow('import cost, ESM (over empty .mjs)', 'ms', samples.esm, samples.emptyEsm, TARGET_MS),
    deltaRow('import cost, CJS (over empty .cjs)', 'ms', samples.cjs, samples.emptyCjs, TARGET_MS),
  ];
  return {
    rows: [
      ...deltas,
      infoRow('import in-process, ESM (await import())', 'ms', samples.inprocEsm),
      infoRow('import in-process, CJS (require())', 'ms', samples.inprocCjs),
    ],
    notes: [
      "import cost = median spawn-to-exit of `import 'xdaemon'` / `require('xdaemon')` minus that of an empty script of the same kind; ratio = their quotient.",
      pairedNote(deltas),
    ],
  };
}

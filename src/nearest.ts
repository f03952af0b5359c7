/**
 * "Did you mean …": the known word nearest to a mistyped one (a verb, a flag, a key of a fleet
 * file), so that a typo is answered with the word it missed instead of a list to read. By edit
 * distance (a swap of two neighbours counts one, as in `restart_dealy`), case and `-`/`_`
 * ignored, within a third of the word's length. Pure.
 */

/** The optimal string alignment distance between `a` and `b`. */
function distance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const up = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = d;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

const fold = (word: string): string => word.toLowerCase().replace(/[-_]/g, '');

/** The candidate nearest to `word`, if one is near enough to be what was meant (ties: the first). */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const w = fold(word);
  if (w === '') return undefined;
  const limit = Math.max(1, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const c = fold(candidate);
    // A prefix typed whole (`--max-mem` for `--max-memory`) is meant too.
    const d = c.startsWith(w) && w.length >= 4 ? 1 : distance(w, c);
    if (d < bestDistance && d <= limit) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean X?)`, or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>, show: (candidate: string) => string = (c) => c): string {
  const found = nearest(word, candidates);
  return found === undefined ? '' : ` (did you mean ${show(found)}?)`;
}

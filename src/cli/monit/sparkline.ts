/**
 * A sparkline: a series of values as one line of block characters (`▁▂▃▄▅▆▇█`), or of ASCII
 * where the terminal does not speak UTF-8, squeezed into the width a column has. Pure.
 */

const BLOCKS = '▁▂▃▄▅▆▇█';
const ASCII = '_.-=*#';

/**
 * `values` (oldest first; undefined: unknown, drawn as a blank) in `width` cells, the newest at
 * the right: each cell the highest value of as many samples as fit (a minute in 8 cells: 7 a
 * cell), scaled from 0 to `max` (at least `floor`, so an idle series stays low).
 */
export function sparkline(values: readonly (number | undefined)[], width: number, floor: number, unicode: boolean): string {
  if (width <= 0) return '';
  const steps = unicode ? BLOCKS : ASCII;
  const per = Math.max(1, Math.floor(values.length / width));
  const cells: (number | undefined)[] = [];
  for (let end = values.length; end > 0 && cells.length < width; end -= per) {
    const bucket = values.slice(Math.max(0, end - per), end).filter((v): v is number => v !== undefined);
    cells.unshift(bucket.length === 0 ? undefined : Math.max(...bucket));
  }
  const known = cells.filter((v): v is number => v !== undefined);
  const max = Math.max(floor, ...known);
  const text = cells.map((v) => (v === undefined ? ' ' : (steps[Math.min(steps.length - 1, Math.floor((max > 0 ? v / max : 0) * (steps.length - 1) + 0.5))] as string))).join('');
  return text.padStart(width);
}

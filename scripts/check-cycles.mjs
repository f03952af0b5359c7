// Finds cycles of value imports among the modules under src/ (or the folder given): a module that
// imports a value from one that imports a value from it, however long the ring. Such a ring makes
// the order of initialisation decide what a module sees (an `undefined` class at load time), and
// makes the rings' members impossible to load or test apart. Type-only imports (`import type`,
// `import { type A }` with only types, `export type … from`) are erased by the compiler and do not
// count, nor does a lazy `import()` (it runs after both modules are loaded). Prints each cycle
// found and exits 1 if there is any; test/scripts/cycles.test.ts runs it. Usage:
// `node scripts/check-cycles.mjs [folder]`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Every .ts/.mts file under `dir`. */
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.m?ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * The relative modules `text` imports values from. A statement counts unless it is `import type`,
 * `export type`, or names only `type` specifiers (`import { type A, type B } from`); a bare
 * `import './x'` counts (it runs the module).
 */
export function valueImports(text) {
  const out = [];
  const statement = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^;]*?)\s*from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(statement)) {
    const target = m[4] ?? m[5];
    if (!target.startsWith('.')) continue;
    if (m[2] !== undefined) continue;
    const clause = (m[3] ?? '').trim();
    const braces = /^\{([\s\S]*)\}$/.exec(clause);
    if (braces !== null) {
      const names = braces[1].split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (names.length > 0 && names.every((n) => n.startsWith('type '))) continue;
    }
    out.push(target);
  }
  return out;
}

/** Resolves an import of `from` to a file in `files`, or undefined. */
function resolveImport(from, target, files) {
  const base = resolve(dirname(from), target).replace(/\.(m?js)$/, '');
  for (const candidate of [`${base}.ts`, `${base}.mts`, join(base, 'index.ts')]) if (files.has(candidate)) return candidate;
  return undefined;
}

/** The cycles of the value-import graph of the modules under `root`: one ring per strongly connected component. */
export function findCycles(root) {
  const files = new Set(sources(resolve(root)));
  const edges = new Map([...files].map((f) => [f, valueImports(readFileSync(f, 'utf8')).map((t) => resolveImport(f, t, files)).filter((t) => t !== undefined)]));
  // Tarjan's strongly connected components.
  let index = 0;
  const order = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (v) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), order.get(w)));
    }
    if (low.get(v) === order.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edges.get(v).includes(v)) components.push(component.map((f) => relative(process.cwd(), f)).sort());
    }
  };
  for (const f of [...files].sort()) if (!order.has(f)) visit(f);
  return components;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const root = process.argv[2] ?? 'src';
  const cycles = findCycles(root);
  for (const c of cycles) console.log(`value-import cycle of ${c.length} module(s): ${c.join(' ↔ ')}`);
  if (cycles.length > 0) process.exit(1);
  console.log(`no value-import cycles under ${root}`);
}

/**
 * No module under src/ imports a value from a module that imports a value from it, however long
 * the ring (scripts/check-cycles.mjs); type-only imports do not count. The checker itself is
 * shown a ring it must find and imports it must not count.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT, cleanup, tempDir } from '../support/fixtures';
import { runToEnd } from '../support/harness';

after(cleanup);

const CHECKER = join(ROOT, 'scripts', 'check-cycles.mjs');

test('src/ has no cycle of value imports', async () => {
  const exit = await runToEnd(process.execPath, [CHECKER, join(ROOT, 'src')], { cwd: ROOT });
  assert.equal(exit.code, 0, exit.stdout + exit.stderr);
});

test('the checker finds a ring of value imports, and counts neither type-only imports nor a module alone', async () => {
  const dir = tempDir();
  const files: Record<string, string> = {
    // a → b → c → a: a ring of three, one link a re-export, one a mixed import.
    'a.ts': "import { b } from './b.js';\nexport const a = b;\n",
    'b.ts': "import { type T, c } from './c.js';\nexport const b: T = c;\n",
    'c.ts': "export { a as c } from './a.js';\nexport type T = number;\n",
    // d ↔ e, f ↔ g: type-only both ways, in both spellings.
    'd.ts': "import type { E } from './e.js';\nexport type D = E;\nexport const d = 1;\n",
    'e.ts': "import { d } from './d.js';\nexport type E = typeof d;\n",
    'f.ts': "import { type G } from './g.js';\nexport const f: G = 1;\n",
    'g.ts': "import { f } from './f.js';\nexport type G = number;\nexport const g = f;\n",
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const exit = await runToEnd(process.execPath, [CHECKER, dir], { cwd: dir });
  assert.equal(exit.code, 1, exit.stdout + exit.stderr);
  assert.deepEqual(exit.stdout.trim().split('\n'), ['value-import cycle of 3 module(s): a.ts ↔ b.ts ↔ c.ts']);
});

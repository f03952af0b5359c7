/** Env files: dotenv's syntax, a later file winning, and the check that refuses a file that cannot be read. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EUSAGE } from '../../src/errors';
import { checkEnvFiles, readEnvFiles } from '../../src/process/env-file';
import { cleanup, tempDir } from '../support/fixtures';

after(cleanup);

test("quotes, export, comments, multi-line double-quoted values; a later file wins", () => {
  const dir = tempDir();
  const a = join(dir, 'a.env');
  const b = join(dir, 'b.env');
  writeFileSync(a, ['# a comment', 'export PORT=8080', "NAME='single $quoted'", 'KEY="line one', 'line two"', 'ESC="a\\nb"', 'TRAIL=value # comment', 'SAME=a', ''].join('\n'));
  writeFileSync(b, 'SAME=b\n');
  assert.deepEqual(readEnvFiles([a, b]), { PORT: '8080', NAME: 'single $quoted', KEY: 'line one\nline two', ESC: 'a\nb', TRAIL: 'value', SAME: 'b' });
});

test('a missing file, a folder: refused naming the file (EUSAGE)', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'folder'));
  for (const [path, why] of [[join(dir, 'none.env'), 'does not exist'], [join(dir, 'folder'), 'is not a file']] as const) {
    assert.throws(() => checkEnvFiles([path], '--env-file'), (err: Error & { code?: string; option?: string }) => err.code === EUSAGE && err.option === 'envFile' && err.message === `--env-file ${path} ${why}`);
  }
  assert.throws(() => readEnvFiles([join(dir, 'none.env')]), /env file .*none\.env: ENOENT/);
});

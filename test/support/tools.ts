/**
 * Tools that some tests run and that CI installs (`.ci/run`): where one is missing, outside CI the
 * test is skipped with its reason, and under `CI=true` it fails, so that a green CI run never hides
 * a test that did not run.
 */
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';

/** The path of executable `name` in PATH (and in `extraDirs`: /usr/sbin is not in every PATH), or undefined. */
export function findCommand(name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * True when `found`; else skips the test (`t.skip`) naming `what` and how to install it, or under
 * `CI=true` fails it (the CI run installs it). The caller returns when it gives false.
 */
export function requireTool(t: Pick<TestContext, 'skip'>, found: unknown, what: string, install: string): boolean {
  if (found !== undefined && found !== false) return true;
  assert.notEqual(process.env.CI, 'true', `${what} must be installed in CI (${install}): .ci/run installs it`);
  t.skip(`${what} is not installed (${install}; CI installs it)`);
  return false;
}

/**
 * The `skip` option of a test or describe that needs `what`: false when `found`; else its reason
 * outside CI, and under `CI=true` a failing test of its own (`WHAT is installed`) beside the
 * skipped ones, so that the run fails and says why.
 */
export function skipUnlessTool(found: unknown, what: string, install: string): string | false {
  if (found !== undefined && found !== false) return false;
  if (process.env.CI === 'true') {
    test(`${what} is installed (CI=true)`, () => {
      assert.fail(`${what} must be installed in CI (${install}): .ci/run installs it`);
    });
  }
  return `${what} is not installed (${install}; CI installs it)`;
}

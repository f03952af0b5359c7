/**
 * Where the benchmark's processes run. The built package is copied into a private temporary folder
 * laid out like an installed package, and every fixture runs from there with `node`, tagged by the
 * shared harness. A rebuild of dist/ during the run (npm test rebuilds it) then cannot break or
 * change what is measured. The folder, and every scratch folder a figure asks for, is removed at
 * the end.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Exit, type Proc, runToEnd, sleepSync, start } from '../test/support/harness';

/** This checkout. */
export const ROOT = resolve(__dirname, '..');
const SOURCE_FIXTURES = join(__dirname, 'fixtures');
/** Programs the suite runs too (servers that load no xdaemon): one copy, the suite's. */
const SUITE_FIXTURES = join(__dirname, '..', 'test', 'fixtures');
const SHARED_FIXTURES = ['plain-http.py', 'plain-http.cjs'];
/** The dist/ files without which nothing can be measured. */
const REQUIRED_DIST = ['index.js', 'index.mjs', 'supervisor-main.js'];

/** This run's temporary folder ('' until first needed), and how many scratch folders it holds. */
let runFolder = '';
let scratchCount = 0;
/** The staged package's folder ('' until {@link stagePackage} ran). */
let stageFolder = '';

/** A fresh folder under this run's temporary folder; `name` only makes it recognisable. */
export function tempDir(name: string): string {
  if (runFolder === '') runFolder = mkdtempSync(join(tmpdir(), 'xdaemon-bench-'));
  const dir = join(runFolder, `${name}-${++scratchCount}`);
  mkdirSync(dir);
  return dir;
}

/** Removes this run's temporary folder (synchronous: it also runs on Ctrl-C). */
export function removeTempDirs(): void {
  if (runFolder !== '') rmSync(runFolder, { recursive: true, force: true });
}

/** A file of the staged package (`dist/cli.js`, say): the staged copy once staged, else this checkout's. */
export function packageFile(...parts: string[]): string {
  return join(stageFolder === '' ? ROOT : join(stageFolder, 'node_modules', 'xdaemon'), ...parts);
}

/** The path of a fixture script: the staged copy once staged, else the source. */
export function fixture(name: string): string {
  if (stageFolder !== '') return join(stageFolder, 'fixtures', name);
  return join(SHARED_FIXTURES.includes(name) ? SUITE_FIXTURES : SOURCE_FIXTURES, name);
}

/**
 * Stages what the benchmark runs: `<stage>/node_modules/xdaemon` (package.json and dist/ as built),
 * xdaemon's runtime dependencies beside it, and the fixtures in `<stage>/fixtures`, which import
 * 'xdaemon' from node_modules as a user's program does.
 */
export function stagePackage(): void {
  const dir = tempDir('stage');
  copyBuiltPackage(join(dir, 'node_modules', 'xdaemon'));
  for (const dep of runtimeDependencies()) {
    const from = join(ROOT, 'node_modules', dep);
    if (existsSync(from)) cpSync(from, join(dir, 'node_modules', dep), { recursive: true, dereference: true });
  }
  cpSync(SOURCE_FIXTURES, join(dir, 'fixtures'), { recursive: true });
  for (const name of SHARED_FIXTURES) cpSync(join(SUITE_FIXTURES, name), join(dir, 'fixtures', name));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'xdaemon-bench-app', private: true, type: 'commonjs' })}\n`);
  stageFolder = dir;
}

/** Copies package.json and dist/ into `pkgDir`, retrying while dist/ is in the middle of a rebuild. */
function copyBuiltPackage(pkgDir: string): void {
  for (let attempt = 0; ; attempt++) {
    rmSync(pkgDir, { recursive: true, force: true });
    mkdirSync(pkgDir, { recursive: true });
    try {
      cpSync(join(ROOT, 'package.json'), join(pkgDir, 'package.json'));
      cpSync(join(ROOT, 'dist'), join(pkgDir, 'dist'), { recursive: true });
      if (REQUIRED_DIST.every((f) => statSync(join(pkgDir, 'dist', f)).size > 0)) return;
    } catch {
      // dist/ may be in the middle of a rebuild: try again.
    }
    if (attempt >= 20) throw new Error('dist/ is not built (or keeps changing): run `npm run build`');
    sleepSync(250);
  }
}

/** xdaemon's runtime dependencies: the lockfile's non-dev packages, else the direct dependencies. */
function runtimeDependencies(): string[] {
  try {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { dev?: boolean }> };
    return Object.entries(lock.packages ?? {})
      .filter(([path, info]) => path.startsWith('node_modules/') && info.dev !== true)
      .map(([path]) => path.slice('node_modules/'.length));
  } catch {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    return Object.keys(pkg.dependencies ?? {});
  }
}

/** The library as staged (what the fixtures load), for figures that call it from this process. */
export type XDaemonModule = typeof import('../src/index');

/** Loads the staged package into this process (its control functions: `status`, `restart`, `stop`). */
export function stagedLibrary(): XDaemonModule {
  if (stageFolder === '') throw new Error('the package is not staged yet');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(stageFolder, 'node_modules', 'xdaemon')) as XDaemonModule;
}

/** Starts `node args...` in the stage (tagged; stdout and stderr collected). */
export function startNode(args: readonly string[], env: NodeJS.ProcessEnv = {}): Proc {
  return start(process.execPath, args, { cwd: stageFolder === '' ? ROOT : stageFolder, env });
}

/** Runs `node args...` in the stage to its end; throws after `timeout` ms or unless it exits 0. */
export async function runNode(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeout = 30_000): Promise<Exit> {
  const exit = await runToEnd(process.execPath, args, { cwd: stageFolder === '' ? ROOT : stageFolder, env, timeout });
  if (exit.code !== 0) {
    throw new Error(`node ${args.join(' ')} exited with ${exit.code ?? exit.signal}; stderr: ${exit.stderr.trim()}`);
  }
  return exit;
}

/** Runs each of `fixtures` once, so that the first measured run does not pay for a cold cache. */
export async function warmUp(fixtures: readonly string[]): Promise<void> {
  for (const name of fixtures) await runNode([fixture(name)], { BENCH_TS_FILE: join(tempDir('warmup'), 'ts') });
}

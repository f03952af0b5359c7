/**
 * The package as a user installs and compiles it: `npm pack` of the built package, the tarball
 * unpacked into a fresh project's `node_modules/xdaemon` as npm unpacks it (offline: the
 * project's `typescript` and `@types/node` are this repository's, linked), and a consumer that
 * imports every public entry (`xdaemon`, `xdaemon/service`, values and types) compiled with
 * `strict` and `skipLibCheck: false` for `module` `nodenext`, `node16`, `commonjs` and `bundler`.
 * `skipLibCheck: false` checks every declaration file the entries reach, so a type the published
 * declarations name but `stripInternal` removed (`SupervisorHooks` once) fails here; the test of
 * test/settings/declarations.test.ts reads the repository's `dist/` in place and would not see
 * a file left out of the package's `files`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import ts from 'typescript';
import { ROOT, cleanup, tempDir } from '../support/fixtures';

after(cleanup);

/** What a user writes: every entry, its values and its types. */
const CONSUMER = `
import * as xdaemon from 'xdaemon';
import * as service from 'xdaemon/service';
import { Daemon, Supervisor, XDaemonError, status, type DaemonOptions, type DaemonStatus, type SupervisorOptions, type SupervisorEvents } from 'xdaemon';
import { Service, renderSystemdUnit, type ServiceOptions, type ServiceState } from 'xdaemon/service';

export const options: DaemonOptions = { backoff: 'exponential', restartDelay: 100, listen: ['8080'] };
// @ts-expect-error not one of the row's values
export const bad: DaemonOptions = { backoff: 'linear' };
export const daemon = new Daemon('app.log', options);
daemon.maxError = 15;
export const supervisorOptions: SupervisorOptions = { command: 'node', args: ['server.js'], instances: 2 };
export const supervisor = new Supervisor(supervisorOptions);
export const onExit: SupervisorEvents['exit'] | undefined = undefined;
export async function stateOf(pidFile: string): Promise<DaemonStatus['state']> {
  return (await status(pidFile)).state;
}
export function codeOf(e: unknown): string | undefined {
  return e instanceof XDaemonError ? e.code : undefined;
}
export const serviceOptions: ServiceOptions = { name: 'app', command: 'node', args: ['server.js'] };
export const render: typeof renderSystemdUnit = renderSystemdUnit;
export async function serviceState(s: Service): Promise<ServiceState> {
  return s.status();
}
/** Every export of both entries, as a type: each declaration they reach is checked. */
export type Entries = [typeof xdaemon, typeof service];
`;

/** The module settings a user compiles with, and the consumer files each compiles. */
const MODES: { name: string; options: ts.CompilerOptions; files: string[] }[] = [
  { name: 'nodenext', options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }, files: ['consumer.cts', 'consumer.mts'] },
  { name: 'node16', options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }, files: ['consumer.cts', 'consumer.mts'] },
  { name: 'commonjs', options: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, esModuleInterop: true }, files: ['consumer.ts'] },
  { name: 'bundler', options: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }, files: ['consumer.ts'] },
];

let project = '';

before(() => {
  const packDir = tempDir();
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string }[];
  assert.ok(packed !== undefined, 'npm pack made a tarball');
  project = tempDir();
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { xdaemon: `file:${join(packDir, packed.filename)}` } }));
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, 'xdaemon'), { recursive: true });
  // npm unpacks a tarball's `package/` folder as the package's own.
  execFileSync('tar', ['-xzf', join(packDir, packed.filename), '-C', join(modules, 'xdaemon'), '--strip-components=1']);
  // The typescript and @types/node a user installs beside it: this repository's (no network).
  mkdirSync(join(modules, '@types'));
  for (const name of ['typescript', '@types/node', 'undici-types']) symlinkSync(join(ROOT, 'node_modules', name), join(modules, name), 'dir');
  for (const file of ['consumer.cts', 'consumer.mts', 'consumer.ts']) writeFileSync(join(project, file), CONSUMER);
});

describe('the packed package compiles in a fresh project with strict and skipLibCheck false', () => {
  for (const mode of MODES) {
    test(`module ${mode.name}`, () => {
      const program = ts.createProgram(
        mode.files.map((file) => join(project, file)),
        {
          ...mode.options,
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          target: ts.ScriptTarget.ES2022,
          // A server program's libraries (the DOM's declarations would double the time of the check).
          lib: ['lib.es2022.d.ts'],
          types: ['node'],
        },
      );
      const problems = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      assert.deepEqual(problems, []);
      // The entries came from the unpacked tarball, not from the repository.
      const fromPackage = program.getSourceFiles().filter((f) => f.fileName.startsWith(join(project, 'node_modules', 'xdaemon', 'dist'))).map((f) => f.fileName);
      assert.ok(fromPackage.some((f) => /\/dist\/service\/index\.d\.m?ts$/.test(f)), `xdaemon/service's declarations: ${fromPackage.length} files`);
      assert.ok(fromPackage.some((f) => /\/dist\/index\.d\.m?ts$/.test(f)), "xdaemon's declarations");
    });
  }
});

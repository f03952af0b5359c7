/**
 * The published declarations as a user's TypeScript sees them: a consumer of the built package
 * (`dist/`, through its package.json `exports`, CommonJS and ES module) compiles with
 * `skipLibCheck: false`, gets the settings' unions, and finds each option's documentation, which is
 * written once, on its row of the settings table, and carried into `DaemonOptions` and the fields
 * of `Daemon` by the mapped types.
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import ts from 'typescript';
import { ROOT, cleanup, tempDir } from '../support/fixtures';

after(cleanup);

const CONSUMER = `
import { Daemon, type DaemonOptions, type SupervisorOptions } from 'xdaemon';
export const options: DaemonOptions = { backoff: 'exponential', restartDelay: 100, listen: ['8080'] };
// @ts-expect-error not one of the row's values
export const bad: DaemonOptions = { backoff: 'linear' };
// @ts-expect-error a Supervisor has no pid file
export const sup: SupervisorOptions = { command: 'node', pidFile: 'x.pid' };
export const d = new Daemon('x.log', options);
d.killMode = 'process';
`;

/** A program of a CommonJS and an ES module consumer in a folder where `xdaemon` is this package, compiled as a user would. */
function consumers(): { program: ts.Program; files: ts.SourceFile[] } {
  const dir = tempDir();
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'xdaemon'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{}');
  const paths = ['consumer.cts', 'consumer.mts'].map((name) => join(dir, name));
  for (const path of paths) writeFileSync(path, CONSUMER);
  // One program for both: skipLibCheck false checks every declaration file once (@types/node included).
  const program = ts.createProgram(paths, {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    // A server program's libraries (the DOM's declarations would double the time of the check).
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules', '@types')],
  });
  return { program, files: paths.map((path) => program.getSourceFile(path) as ts.SourceFile) };
}

/** The documentation of property `name` of the type at `node`. */
function docOf(checker: ts.TypeChecker, node: ts.Node, name: string): string {
  const symbol = checker.getTypeAtLocation(node).getProperty(name);
  assert.ok(symbol !== undefined, `a property ${name}`);
  return ts.displayPartsToString(symbol.getDocumentationComment(checker));
}

test("a CommonJS and an ES module consumer compile with skipLibCheck false; the options' unions and docs come from the settings table's rows", () => {
  const { program, files } = consumers();
  const problems = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  assert.deepEqual(problems, []);
  const checker = program.getTypeChecker();
  for (const file of files) {
    const declaration = (id: string): ts.Node => {
      const statement = file.statements.find((s) => ts.isVariableStatement(s) && s.declarationList.declarations[0]?.name.getText(file) === id) as ts.VariableStatement;
      return statement.declarationList.declarations[0] as ts.Node;
    };
    assert.match(docOf(checker, declaration('options'), 'backoff'), /^`fixed` \(default\) or `exponential`: double `restartDelay`/, file.fileName);
    assert.match(docOf(checker, declaration('options'), 'listen'), /systemd's `LISTEN_FDS` protocol/);
    assert.match(docOf(checker, declaration('d'), 'maxCount'), /^Total number of worker starts/, "a Daemon's field");
    assert.match(docOf(checker, declaration('sup'), 'killTimeout'), /^Milliseconds between the stop signal and SIGKILL/, "a Supervisor's option");
  }
});

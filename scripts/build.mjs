// Build: one CommonJS bundle per process role (the library, the supervisor entry), an ESM wrapper
// over the library bundle, and tsc's declarations. One file a role keeps the worker's import cost
// and the supervisor's start-up low; modules only the launcher needs are initialised lazily.
import { rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  external: ['cross-spawn', 'debug', 'signal-exit'],
  logLevel: 'warning',
  legalComments: 'none',
};
await Promise.all([
  build({ ...common, entryPoints: ['src/index.ts'], format: 'cjs', outfile: 'dist/index.js' }),
  build({ ...common, entryPoints: ['src/supervisor-main.ts'], format: 'cjs', outfile: 'dist/supervisor-main.js' }),
  build({ ...common, entryPoints: ['src/index.mts'], format: 'esm', outfile: 'dist/index.mjs', external: ['./index.js'] }),
]);
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--emitDeclarationOnly'], { stdio: 'inherit' });

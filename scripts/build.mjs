// Build: one bundle per process role and module system (the library as CJS and as ESM, the
// supervisor entry and the host entry as CJS, the xdaemon/service subpath as CJS and as ESM, the `xdaemon` command as
// an executable CJS file), and tsc's declarations.
// One file a role keeps the worker's import cost and the supervisor's start-up low; modules only
// the launcher needs are initialised lazily.
import { chmodSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  external: ['cross-spawn', 'debug', 'signal-exit', 'croner', 'json5', 'js-yaml', 'dotenv'],
  logLevel: 'warning',
  legalComments: 'none',
};
// ESM has no require and no __dirname: the banner makes both from import.meta.url.
const esmBanner = "import { createRequire as __xdCreateRequire } from 'node:module';\nconst require = __xdCreateRequire(import.meta.url);";
const esmDirname =
  "import { fileURLToPath as __xdFileURLToPath } from 'node:url';\nimport { dirname as __xdDirname } from 'node:path';\nconst __dirname = __xdDirname(__xdFileURLToPath(import.meta.url));";
await Promise.all([
  build({ ...common, entryPoints: ['src/index.ts'], format: 'cjs', outfile: 'dist/index.js' }),
  build({ ...common, entryPoints: ['src/daemon-process/entry.ts'], format: 'cjs', outfile: 'dist/supervisor-main.js' }),
  build({ ...common, entryPoints: ['src/daemon-process/core.ts'], format: 'cjs', outfile: 'dist/supervisor-core.js' }),
  // The host of a state directory's daemons (src/daemon-process/host-entry.ts): one process for many.
  build({ ...common, entryPoints: ['src/daemon-process/host-entry.ts'], format: 'cjs', outfile: 'dist/host-main.js' }),
  // The host's foreground profile (src/daemon-process/fleet-run.ts): every app of a file in `xdaemon run FILE`.
  build({ ...common, entryPoints: ['src/daemon-process/fleet-run.ts'], format: 'cjs', outfile: 'dist/fleet-run.js' }),
  // Preloaded into Node workers when the supervisor holds sockets or runs them in cluster mode (src/supervisor/listen-spec.ts).
  build({ ...common, entryPoints: ['src/worker/listen-preload.ts'], format: 'cjs', outfile: 'dist/listen-preload.js' }),
  // A spare worker's entry (prewarm): only what it needs before and at the order.
  build({ ...common, entryPoints: ['src/worker/spare-entry.ts'], format: 'cjs', outfile: 'dist/spare.js' }),
  // Run by a dead supervisor's group guard: stops what left the workers' groups by tree token.
  build({ ...common, entryPoints: ['src/supervisor/tree-sweep.ts'], format: 'cjs', outfile: 'dist/tree-sweep.js' }),
  // Loaded on first use by the entry (src/bundles.ts): a worker never pays for them.
  build({ ...common, entryPoints: ['src/launcher/entry.ts'], format: 'cjs', outfile: 'dist/launcher.js' }),
  build({ ...common, entryPoints: ['src/control/entry.ts'], format: 'cjs', outfile: 'dist/control.js' }),
  // The service subpath is its own pair of bundles: installing a service is none of a worker's business.
  build({ ...common, entryPoints: ['src/service/index.ts'], format: 'cjs', outfile: 'dist/service.js' }),
  build({ ...common, entryPoints: ['src/service/index.ts'], format: 'esm', outfile: 'dist/service.mjs', banner: { js: `${esmBanner}\n${esmDirname}` } }),
  // The faces that only one verb of the command needs: the live view and the Prometheus exporter.
  build({ ...common, entryPoints: ['src/cli/monit/entry.ts'], format: 'cjs', outfile: 'dist/monit.js' }),
  build({ ...common, entryPoints: ['src/cli/metrics/entry.ts'], format: 'cjs', outfile: 'dist/exporter.js' }),
  // The `xdaemon` command: it loads the launcher, control, supervisor and service bundles beside
  // it only for the verbs that need them, so that `status` and `list` start as fast as node does.
  build({ ...common, entryPoints: ['src/cli/main.ts'], format: 'cjs', outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  // A native ESM bundle: importing CommonJS from ESM would cost ~4 ms of Node's export scanning.
  // Both builds share one generation counter through globalThis (see src/generation.ts).
  build({
    ...common,
    entryPoints: ['src/index.ts'],
    format: 'esm',
    outfile: 'dist/index.mjs',
    banner: { js: esmBanner },
  }),
]);
chmodSync('dist/cli.js', 0o755);
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });

/**
 * Lets the modules of src/ that a test imports (through tsx) load the bundles they load in the
 * package: `loadBundle('launcher')` (src/bundles.ts) requires `./launcher.js` beside itself, which
 * exists only in dist/. Imported for its effect, first, by a test that calls src/fleet/ in its own
 * process: the launcher, control, supervisor and service code it then runs is the built one, as
 * the `xdaemon` command runs it. Only the requests of src/bundles.ts for those four bundles and
 * for `run FILE`'s foreground profile (`./fleet-run.js`) are redirected.
 */
import Module from 'node:module';
import { join } from 'node:path';
import { ROOT } from './fixtures';

type Resolve = (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const BUNDLES_TS = join(ROOT, 'src', 'bundles.ts');
const BUNDLE = /^\.\/(launcher|control|supervisor-core|service|fleet-run)\.js$/;

const original = loader._resolveFilename;
loader._resolveFilename = function resolveBuilt(this: unknown, request, parent, ...rest) {
  if (parent?.filename === BUNDLES_TS && BUNDLE.test(request)) return join(ROOT, 'dist', request.slice(2));
  return original.call(this, request, parent, ...rest);
};

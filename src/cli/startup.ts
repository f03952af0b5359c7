/**
 * `xdaemon startup [--user]` and `xdaemon unstartup`: the OS service that runs `xdaemon resurrect`
 * at boot (or login) and `xdaemon stop --all` at shutdown (src/fleet/startup.ts), with this very
 * xdaemon's script. `--dry-run` prints the unit and the commands.
 */
import { type StartupRequest as FleetStartupRequest, STARTUP_SERVICE, installStartup, planStartup, removeStartup } from '../fleet/startup.js';
import { loadBundle } from '../bundles.js';
import { type FlagSpecs, boolFlag, readLine } from './flags.js';
import type { Io } from './io.js';
import { serviceWhereOf } from './install.js';
import { EXIT, UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `startup` or `unstartup`, read. */
export interface StartupRequest extends FleetStartupRequest {
  verb: 'startup' | 'unstartup';
  dryRun: boolean;
  force: boolean;
}

/** Reads `startup`'s (or `unstartup`'s) arguments. Pure. */
export function parseStartup(verb: 'startup' | 'unstartup', args: readonly string[]): StartupRequest | HelpRequest<'startup' | 'unstartup'> {
  const where: FlagSpecs = { backend: { type: 'string' }, root: { type: 'string' } };
  const specs: FlagSpecs = verb === 'startup' ? { ...where, user: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, force: { type: 'boolean' } } : where;
  const line = readLine(verb, args, specs);
  if (line.help) return { verb: 'help', topic: verb };
  const [stray] = line.positionals;
  if (stray !== undefined) throw new UsageError(`${verb} takes no argument, got ${JSON.stringify(stray)}`);
  return { verb, user: boolFlag(line, 'user'), dryRun: boolFlag(line, 'dry-run'), force: boolFlag(line, 'force'), ...serviceWhereOf(line) };
}

/** This xdaemon's script (the `xdaemon` bin, `dist/cli.js`), absolute. */
function cliPath(): string {
  return __filename;
}

/** Installs (or with --dry-run shows) the startup service. */
export async function startup(request: StartupRequest, io: Io): Promise<number> {
  if (request.dryRun) {
    const plan = await planStartup(request, cliPath());
    io.out(loadBundle('service').formatPlan(plan).trimEnd());
    return EXIT.ok;
  }
  const { name, result } = await installStartup(request, cliPath());
  const kind = `${result.backend}${result.userService ? ', user service' : ''}`;
  io.out(
    result.changed
      ? `installed ${name}: ${result.path} (${kind}): at ${request.user ? 'login' : 'boot'} it runs xdaemon resurrect (xdaemon save chooses what comes back)`
      : `${name} is already installed: ${result.path} (${kind}; unchanged)`,
  );
  for (const warning of result.warnings) io.err(`warning: ${warning}`);
  return EXIT.ok;
}

/** Removes the startup service. */
export async function unstartup(request: StartupRequest, io: Io): Promise<number> {
  const result = await removeStartup(request);
  io.out(`uninstalled ${STARTUP_SERVICE}: removed ${result.path} (the daemons that run go on; xdaemon stop --all stops them)`);
  return EXIT.ok;
}

/** The row of `startup`. */
export const STARTUP = defineVerb<StartupRequest>({
  name: 'startup',
  parse: (args) => parseStartup('startup', args),
  run: startup,
  help: () => `usage: xdaemon startup [--user] [--dry-run] [--force] [--backend B] [--root DIR]

Installs one OS service (${STARTUP_SERVICE}) that runs xdaemon resurrect at boot (--user: at
login) and xdaemon stop --all at shutdown, with node and xdaemon by their absolute paths;
xdaemon status warns when one of them is gone (run startup --force again then).

  --user       a service of the current user (systemd --user, a LaunchAgent, a task at logon)
  --dry-run    print the file and the commands instead
  --force      replace a different file of the same name
  --backend B  systemd, launchd or windows (default: the one running this machine)
  --root DIR   write under DIR (preparing an image)
`,
  synopsis: [['startup [--user] [--dry-run]', 'an OS service that runs resurrect at boot (login)']],
});

/** The row of `unstartup`. */
export const UNSTARTUP = defineVerb<StartupRequest>({
  name: 'unstartup',
  parse: (args) => parseStartup('unstartup', args),
  run: unstartup,
  help: () => `usage: xdaemon unstartup [--backend B] [--root DIR]

Removes the service xdaemon startup installed (the daemons that run go on).
`,
  synopsis: [['unstartup', 'remove it']],
});

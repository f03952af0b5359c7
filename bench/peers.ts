/**
 * The peers that `--peers` measures beside xdaemon: pm2 and forever-monitor, installed with npm into
 * this run's temporary folder (never into this package). A peer that cannot be installed is
 * reported as unavailable and the run goes on without it. Also what running the pm2 fixture takes:
 * a private PM2_HOME, and the pid of pm2's God daemon, which outlives the fixture unless killed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runToEnd } from '../test/support/harness';
import { progress } from './report';
import { ROOT, tempDir } from './stage';

export interface Peers {
  /** node_modules folder holding the peers. */
  modules: string;
  /** Per peer: undefined when usable, otherwise why not. */
  unavailable: { pm2?: string; forever?: string };
}

/** How long one `npm install` may take. */
const INSTALL_TIMEOUT = 300_000;

/** npm's own CLI: the one running `npm run bench` when there is one, else `npm` from PATH. */
function npmCommand(): { file: string; args: string[] } {
  const cli = process.env.npm_execpath;
  return cli !== undefined && cli.endsWith('.js') ? { file: process.execPath, args: [cli] } : { file: 'npm', args: [] };
}

/**
 * The environment changes for npm: quiet, and without the variables `npm run bench` set that would
 * make it install into this package instead of `--prefix`.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  for (const key of Object.keys(process.env)) {
    if (/^npm_(config_(prefix|local_prefix|global_prefix|global)|package_|lifecycle_)/i.test(key)) env[key] = undefined;
  }
  return env;
}

/** Installs `pkg` under `prefix`; returns undefined on success, else why it failed. */
async function npmInstall(prefix: string, pkg: string): Promise<string | undefined> {
  const npm = npmCommand();
  try {
    const exit = await runToEnd(npm.file, [...npm.args, 'install', '--prefix', prefix, '--no-audit', '--no-fund', pkg], {
      cwd: prefix,
      env: npmEnv(),
      timeout: INSTALL_TIMEOUT,
    });
    if (exit.code === 0 && existsSync(join(prefix, 'node_modules', pkg, 'package.json'))) return undefined;
    const errors = exit.stderr.split('\n').filter((l) => /ERR!|error/i.test(l));
    return `npm install ${pkg} failed (${exit.code ?? exit.signal}): ${(errors.at(-1) ?? exit.stderr.trim().split('\n').at(-1) ?? '').trim()}`;
  } catch (err) {
    return `npm could not run: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** The peers installed under `<root>/node_modules` (this checkout's, which must not grow). */
const peersIn = (root: string): string[] => ['pm2', 'forever-monitor'].filter((p) => existsSync(join(root, 'node_modules', p)));

export async function installPeers(): Promise<Peers> {
  const prefix = tempDir('peers');
  progress(`installing pm2 and forever-monitor into ${prefix} ...`);
  const ownBefore = peersIn(ROOT);
  const pm2 = await npmInstall(prefix, 'pm2');
  const forever = await npmInstall(prefix, 'forever-monitor');
  const ownAfter = peersIn(ROOT);
  if (ownAfter.length > ownBefore.length) {
    throw new Error(`npm installed ${ownAfter.join(', ')} into ${ROOT}/node_modules instead of ${prefix}`);
  }
  const unavailable: Peers['unavailable'] = {};
  if (pm2 !== undefined) unavailable.pm2 = pm2;
  if (forever !== undefined) unavailable.forever = forever;
  for (const [name, why] of Object.entries(unavailable)) progress(`${name} unavailable: ${why}`);
  return { modules: join(prefix, 'node_modules'), unavailable };
}

/** The environment of bench/fixtures/pm2-peer.cjs: the peers, a PM2_HOME private to `dir`, no prompts. */
export function pm2Env(modules: string, dir: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    BENCH_PEER_MODULES: modules,
    PM2_HOME: join(dir, 'pm2-home'),
    PM2_NO_INTERACTION: 'true',
    PM2_DISCRETE_MODE: 'true',
    ...extra,
  };
}

/** The God daemon's pid, once the pm2 fixture has printed it on stdout. */
export function godPid(stdout: string): number | undefined {
  const match = /^GOD (\d+)$/m.exec(stdout);
  return match ? Number(match[1]) : undefined;
}

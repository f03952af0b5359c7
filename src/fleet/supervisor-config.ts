/**
 * A named daemon's supervisor configuration: what the launcher hands the supervisor it spawns
 * (`xdaemon start`, a fleet file, `resurrect`) or what `xdaemon run` supervises in its own process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DaemonOptions, type SettingName } from '../settings/types.js';
import { checkSettings } from '../settings/check.js';
import { namedDaemonDefaults } from '../settings/profiles.js';
import type { SupervisorConfig } from '../daemon-process/config.js';

/**
 * Where `require('signal-exit')` leads from here, for the supervisor to load without resolving.
 * Found the way Node looks it up (each `node_modules` above this file, then the package's
 * `exports` entry for `require`), without Node's resolver: resolving a package with an `exports`
 * map first loads that resolver, ~2 ms of every `xdaemon start`. Anything unexpected falls back
 * to `require.resolve`.
 */
export function resolveSignalExit(): string | null {
  try {
    for (const dir of require.resolve.paths('signal-exit') ?? []) {
      const pkg = join(dir, 'signal-exit');
      let manifest: { exports?: { '.'?: { require?: { default?: unknown } } } };
      try {
        manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as typeof manifest;
      } catch {
        continue;
      }
      const entry = manifest.exports?.['.']?.require?.default;
      if (typeof entry === 'string' && existsSync(join(pkg, entry))) return join(pkg, entry);
      break;
    }
    return require.resolve('signal-exit');
  } catch {
    return null;
  }
}

/**
 * The supervisor's configuration for a daemon: its executable and working directory, its log,
 * the settings (a named daemon's defaults for those not given: ../settings/profiles) with `pidFile`
 * (absolute, or '' for none); no generation marker (the command is not a re-spawned Daemon program).
 */
export function supervisorConfig(input: {
  file: string;
  cwd: string;
  log: string;
  settings: DaemonOptions;
  pidFile: string;
  env: NodeJS.ProcessEnv;
  /** The daemon's own variables (`--env`, a fleet app's `env`): they win over its env files. */
  additions?: Readonly<Record<string, string>>;
}): SupervisorConfig {
  const given = (name: SettingName): boolean => input.settings[name] !== undefined;
  return {
    v: 2,
    file: input.file,
    nodeOptions: input.env.NODE_OPTIONS ?? null,
    cwd: input.cwd,
    logFile: input.log,
    firstMarker: null,
    settings: checkSettings({ ...input.settings, pidFile: input.pidFile }, { defaults: namedDaemonDefaults(given) }),
    handshake: null,
    signalExit: resolveSignalExit(),
    ...(input.pidFile === '' ? {} : { stateDir: dirname(input.pidFile) }),
    defaults: 'named',
    ...(input.additions === undefined ? {} : { envSet: Object.keys(input.additions) }),
  };
}

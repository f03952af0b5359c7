/**
 * What `start`, `run` and `install` share: the command line of a daemon (settings flags, `--name`,
 * `--log`, `--cwd`, `--env`, then `-- <command> [args…]`) read into the library's daemon spec
 * (src/fleet/daemon-spec.ts), and the line that says a daemon started. Pure.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type DaemonSettings, type SettingName } from '../settings/types.js';
import { flagOf } from '../settings/derived.js';
import { namedDaemonDefaults } from '../settings/profiles.js';
import { refusalOf } from '../settings/rules.js';
import type { DaemonSpec } from '../fleet/daemon-spec.js';
import type { StartedDaemon } from '../fleet/daemon-start.js';
import { type FlagSpecs, type FolderCheck, type ParsedLine, SETTING_FLAG_SPECS, listFlag, parseEnv, readLine, settingsOf, textFlag } from './flags.js';
import { checkName } from '../fleet/names.js';
import { PM2_SETTING_FLAGS, addPm2Settings } from './pm2-setting-flags.js';
import { UsageError } from './usage-error.js';

/** Flags of `start` and `run`: the settings, and what a daemon's command line adds to them. */
export const LAUNCH_FLAGS: FlagSpecs = {
  name: { type: 'string' },
  log: { type: 'string' },
  cwd: { type: 'string' },
  env: { type: 'string', multiple: true },
  ...SETTING_FLAG_SPECS,
  ...PM2_SETTING_FLAGS,
};

/**
 * The command after `--` of `line`, or a UsageError: no `--`, nothing after it, or arguments before
 * it that are not flags.
 */
export function commandOf(verb: string, line: ParsedLine): [string, ...string[]] {
  const [stray] = line.positionals;
  if (stray !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(stray)}: the command goes after -- (xdaemon ${verb} [options] -- <command> [args…])`);
  if (line.command === undefined) throw new UsageError(`missing -- <command> (xdaemon ${verb} [options] -- <command> [args…])`);
  const [command, ...args] = line.command;
  if (command === undefined || command === '') throw new UsageError(`missing the command after -- (xdaemon ${verb} [options] -- <command> [args…])`);
  return [command, ...args];
}

/** Reads a `start`/`run` command line (after the verb) into a request; pure. */
export function parseLaunch(verb: string, line: ParsedLine): DaemonSpec {
  const options = launchOptionsOf(line);
  const [command, ...args] = commandOf(verb, line);
  return { ...options, command, args };
}

/** The flags of a daemon's command line (all but the command), read; pure. */
export function launchOptionsOf(line: ParsedLine): Omit<DaemonSpec, 'command' | 'args'> {
  const name = textFlag(line, 'name');
  if (name !== undefined) checkName(name);
  const log = textFlag(line, 'log');
  if (log === '') throw new UsageError('--log needs a file name (/dev/null discards the output)');
  const cwd = textFlag(line, 'cwd');
  if (cwd === '') throw new UsageError('--cwd needs a directory');
  const settings = settingsOf(line);
  addPm2Settings(line, settings, line.bare?.has('wait-ready') === true);
  // The rules between settings, as the library's check walks them, with the flags' spellings (a daemon always has a log).
  const given = (name: SettingName): boolean => settings[name] !== undefined;
  const defaults = namedDaemonDefaults(given);
  const refusal = refusalOf({ settings: { ...defaults, ...(settings as Partial<DaemonSettings>) }, defaults, given, logged: true });
  const spell = (name: SettingName): string => `--${flagOf(name) ?? name}`;
  if (refusal !== undefined) throw new UsageError(`${spell(refusal.option)} ${refusal.says(spell)}`);
  const env = parseEnv(listFlag(line, 'env'));
  return { name, settings, log, cwd, env };
}

/** Reads `args` for `verb` with the launch flags; `help` when `--help` was asked for. */
export function readLaunchLine(verb: string, args: readonly string[], specs: FlagSpecs = LAUNCH_FLAGS): ParsedLine {
  return readLine(verb, args, specs, existingFolder);
}

/** Whether `word` is an existing folder, relative to `--cwd` (itself relative to here): `--watch DIR`. */
const existingFolder: FolderCheck = (word, cwd) => {
  try {
    return statSync(resolve(cwd ?? '.', word)).isDirectory();
  } catch {
    return false;
  }
};

/** `started web: supervisor 1234, log /…/web.log[, worker 1240 ready after 0.412 s]`. */
export function startedLine(name: string, started: StartedDaemon, log: string): string {
  const ready = started.workerPid === undefined ? '' : started.readySeconds === undefined ? `, worker ${started.workerPid}` : `, worker ${started.workerPid} ready after ${started.readySeconds.toFixed(3)} s`;
  return `started ${name}: supervisor ${started.pid}, log ${log}${ready}`;
}

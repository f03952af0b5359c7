/**
 * A command as an OS service's options: what `xdaemon install -- <command>` and each app of a
 * fleet file (`install FILE`) give, mapped to `xdaemon/service`'s options. Of the settings, the
 * service gets those the settings table marks as a service manager's (`service: true` rows); any
 * other is named back, for one warning. Paths are made absolute against the invoking directory,
 * and the command found in its PATH (with a root prefix, the service looks it up there instead).
 * Nothing is installed or started here.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ServiceOptions } from '../service/options.js';
import { SERVICE_SETTING_NAMES } from '../settings/derived.js';
import type { ServiceSettingName, SettingName } from '../settings/types.js';
import { resolveCommand } from '../process/which.js';
import type { InvocationFacts } from './daemon-spec.js';
import { defaultName } from './names.js';

/** A command to install as a service (paths as given). */
export interface ServiceSpec {
  /** Its name; undefined: derived from the command line, as a daemon's is. */
  name: string | undefined;
  command: string;
  args: string[];
  cwd: string | undefined;
  /** Its stdout (undefined: the service manager's). */
  log: string | undefined;
  env: Record<string, string>;
  /** Settings by library name; only a service manager's are carried out. */
  settings: Partial<Record<SettingName, unknown>>;
}

/** The service manager and where its files go. */
export interface ServiceWhere {
  /** A service of the current user. */
  user: boolean;
  backend: 'systemd' | 'launchd' | 'windows' | undefined;
  /** Prefix of the files written (relative to the invoking directory). */
  root: string | undefined;
}

/** True for a setting a service manager carries out. */
export function isServiceSetting(name: string): name is ServiceSettingName {
  return (SERVICE_SETTING_NAMES as readonly string[]).includes(name);
}

/** The settings of `settings` no service manager carries out (named in a warning). */
export function notServiceSettings(settings: Partial<Record<SettingName, unknown>>): SettingName[] {
  return (Object.keys(settings) as SettingName[]).filter((name) => settings[name] !== undefined && !isServiceSetting(name));
}

/**
 * The service options of `spec`. Throws an XDaemonError for a command that is not found; the
 * options themselves are checked by the `Service` made of them.
 */
export function serviceOptionsOf(spec: ServiceSpec, where: ServiceWhere, facts: InvocationFacts): ServiceOptions {
  const root = where.root === undefined ? undefined : resolve(facts.cwd, where.root);
  const cwd = resolve(facts.cwd, spec.cwd ?? '.');
  const command = root === undefined ? resolveCommand(spec.command, { ...facts.env, ...spec.env }, cwd) : spec.command;
  const isFile = (arg: string): boolean => {
    try {
      return statSync(resolve(cwd, arg)).isFile();
    } catch {
      return false;
    }
  };
  const options: ServiceOptions = {
    name: spec.name ?? defaultName(spec.command, spec.args, isFile),
    command,
    args: spec.args,
    workingDirectory: cwd,
    env: spec.env,
    userService: where.user,
  };
  // Each such setting is an option of the same name (src/service/options.ts checks that at compile time).
  const o = options as unknown as Record<ServiceSettingName, unknown>;
  for (const name of SERVICE_SETTING_NAMES) {
    const value = spec.settings[name];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    // Paths are the invoking directory's, as on the command line.
    if (name === 'errFile') o[name] = resolve(facts.cwd, value as string);
    else if (name === 'envFile') o[name] = (value as string[]).map((file) => resolve(facts.cwd, file));
    else o[name] = value;
  }
  if (spec.log !== undefined) options.logFile = resolve(facts.cwd, spec.log);
  if (where.backend !== undefined) options.backend = where.backend;
  if (root !== undefined) options.root = root;
  return options;
}

/**
 * What the rest of the code reads off the table's rows (./table) instead of writing it again: the
 * defaults, the names each row flag marks (the settings of a `Supervisor`, of an OS service, those
 * with a CLI flag) and how a setting is spelt as a flag.
 */
import { SETTINGS, type SettingSpec } from './table.js';
import type { DaemonSettings, ServiceSettingName, SettingName, SupervisorSettingName, SupervisorSettings } from './types.js';

const rows = Object.entries(SETTINGS) as [SettingName, SettingSpec][];

/** Every setting, in the table's order. */
export const SETTING_NAMES: readonly SettingName[] = rows.map(([name]) => name);

/** Defaults: Go's `NewDaemon` plus the opt-in extras switched off. */
export const DEFAULTS: Readonly<DaemonSettings> = Object.freeze(Object.fromEntries(rows.map(([name, row]) => [name, row.default])) as unknown as DaemonSettings);

/** The settings a `Supervisor` takes (not the daemon process's own). */
export const SUPERVISOR_SETTING_NAMES: readonly SupervisorSettingName[] = rows.filter(([, row]) => row.owner === undefined).map(([name]) => name as SupervisorSettingName);

/** The settings an OS service manager has too. */
export const SERVICE_SETTING_NAMES: readonly ServiceSettingName[] = rows.filter(([, row]) => row.service === true).map(([name]) => name as ServiceSettingName);

/** `maxCount` → `max-count`. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The CLI flag of setting `name` (without `--`), or undefined for a row without one. */
export function flagOf(name: SettingName): string | undefined {
  const flag = (SETTINGS[name] as SettingSpec).flag;
  return flag === false ? undefined : flag ?? kebab(name);
}

/** True when `name` is a setting that the command line (and a fleet file) may give. */
export function hasFlag(name: string): name is SettingName {
  return Object.prototype.hasOwnProperty.call(SETTINGS, name) && flagOf(name as SettingName) !== undefined;
}

/** The settings of the supervise loop of `settings` (a `Supervisor`'s: the daemon process's own left out). */
export function supervisorSettings(settings: Readonly<DaemonSettings>): SupervisorSettings {
  return Object.fromEntries(SUPERVISOR_SETTING_NAMES.map((name) => [name, settings[name]])) as unknown as SupervisorSettings;
}

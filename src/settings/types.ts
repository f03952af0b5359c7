/**
 * The types of the settings, derived from the table's rows (./table): a value type per kind, the
 * options a user gives and the settings a supervisor runs with, and the subsets the row flags
 * mark. A new row is a new option everywhere; nothing here names a setting.
 */
import type { SETTINGS, SettingKind } from './table.js';

type Table = typeof SETTINGS;

// The option types map over `keyof Table` as written: only such a (homomorphic) mapped type carries
// each row's doc comment to its property, in an editor and in the published declarations.

/** Names of the settings. */
export type SettingName = keyof Table;

/** The value a setting of kind `K` holds (a `choice`: the union of the row's values). */
export type KindValue<K extends SettingKind> = K extends { type: 'choice'; values: readonly (infer V)[] }
  ? V
  : K extends { type: 'codes' }
    ? readonly number[]
    : K extends { type: 'strings' }
      ? readonly string[]
      : K extends { type: 'path' | 'cron' | 'variable' | 'check' }
        ? string
        : K extends { type: 'bool' }
          ? boolean
          : number;

/** The value setting `N` holds. */
export type SettingValue<N extends SettingName> = KindValue<Table[N]['kind']>;

/**
 * Options of a {@link Daemon} (and, but for the daemon process's own, of a `Supervisor`): any of
 * the settings; `undefined` means "not set", the default applies.
 */
export type DaemonOptions = { -readonly [N in keyof Table]?: SettingValue<N> | undefined };

/** The resolved settings a supervisor runs with: every one checked, defaults applied. */
export type DaemonSettings = { -readonly [N in keyof Table]: SettingValue<N> };

/** The settings of the supervise loop (a `Supervisor` takes them): all but the daemon process's own. */
export type SupervisorSettingName = { [N in SettingName]: Table[N] extends { owner: 'daemon-process' } ? never : N }[SettingName];

/** The options a `Supervisor` takes of the settings. */
export type SupervisorSettingOptions = Pick<DaemonOptions, SupervisorSettingName>;

/** The resolved settings of a `Supervisor`. */
export type SupervisorSettings = Pick<DaemonSettings, SupervisorSettingName>;

/** The settings an OS service manager has too. */
export type ServiceSettingName = { [N in SettingName]: Table[N] extends { service: true } ? N : never }[SettingName];

/** How a face writes a setting's name: the library as the option (`maxSize`), the CLI as its flag (`--max-size`). */
export type Spell = (name: SettingName) => string;

/** A setting refused by a rule between settings: accepted, it would never be used. */
export interface Refusal {
  /** The setting refused. */
  option: SettingName;
  /** What follows its name in the message (`cannot apply: …`, `needs maxSize: …`), names spelt by the face. */
  says(spell: Spell): string;
}

/** What a rule between settings reads. */
export interface RuleInput {
  /** Every setting, each checked, defaults applied. */
  readonly settings: Readonly<DaemonSettings>;
  /** The defaults (a value left at its default was not set to do something). */
  readonly defaults: Readonly<DaemonSettings>;
  /** Whether `name` was given rather than defaulted. */
  given(name: SettingName): boolean;
  /** Whether the worker's output goes to a log file (false: it is discarded); undefined: not known here. */
  readonly logged: boolean | undefined;
}

/**
 * A rule between settings, defined beside its feature and listed in the registry (./rules): the
 * first setting it refuses, if any.
 */
export type SettingRule = (input: RuleInput) => Refusal | undefined;

/**
 * The keys an app of a fleet file may have, in one table: our own (the settings table under its
 * library names, and `name`, `command`, `args`, `cwd`, `env`, `log`), and pm2's, each mapped to
 * our setting with pm2's units. A pm2 key whose setting this build does not have (an option that
 * another part of xdaemon adds) is looked up in the settings table when the file is read: where
 * the setting exists it is applied, where it does not the app runs and one warning says "pm2 key
 * X is not carried out". pm2's keys we never carry out are listed too, so that they warn instead
 * of failing as typos; anything else is an unknown key. pm2's spellings are accepted as pm2
 * accepts them: its aliases (`exec`, `interpreterArgs`, `out`, `err`, `cron`, …) and the camelCase
 * of every key (`restartDelay`, `maxMemoryRestart`). Pure.
 */
import { SETTINGS } from '../settings/table.js';
import { type SettingName } from '../settings/types.js';
import { hasFlag } from '../settings/derived.js';
import { KeyValueError, envObject, pm2Bool, pm2Bytes, pm2Codes, pm2Instances, pm2List, pm2Millis, pm2Text, pm2Words } from './pm2-units.js';

/** One app of a file, as its keys say, before it is checked against the machine. */
export interface AppDraft {
  name: string | undefined;
  /** Our `command` (a program), or pm2's `script` (run with this node, or `interpreter`). */
  command: string | undefined;
  script: string | undefined;
  interpreter: string | undefined;
  /** pm2's `node_args` / `interpreter_args`: before the script. */
  interpreterArgs: string[];
  args: string[];
  cwd: string | undefined;
  env: Record<string, string>;
  /** `env_<set>` by set name. */
  envSets: Record<string, Record<string, string>>;
  /** Our `log`, pm2's `out_file`; pm2's `log_file` beside it. */
  log: string | undefined;
  combinedLog: string | undefined;
  /** Settings by library name, values as the settings table takes them (checked later). */
  settings: Record<string, unknown>;
  /** pm2's wait_ready, listen_timeout, exec_mode cluster, autorestart, stop_exit_codes. */
  pm2: { waitReady?: boolean; listenTimeout?: number; cluster?: boolean; autorestart?: boolean; stopExitCodes?: number[] };
  /** Warnings of pm2 keys this build does not carry out ({@link notCarried}). */
  notCarried: string[];
  /** Ours: a supervisor process of its own instead of a place in the host. */
  ownProcess: boolean;
  /** The apps it starts after (`dependsOn`). */
  dependsOn: string[];
}

/** How a key is read into a draft. */
export interface KeyRule {
  /** Where it goes, for the README: our setting or field. */
  ours: string;
  /** pm2's units or default where they differ from ours (README); empty when the same. */
  pm2: string;
  /** Reads `value` into the draft; throws a KeyValueError for a value it cannot take. */
  read(value: unknown, draft: AppDraft, facts: { cpus: number; key: string }): void;
}

/** True when `name` is a setting of this build's settings table that a daemon's command line (and so an app) may give. */
export function isSetting(name: string): name is SettingName {
  return hasFlag(name);
}

/** Applies setting `name` where this build has it; else notes the key as not carried out. */
function apply(draft: AppDraft, key: string, name: string, value: unknown): void {
  if (isSetting(name)) draft.settings[name] = value;
  else draft.notCarried.push(notCarried(key));
}

const rule = (ours: string, pm2: string, read: KeyRule['read']): KeyRule => ({ ours, pm2, read });
const toSetting = (name: string, pm2: string, convert: (value: unknown, cpus: number) => unknown, ours: string = name): KeyRule =>
  rule(ours, pm2, (value, draft, { cpus, key }) => apply(draft, key, name, convert(value, cpus)));

/** The warning of a pm2 key not carried out, with why. */
export function notCarried(key: string, why?: string): string {
  return `pm2 key ${key} is not carried out${why === undefined ? '' : ` (${why})`}`;
}

/** Fields of an app that are not settings, shared by our files and pm2's. */
const FIELDS: Record<string, KeyRule> = {
  name: rule('name', 'default: the script\'s base name', (v, d) => void (d.name = pm2Text(v))),
  command: rule('command', '', (v, d) => void (d.command = pm2Text(v))),
  args: rule('args', 'a string is split into words as pm2 splits it', (v, d) => void (d.args = pm2Words(v))),
  cwd: rule('cwd', '', (v, d) => void (d.cwd = pm2Text(v))),
  env: rule('env', '', (v, d) => void (d.env = envObject(v))),
  log: rule('log', 'pm2: log_file, also true (its default path)', (v, d) => {
    if (v !== true) d.combinedLog = pm2Text(v);
  }),
  ownProcess: rule('ownProcess', 'pm2 runs every app in its one daemon', (v, d) => void (d.ownProcess = pm2Bool(v))),
  dependsOn: rule('dependsOn', 'pm2 has none (its issue #2831)', (v, d) => {
    const names = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n !== '')) throw new KeyValueError(`must be an app's name or an array of them, got ${JSON.stringify(v)}`);
    d.dependsOn = [...new Set(names as string[])];
  }),
};

/** pm2's keys that map to ours (pm2 name → rule). */
export const PM2_KEYS: Record<string, KeyRule> = {
  script: rule('command (with this node for .js, .cjs, .mjs; .ts through tsx)', 'required', (v, d) => void (d.script = pm2Text(v))),
  exec_interpreter: rule('command (the script becomes its first argument)', "default node; 'none': the script runs as it is", (v, d) => void (d.interpreter = pm2Text(v))),
  node_args: rule('args before the script', '', (v, d) => void (d.interpreterArgs = pm2Words(v))),
  port: rule('env.PORT', '', (v, d) => {
    if (typeof v !== 'number' && typeof v !== 'string') throw new KeyValueError(`must be a port number, got ${JSON.stringify(v)}`);
    d.env = { ...d.env, PORT: String(v) };
  }),
  out_file: rule('log', 'default ~/.pm2/logs/NAME-out.log (ours: <state>/NAME.log, stdout and stderr)', (v, d) => void (d.log = pm2Text(v))),
  error_file: toSetting('errFile', 'default ~/.pm2/logs/NAME-error.log (ours: the log)', (v) => pm2Text(v)),
  log_file: rule('log (when out_file is not given)', 'default none', (v, d) => {
    if (v !== true && v !== false) d.combinedLog = pm2Text(v);
  }),
  disable_logs: rule('log /dev/null', '', (v, d) => {
    if (pm2Bool(v)) d.log = '/dev/null';
  }),
  time: toSetting('timestamps', '', (v) => pm2Bool(v)),
  log_date_format: rule('timestamps (ISO 8601 UTC; the format itself is not carried out)', 'a day.js format', (v, d) => {
    pm2Text(v);
    apply(d, 'log_date_format', 'timestamps', true);
    d.notCarried.push(notCarried('log_date_format', 'its format: timestamps are ISO 8601 UTC'));
  }),
  autorestart: rule('restart: never when false', '', (v, d) => void (d.pm2.autorestart = pm2Bool(v))),
  stop_exit_codes: rule('restart: on-failure + successExitCodes (0 always counts as success)', '', (v, d) => void (d.pm2.stopExitCodes = pm2Codes(v))),
  max_restarts: toSetting('maxError', 'default 16 unstable restarts (ours: 3 consecutive failures)', (v) => whole(v)),
  min_uptime: toSetting('minExitTime', "ms or '10s', '1m', '1h'; default 1000 ms (ours: 10 s)", (v) => pm2Millis(v) / 1000, 'minExitTime (seconds)'),
  restart_delay: toSetting('restartDelay', "ms or '4s'", (v) => pm2Millis(v)),
  exp_backoff_restart_delay: rule('backoff: exponential, restartDelay', 'grows ×1.5 up to 15 s (ours: ×2 up to maxRestartDelay, 30 s)', (v, d, f) => {
    apply(d, f.key, 'backoff', 'exponential');
    apply(d, f.key, 'restartDelay', pm2Millis(v));
  }),
  kill_timeout: toSetting('killTimeout', 'default 1600 ms (ours: 5000)', (v) => pm2Millis(v)),
  treekill: toSetting('killMode', '', (v) => (pm2Bool(v) ? 'group' : 'process'), 'killMode: process when false'),
  wait_ready: rule("waitReady; a Node app's process.send('ready') is its ready() (cluster mode gives it the IPC channel)", '', (v, d) => void (d.pm2.waitReady = pm2Bool(v))),
  listen_timeout: rule('waitReady (ms, with wait_ready); without it, reloadGrace: how long a reload waits for a replacement to listen', 'default 3000 ms', (v, d) => void (d.pm2.listenTimeout = pm2Millis(v))),
  instances: rule('instances', "'max' or 0: one per CPU; -N: N fewer than the CPUs; default 1", (v, d, f) => {
    const n = pm2Instances(v, f.cpus);
    // One instance is what runs without the setting: nothing is left undone.
    if (n !== 1 || isSetting('instances')) apply(d, f.key, 'instances', n);
  }),
  // Both modes run a Node app in cluster mode (its listen() served by the supervisor's socket: for
  // instances on ports of their own, as in fork mode, nothing changes); anything else as it is.
  exec_mode: rule('accepted: a Node app runs in cluster mode either way', "'fork' (default) or 'cluster'", (v) => {
    const mode = pm2Text(v).replace(/_mode$/, '');
    if (mode !== 'fork' && mode !== 'cluster') throw new KeyValueError(`must be 'fork' or 'cluster', got ${JSON.stringify(v)}`);
  }),
  instance_var: toSetting('instanceVar', 'default NODE_APP_INSTANCE, which it replaces (ours: XDAEMON_INSTANCE and NODE_APP_INSTANCE stay)', (v) => pm2Text(v)),
  increment_var: toSetting('incrementVar', 'instance i gets the value + i (0 when unset)', (v) => pm2Text(v)),
  max_memory_restart: toSetting('maxMemory', "bytes or '512M', '1G' (1024-based); checked every 30 s (ours: every second)", (v) => pm2Bytes(v)),
  cron_restart: rule('cronRestart', "0 or '0': none", (v, d, f) => {
    if (v === 0 || v === '0') return;
    apply(d, f.key, 'cronRestart', pm2Text(v));
  }),
  watch: rule('watch', 'true: the app\'s cwd', (v, d, f) => {
    if (v === false) return;
    apply(d, f.key, 'watch', v === true ? ['.'] : pm2List(v));
  }),
  ignore_watch: toSetting('watchIgnore', '', (v) => pm2List(v)),
  watch_delay: toSetting('watchDebounce', '', (v) => pm2Millis(v)),
  // What pm2 does only when asked is what xdaemon always does: one log for every instance of an app.
  merge_logs: rule('(always: the instances of an app share its log)', "default: a log per instance (NAME-out-ID.log)", () => undefined),
  // pm2 7 has no env_file (its env_* pattern would make it an env set named "file"): an env file, read at every start.
  env_file: toSetting('envFile', 'not in pm2 7 (there: an env set named "file")', (v) => pm2List(v)),
};

/** pm2's keys that xdaemon does not carry out: a warning, and the app runs. */
export const PM2_NOT_CARRIED = [
  'name_prefix', 'filter_env', 'namespace', 'install_url', 'log_type', 'pid_file', 'source_map_support',
  'disable_source_map_support', 'shutdown_with_message', 'vizion', 'autostart', 'watch_options', 'execute_command', 'force',
  'append_env_to_name', 'post_update', 'trace', 'disable_trace', 'v8', 'event_loop_inspector', 'deep_monitoring',
  'pmx', 'automation', 'username', 'uid', 'gid', 'windowsHide', 'kill_retry_time', 'write', 'io',
] as const;

/** pm2's own aliases (schema.json `alias`), alias → key. */
const PM2_ALIASES: Record<string, string> = {
  exec: 'script',
  // Not in pm2's schema, but its verifyConfs copies cmd (and command) into script.
  cmd: 'script',
  interpreter: 'exec_interpreter',
  interpreterArgs: 'node_args',
  interpreter_args: 'node_args',
  out: 'out_file',
  output: 'out_file',
  out_log: 'out_file',
  error: 'error_file',
  err: 'error_file',
  err_file: 'error_file',
  err_log: 'error_file',
  cron: 'cron_restart',
  user: 'uid',
  pid: 'pid_file',
  combine_logs: 'merge_logs',
};

/** pm2's camelCase of a key (`max_memory_restart` → `maxMemoryRestart`), as its Config.js makes it. */
function camel(key: string): string {
  return key
    .split('_')
    .map((part, i) => (i !== 0 && part.length > 1 ? (part[0] as string).toUpperCase() + part.slice(1) : part))
    .join('');
}

/** What a key of an app is. */
export type KeyMeaning = { kind: 'rule'; rule: KeyRule; key: string } | { kind: 'env-set'; set: string } | { kind: 'not-carried'; key: string } | { kind: 'unknown' };

/** Our own keys: the fields and every setting of the table (values as the library takes them, times also with units). */
function ownRule(name: string): KeyRule | undefined {
  const field = FIELDS[name];
  if (field !== undefined) return field;
  if (!isSetting(name)) return undefined;
  const kind = SETTINGS[name].kind.type;
  return rule(name, '', (value, draft) => {
    let v = value;
    if (kind === 'ms' && typeof v === 'string') v = pm2Millis(v);
    else if (kind === 'seconds' && typeof v === 'string') v = pm2Millis(v) / 1000;
    else if (kind === 'bytes' && typeof v === 'string') v = pm2Bytes(v);
    // One address (`listen: '8080'`), as pm2's watch takes one path, and one env file
    // (envFile: '.env', as docker compose's env_file): a list of one.
    else if (kind === 'strings' && typeof v === 'string') v = [v];
    // pm2's waitReady (camelCase of wait_ready) is a boolean; ours is milliseconds.
    if (name === 'waitReady' && typeof v === 'boolean') {
      draft.pm2.waitReady = v;
      return;
    }
    draft.settings[name] = v;
  });
}

/** Looks `key` up: ours, pm2's (with its aliases and camelCase spellings), an env set, or unknown. */
export function meaningOf(key: string): KeyMeaning {
  // pm2's own spelling first: where a setting has pm2's name (`watch`, `instances`), the pm2 rule
  // reads pm2's values (`watch: true`, `instances: 'max'`) as well as ours.
  const exact = PM2_KEYS[key];
  if (exact !== undefined) return { kind: 'rule', rule: exact, key };
  const own = ownRule(key);
  if (own !== undefined) return { kind: 'rule', rule: own, key };
  if (/^env_\S+$/.test(key)) return { kind: 'env-set', set: key.slice(4) };
  const pm2 = PM2_ALIASES[key] ?? CAMEL.get(key) ?? key;
  const found = PM2_KEYS[pm2];
  if (found !== undefined) return { kind: 'rule', rule: found, key: pm2 };
  if ((PM2_NOT_CARRIED as readonly string[]).includes(pm2)) return { kind: 'not-carried', key: pm2 };
  return { kind: 'unknown' };
}

const CAMEL = new Map<string, string>([...Object.keys(PM2_KEYS), ...PM2_NOT_CARRIED].map((key) => [camel(key), key]));

/** Every key an app may have as written (ours, pm2's, its aliases), for "did you mean". */
export function knownKeys(): string[] {
  return [...Object.keys(FIELDS), ...Object.keys(PM2_KEYS), ...PM2_NOT_CARRIED, ...Object.keys(PM2_ALIASES), ...Object.keys(SETTINGS).filter(isSetting)];
}

/** A whole number ≥ 0. */
function whole(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  throw new KeyValueError(`must be a whole number >= 0, got ${JSON.stringify(value)}`);
}

/** An empty draft. */
export function emptyDraft(): AppDraft {
  return {
    name: undefined,
    command: undefined,
    script: undefined,
    interpreter: undefined,
    interpreterArgs: [],
    args: [],
    cwd: undefined,
    env: {},
    envSets: {},
    log: undefined,
    combinedLog: undefined,
    settings: {},
    pm2: {},
    notCarried: [],
    ownProcess: false,
    dependsOn: [],
  };
}

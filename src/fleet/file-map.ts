/**
 * A fleet file's content mapped to the daemons it describes, and checked whole: the shape
 * (`{ apps: [...] }`), every key of every app (ours, or pm2's through ./pm2-keys), every
 * setting against the settings table, one name per app, a program per app, the `--env` set and
 * the `--only` names. The first problem is a FleetFileError naming the file, the app and the key
 * (`code: EUSAGE`), so that one bad app means nothing of the file starts. Pure: the file was loaded by ./fleet-load,
 * the programs are looked up by the caller.
 */
import { basename, extname, resolve } from 'node:path';
import { shortMessageOf } from '../errors.js';
import { checkSetting, checkSettings } from '../settings/check.js';
import { type SettingName } from '../settings/types.js';
import { type AppDraft, emptyDraft, isSetting, meaningOf, notCarried } from './pm2-keys.js';
import { KeyValueError, envObject } from './pm2-units.js';
import { isValidName, NAME_RULE } from './names.js';
import { type FleetFileError, fleetFileError } from './fleet-error.js';

/** One app of a file, mapped and checked; paths absolute. */
export interface FleetApp {
  name: string;
  /** What runs: a program (ours: `command`), or a script (pm2: `script`, with its interpreter). */
  program: { command: string } | { script: string; interpreter: string | undefined; interpreterArgs: string[] };
  args: string[];
  cwd: string;
  /** The app's `env`, its `env_<set>` over it, the command line's `--env NAME=VALUE` over both. */
  env: Record<string, string>;
  log: string | undefined;
  /** Settings by library name, each checked against the settings table. */
  settings: Partial<Record<SettingName, unknown>>;
  /** One line each: a pm2 key this build does not carry out, what a cluster app should add. */
  warnings: string[];
}

/** What the file is mapped with. */
export interface FleetContext {
  /** The file, absolute (relative paths in it are to its directory). */
  path: string;
  /** `--env SET`: selects `env_<SET>` of each app. */
  envSet: string | undefined;
  /** `--env NAME=VALUE` of the command line. */
  env: Record<string, string>;
  /** `--only`: these apps; none: all. */
  only: readonly string[];
  /** CPUs, for pm2's `instances: 'max'`. */
  cpus: number;
}

/** pm2's default of `listen_timeout`, the time `wait_ready` waits (its GRACEFUL_LISTEN_TIMEOUT). */
export const PM2_LISTEN_TIMEOUT = 3000;

/** Top-level keys of pm2 files that are not apps. */
const TOP_NOT_CARRIED = ['deploy'];

/** The apps of `content` (what the file exported or held) that `context.only` selects. */
export function mapFleet(content: unknown, context: FleetContext): { apps: FleetApp[]; warnings: string[] } {
  const file = context.path;
  const bad = (what: string, key?: string): FleetFileError => fleetFileError({ file, key, reason: what });
  if (typeof content !== 'object' || content === null || Array.isArray(content)) throw bad(`must hold an object with apps: [...], got ${describeValue(content)}`);
  const warnings: string[] = [];
  for (const key of Object.keys(content)) {
    if (key === 'apps') continue;
    if (TOP_NOT_CARRIED.includes(key)) warnings.push(`${file}: pm2 key ${key} is not carried out`);
    else throw bad(`unknown key ${JSON.stringify(key)} (a fleet file holds apps: [...])`, key);
  }
  const list = (content as { apps?: unknown }).apps;
  if (!Array.isArray(list)) throw bad(list === undefined ? 'no apps (a fleet file holds apps: [{ name, script or command, … }])' : `apps must be an array, got ${describeValue(list)}`, 'apps');
  if (list.length === 0) throw bad('apps is empty', 'apps');
  const dir = resolve(file, '..');
  const apps = list.map((entry: unknown, i) => mapApp(entry, i, dir, context));
  const seen = new Set<string>();
  for (const app of apps) {
    if (seen.has(app.name)) throw fleetFileError({ file, app: app.name, key: 'name', reason: `two apps are named ${JSON.stringify(app.name)} (give one a name)` });
    seen.add(app.name);
  }
  for (const name of context.only) if (!seen.has(name)) throw bad(`--only ${name}: no app of that name (apps: ${[...seen].join(', ')})`, '--only');
  if (context.envSet !== undefined && !list.some((entry) => typeof entry === 'object' && entry !== null && `env_${context.envSet as string}` in entry)) {
    throw bad(`--env ${context.envSet}: no app has env_${context.envSet}`, '--env');
  }
  const chosen = context.only.length === 0 ? apps : apps.filter((app) => context.only.includes(app.name));
  for (const app of chosen) for (const w of app.warnings) warnings.push(`${file}: app ${app.name}: ${w}`);
  return { apps: chosen, warnings };
}

function mapApp(entry: unknown, index: number, dir: string, context: FleetContext): FleetApp {
  const file = context.path;
  const ownName = typeof entry === 'object' && entry !== null && typeof (entry as { name?: unknown }).name === 'string' ? (entry as { name: string }).name : undefined;
  let label = ownName ?? `#${index + 1}`;
  const bad = (what: string, key?: string): FleetFileError => fleetFileError({ file, app: label, key, reason: what });
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad(`must be an object, got ${describeValue(entry)}`);
  const draft: AppDraft = emptyDraft();
  const sources: Record<string, string> = {};
  const cpus = context.cpus;
  for (const [key, value] of Object.entries(entry)) {
    if (value === undefined) continue;
    const meaning = meaningOf(key);
    try {
      switch (meaning.kind) {
        case 'unknown':
          throw bad(`unknown key ${JSON.stringify(key)} (neither a setting of xdaemon nor a key of pm2)`, key);
        case 'not-carried':
          draft.notCarried.push(notCarried(meaning.key));
          break;
        case 'env-set':
          draft.envSets[meaning.set] = envObject(value);
          break;
        case 'rule': {
          const before = new Set(Object.keys(draft.settings));
          meaning.rule.read(value, draft, { cpus, key: meaning.key });
          for (const name of Object.keys(draft.settings)) if (!before.has(name)) sources[name] = key;
          break;
        }
      }
    } catch (err) {
      if (err instanceof KeyValueError) throw bad(`${key} ${err.message}`, key);
      throw err;
    }
  }
  // The program.
  if (draft.script !== undefined && draft.command !== undefined) throw bad('has both script (pm2) and command: give one', 'command');
  const source = draft.script ?? draft.command;
  if (source === undefined) throw bad('no script (or command): what should it run?');
  const name = draft.name ?? baseName(source);
  label = name;
  if (!isValidName(name)) throw bad(`name ${JSON.stringify(name)} cannot be a daemon's name (${NAME_RULE})`, 'name');
  const cwd = resolve(dir, draft.cwd ?? '.');
  const env = { ...draft.env, ...(context.envSet === undefined ? {} : draft.envSets[context.envSet]), ...context.env };
  const warnings: string[] = [];
  finishPm2(draft, sources);
  warnings.push(...draft.notCarried);
  // Every setting, by the settings table's rules.
  const settings: Partial<Record<SettingName, unknown>> = {};
  for (const [setting, value] of Object.entries(draft.settings)) {
    if (!isSetting(setting)) continue;
    try {
      settings[setting] = checkSetting(setting, value);
    } catch (err) {
      const key = sources[setting] ?? setting;
      throw bad(`${key}${key === setting ? '' : ` (${setting})`}: ${shortMessageOf(err)}`, key);
    }
  }
  // The rules between settings (one that would have no effect with the others is refused).
  try {
    checkSettings(settings);
  } catch (err) {
    throw bad(shortMessageOf(err));
  }
  for (const path of ['errFile'] as const) if (typeof settings[path] === 'string') settings[path] = resolve(dir, settings[path] as string);
  // Watched paths are the app's (pm2: relative to its cwd); the ignore globs stay as written.
  const watched = (settings as Record<string, unknown>).watch;
  if (Array.isArray(watched)) (settings as Record<string, unknown>).watch = watched.map((p: unknown) => (typeof p === 'string' ? resolve(cwd, p) : p));
  const program: FleetApp['program'] =
    draft.script !== undefined
      ? { script: resolve(cwd, draft.script), interpreter: draft.interpreter, interpreterArgs: draft.interpreterArgs }
      : { command: draft.command as string };
  if (draft.command !== undefined && (draft.interpreter !== undefined || draft.interpreterArgs.length > 0)) {
    throw bad('interpreter and node_args go with script, not with command', 'interpreter');
  }
  let log = draft.log ?? draft.combinedLog;
  if (log !== undefined && log !== '/dev/null') log = resolve(dir, log);
  return { name, program, args: draft.args, cwd, env, log, settings, warnings };
}

/** pm2's keys that only mean something together: readiness, restarts, the logs. */
function finishPm2(draft: AppDraft, sources: Record<string, string>): void {
  const p = draft.pm2;
  const set = (key: string, name: string, value: unknown): void => {
    if (isSetting(name)) {
      draft.settings[name] = value;
      sources[name] = key;
    } else {
      draft.notCarried.push(notCarried(key));
    }
  };
  if (p.waitReady === true && draft.settings.waitReady === undefined) set('wait_ready', 'waitReady', p.listenTimeout ?? PM2_LISTEN_TIMEOUT);
  else if (p.waitReady !== true && p.listenTimeout !== undefined) set('listen_timeout', 'reloadGrace', p.listenTimeout);
  if (p.autorestart === false) set('autorestart', 'restart', 'never');
  else if (p.stopExitCodes !== undefined) {
    set('stop_exit_codes', 'restart', 'on-failure');
    set('stop_exit_codes', 'successExitCodes', p.stopExitCodes.filter((code) => code !== 0));
  }
  // pm2 files often keep ignore_watch (and watch_delay) beside watch: false: without watch they mean
  // nothing to pm2 either, so they are dropped rather than refused as the settings table refuses them.
  if (draft.settings.watch === undefined) {
    for (const [name, key] of [['watchIgnore', 'ignore_watch'], ['watchDebounce', 'watch_delay']] as const) {
      if (sources[name] !== undefined && meaningOf(sources[name] as string).kind === 'rule' && (meaningOf(sources[name] as string) as { key: string }).key === key) delete draft.settings[name];
    }
  }
  if (draft.log !== undefined && draft.combinedLog !== undefined && draft.log !== draft.combinedLog) draft.notCarried.push(notCarried('log_file', 'beside out_file: one log per app'));
}

/** `dir/app.test.js` → `app.test`. */
function baseName(path: string): string {
  const last = basename(path.replace(/\\/g, '/'));
  return basename(last, extname(last));
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

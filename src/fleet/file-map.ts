/**
 * A fleet file's content mapped to the daemons it describes, and checked whole: the shape (`{
 * apps: [...] }`, pm2's `pm2` block of a package.json, a list, or one app alone), every key of
 * every app (ours, or pm2's through ./pm2-keys), every setting against the settings table, one
 * name per app, a program per app, the `--env` set and the `--only` names. Every problem is
 * collected, and one FleetFileError lists them all (file, app and key each, `code: EUSAGE`), so
 * that a migration is one edit, not one per attempt, and nothing of the file starts while one is
 * left. What pm2 passes over is a warning: a key it does not know (with the nearest known one), a
 * `null` or a hole in the list of apps or in an array, an `--env` set no app has. Paths are
 * resolved as pm2 7 resolves them (never against the file's folder: see {@link FleetContext}).
 * Pure: the file was loaded by ./file-load, the programs are looked up by the caller.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { shortMessageOf } from '../errors.js';
import { nearest } from '../nearest.js';
import { checkSetting, checkSettings } from '../settings/check.js';
import { type SettingName } from '../settings/types.js';
import { type AppDraft, emptyDraft, isSetting, knownKeys, meaningOf, notCarried } from './pm2-keys.js';
import { KeyValueError, envObject } from './pm2-units.js';
import { isValidName, NAME_RULE, pm2Name } from './names.js';
import { type FleetProblem, FleetFileError } from './fleet-error.js';
import { StartOrderError, startWaves } from './start-order.js';

/** One app of a file, mapped and checked; paths absolute. */
export interface FleetApp {
  name: string;
  /**
   * What runs: a program (ours: `command`), or a script (pm2: `script`, with its interpreter;
   * `written` as the file wrote it, which may be a command line such as `npm run start`).
   */
  program: { command: string } | { script: string; written: string; interpreter: string | undefined; interpreterArgs: string[] };
  args: string[];
  cwd: string;
  /** The app's `env`, its `env_<set>` over it, the command line's `--env NAME=VALUE` over both. */
  env: Record<string, string>;
  log: string | undefined;
  /** Settings by library name, each checked against the settings table. */
  settings: Partial<Record<SettingName, unknown>>;
  /** One line each: a pm2 key this build does not carry out, an unknown key. */
  warnings: string[];
  /** Ours (`ownProcess: true`): a supervisor process of its own instead of a place in the host. */
  ownProcess: boolean;
  /** The apps it starts after (`dependsOn`): of the file, or daemons that run. */
  dependsOn: string[];
}

/** What the file is mapped with. */
export interface FleetContext {
  /** The file, absolute. */
  path: string;
  /**
   * The directory the command was given in. As in pm2 7, an app's relative `cwd` is resolved
   * against it, and its relative `script` and log files against the app's `cwd` (this directory
   * when it has none): the file's own folder is never used (write `cwd: __dirname` for that).
   */
  cwd: string;
  /** The home directory, for a leading `~` in a path (default: this user's). */
  home?: string;
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
const TOP_NOT_CARRIED = ['deploy', 'static'];

/** Keys that make an object one app when it has no `apps` (pm2 takes such a file as one app). */
const APP_MARKS = ['script', 'exec', 'cmd', 'command', 'name'];

/** Collects the problems of a file: every one is kept, and the mapping goes on. */
class Problems {
  readonly list: FleetProblem[] = [];
  constructor(readonly file: string) {}
  add(reason: string, app?: string, key?: string): void {
    this.list.push({ file: this.file, ...(app === undefined ? {} : { app }), ...(key === undefined ? {} : { key }), reason });
  }
  get count(): number {
    return this.list.length;
  }
}

/**
 * The apps of `content` (what the file exported or held) that `context.only` selects, with the
 * file's warnings.
 *
 * @throws FleetFileError listing every problem of the file.
 */
export function mapFleet(content: unknown, context: FleetContext): { apps: FleetApp[]; warnings: string[] } {
  const { apps, warnings, problems } = mapFleetProblems(content, context);
  if (problems.length > 0) throw new FleetFileError(problems as [FleetProblem, ...FleetProblem[]]);
  return { apps, warnings };
}

/**
 * {@link mapFleet} without the throw: the apps that map (every one the file has, when there is no
 * problem), the warnings, and every problem, so that a caller adds the problems it finds in the
 * apps that did map (a script that is missing) to the same list.
 */
export function mapFleetProblems(content: unknown, context: FleetContext): { apps: FleetApp[]; warnings: string[]; problems: FleetProblem[] } {
  const file = context.path;
  const problems = new Problems(file);
  const warnings: string[] = [];
  const list = appListOf(content, problems, warnings);
  const apps: FleetApp[] = [];
  let mapped = 0;
  // A for loop, not map: a hole (`[a, , b]`) must be seen to be skipped.
  for (let i = 0; i < list.length; i++) {
    const entry: unknown = list[i];
    if (entry === null || entry === undefined) {
      warnings.push(`${file}: apps[${i}] is ${entry === null ? 'null' : 'empty'}: skipped`);
      continue;
    }
    mapped++;
    const app = mapApp(entry, i, context, problems);
    if (app !== undefined) apps.push(app);
  }
  if (list.length > 0 && mapped === 0) problems.add('apps holds no app (only nulls or holes)', undefined, 'apps');
  const seen = new Set<string>();
  for (const app of apps) {
    if (seen.has(app.name)) problems.add(`two apps are named ${JSON.stringify(app.name)} (give one a name)`, app.name, 'name');
    seen.add(app.name);
  }
  // The order between the apps: a cycle is refused whatever --only selects (a name outside the
  // file must be a daemon that runs: that is known only when the file is started).
  try {
    startWaves(apps, () => true);
  } catch (err) {
    if (!(err instanceof StartOrderError)) throw err;
    problems.add(`dependsOn: ${err.reason as string}`, err.app, 'dependsOn');
  }
  if (problems.count === 0) {
    for (const name of context.only) if (!seen.has(name)) problems.add(`--only ${name}: no app of that name (apps: ${[...seen].join(', ')})`, undefined, '--only');
  }
  if (context.envSet !== undefined && !list.some((entry) => typeof entry === 'object' && entry !== null && `env_${context.envSet as string}` in entry)) {
    // pm2 warns and starts with the base env: so do we.
    warnings.push(`${file}: --env ${context.envSet}: no app has env_${context.envSet}; the apps start with their env`);
  }
  const chosen = context.only.length === 0 ? apps : apps.filter((app) => context.only.includes(app.name));
  for (const app of chosen) for (const w of app.warnings) warnings.push(`${file}: app ${app.name}: ${w}`);
  return { apps: chosen, warnings, problems: problems.list };
}

/** The list of apps of a file's content, as pm2 finds it: `apps`, else `pm2`, else the object is one app; a list is the apps. */
function appListOf(content: unknown, problems: Problems, warnings: string[]): unknown[] {
  const file = problems.file;
  if (Array.isArray(content)) {
    if (content.length === 0) problems.add('holds no app (an empty list)');
    return content;
  }
  if (typeof content !== 'object' || content === null) {
    problems.add(`must hold an object with apps: [...], got ${describeValue(content)}`);
    return [];
  }
  const top = content as Record<string, unknown>;
  const key = 'apps' in top ? 'apps' : 'pm2' in top ? 'pm2' : undefined;
  if (key === undefined) {
    if (APP_MARKS.some((mark) => mark in top)) return [top];
    problems.add('no apps (a fleet file holds apps: [{ name, script or command, … }], or one app)', undefined, 'apps');
    return [];
  }
  // A package.json's other keys are its own; beside apps, pm2's own top-level keys warn, others are passed over.
  if (key === 'apps') {
    for (const other of Object.keys(top)) {
      if (other === 'apps') continue;
      warnings.push(TOP_NOT_CARRIED.includes(other) ? `${file}: pm2 key ${other} is not carried out` : `${file}: top-level key ${JSON.stringify(other)} ignored (a fleet file holds apps: [...])`);
    }
  }
  const list = top[key];
  if (Array.isArray(list)) {
    if (list.length === 0) problems.add(`${key} is empty`, undefined, key);
    return list;
  }
  if (typeof list === 'object' && list !== null) return [list];
  problems.add(`${key} must be an array of apps, got ${describeValue(list)}`, undefined, key);
  return [];
}

/** One app mapped; its problems added to `problems` (undefined when it has any). */
function mapApp(entry: unknown, index: number, context: FleetContext, problems: Problems): FleetApp | undefined {
  const ownName = typeof entry === 'object' && entry !== null && typeof (entry as { name?: unknown }).name === 'string' ? (entry as { name: string }).name : undefined;
  let label = ownName ?? `#${index + 1}`;
  const before = problems.count;
  const bad = (what: string, key?: string): void => problems.add(what, label, key);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    bad(`must be an object, got ${describeValue(entry)}`);
    return undefined;
  }
  const draft: AppDraft = emptyDraft();
  const sources: Record<string, string> = {};
  const unknown: string[] = [];
  const cpus = context.cpus;
  for (const [key, value] of Object.entries(entry)) {
    // pm2 takes null as not given (its default applies).
    if (value === undefined || value === null) continue;
    const meaning = meaningOf(key);
    try {
      switch (meaning.kind) {
        case 'unknown':
          unknown.push(key);
          break;
        case 'not-carried':
          draft.notCarried.push(notCarried(meaning.key));
          break;
        case 'env-set':
          draft.envSets[meaning.set] = envObject(value);
          break;
        case 'rule': {
          const had = new Set(Object.keys(draft.settings));
          meaning.rule.read(value, draft, { cpus, key: meaning.key });
          for (const name of Object.keys(draft.settings)) if (!had.has(name)) sources[name] = key;
          break;
        }
      }
    } catch (err) {
      if (err instanceof KeyValueError) bad(`${key} ${err.message}`, key);
      else throw err;
    }
  }
  // The program.
  if (draft.script !== undefined && draft.command !== undefined) bad('has both script (pm2) and command: give one', 'command');
  const source = draft.script ?? draft.command;
  if (source === undefined) bad('no script (or command): what should it run?');
  const name = draft.name ?? (source === undefined ? undefined : pm2Name(source));
  if (name !== undefined) label = name;
  if (name !== undefined && !isValidName(name)) bad(`name ${JSON.stringify(name)} cannot be a daemon's name (${NAME_RULE})`, 'name');
  const known = knownKeys();
  // pm2 drops a key it does not know without a word; a warning with the nearest key catches the typo (`instance`).
  const warnings: string[] = unknown.map((key) => {
    const near = nearest(key, known);
    return `unknown key ${JSON.stringify(key)} ignored${near === undefined ? '' : ` (did you mean ${near}?)`}`;
  });
  const home = context.home ?? homedir();
  const cwd = resolve(context.cwd, expandHome(draft.cwd ?? '.', home));
  const atApp = (path: string): string => (path === '/dev/null' ? path : resolve(cwd, expandHome(path, home)));
  const env = { ...draft.env, ...(context.envSet === undefined ? {} : draft.envSets[context.envSet]), ...context.env };
  finishPm2(draft, sources);
  // Two spellings of one key (combine_logs and merge_logs) warn once.
  for (const w of draft.notCarried) if (!warnings.includes(w)) warnings.push(w);
  // Every setting, by the settings table's rules.
  const settings: Partial<Record<SettingName, unknown>> = {};
  for (const [setting, value] of Object.entries(draft.settings)) {
    if (!isSetting(setting)) continue;
    try {
      settings[setting] = checkSetting(setting, value);
    } catch (err) {
      const key = sources[setting] ?? setting;
      bad(`${key}${key === setting ? '' : ` (${setting})`}: ${shortMessageOf(err)}`, key);
    }
  }
  // The rules between settings (one that would have no effect with the others is refused).
  if (problems.count === before) {
    try {
      checkSettings(settings);
    } catch (err) {
      bad(shortMessageOf(err));
    }
  }
  const paths = settings as Record<string, unknown>;
  if (typeof paths.errFile === 'string') paths.errFile = atApp(paths.errFile);
  // Env files, as every other path of an app: against its cwd (pm2 7 has no env_file).
  if (Array.isArray(paths.envFile)) paths.envFile = (paths.envFile as string[]).map(atApp);
  // Watched paths are the app's (pm2: relative to its cwd); the ignore globs stay as written.
  const watched = paths.watch;
  if (Array.isArray(watched)) paths.watch = watched.map((p: unknown) => (typeof p === 'string' ? resolve(cwd, p) : p));
  if (draft.command !== undefined && (draft.interpreter !== undefined || draft.interpreterArgs.length > 0)) {
    bad('interpreter and node_args go with script, not with command', 'interpreter');
  }
  if (problems.count > before || name === undefined) return undefined;
  const program: FleetApp['program'] =
    draft.script !== undefined
      ? { script: resolve(cwd, expandHome(draft.script, home)), written: draft.script, interpreter: draft.interpreter, interpreterArgs: draft.interpreterArgs }
      : { command: draft.command as string };
  const log = draft.log ?? draft.combinedLog;
  return { name, program, args: draft.args, cwd, env, log: log === undefined ? undefined : atApp(log), settings, warnings, dependsOn: draft.dependsOn, ownProcess: draft.ownProcess };
}

/** `~` and `~/x` as the home directory (pm2 expands them in paths); pm2's `NULL` log is `/dev/null`. */
function expandHome(path: string, home: string): string {
  if (path === 'NULL') return '/dev/null';
  if (path === '~') return home;
  return path.startsWith('~/') ? `${home}${path.slice(1)}` : path;
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

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

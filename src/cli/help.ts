/**
 * What the help texts share, written by hand, short: `xdaemon --help` made from the verbs' rows
 * (./verbs), the help of `start` and `run`, the lines of settings made from the settings table
 * (flag, default, description), so that they cannot drift from what the library does. Each other
 * verb's own help is in its row. Pure.
 */
import type { SettingFlag } from './flags.js';
import { SETTING_FLAGS } from './flags.js';
import { NAME_RULE } from '../fleet/names.js';
import { namedDaemonDefaults } from '../settings/profiles.js';
import { PM2_SETTING_ROWS } from './pm2-setting-flags.js';

const MAIN_HEAD = `usage: xdaemon <verb> [arguments]

Run any program as a supervised daemon, and operate it by name.
`;

const MAIN_TAIL = `
pm2's spellings work too: ls, del, describe, log, dump, jlist, prettylist, startOrRestart FILE,
startOrReload FILE; all for every daemon, a number for the daemon at that place of list (stop 0);
pm2's flags (-n, -o, -e, --time, --cron, --no-autorestart, --max-memory-restart, …).
xdaemon VERB --help shows a verb's options; xdaemon --version the version.
Daemons live in the state directory: $XDAEMON_HOME, else $XDG_STATE_HOME/xdaemon,
else ~/.local/state/xdaemon (Windows: %LOCALAPPDATA%\\xdaemon\\state).
Exit codes: 0 done, 1 failed, 2 bad usage.
`;

/** What a flag's value looks like in the help. */
function placeholder(f: SettingFlag): string {
  switch (f.kind.type) {
    case 'count':
      return f.setting === 'instances' ? ' N|max|-N' : ' N';
    case 'seconds':
      return ' SECONDS';
    case 'ms':
      return f.bare !== undefined ? ' [MS]' : ' MS';
    case 'variable':
      return ' NAME';
    case 'choice':
      return ` ${f.kind.values.join('|')}`;
    case 'codes':
      return ' CODE,…';
    case 'path':
      return ' FILE';
    case 'bytes':
      return ' SIZE';
    case 'cron':
      return ' "M H DOM MON DOW"';
    case 'check':
      return ' http://H:P/PATH|tcp:H:P|exec:CMD';
    case 'strings':
      return f.bare !== undefined ? '[=PATH]' : f.flag === 'ignore' ? ' GLOB' : f.setting === 'listen' ? ' ADDR' : f.setting === 'envFile' ? ' FILE' : ' VALUE';
    case 'bool':
      return '';
  }
}

/** A default as the help shows it. */
function shownDefault(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(',');
  if (value === '') return 'none';
  return String(value);
}

/** Where the summaries of `xdaemon --help` begin; a longer usage has its summary on the next line. */
const SYNOPSIS_WIDTH = 53;

/** `xdaemon --help`: a line per usage of each verb (`synopsis`, in the verbs' order), with what it does. */
export function mainHelp(synopsis: readonly (readonly [string, string])[]): string {
  const lines = synopsis.map(([usage, summary]) =>
    usage.length > SYNOPSIS_WIDTH ? `  ${usage}\n  ${' '.repeat(SYNOPSIS_WIDTH)}  ${summary}` : `  ${usage.padEnd(SYNOPSIS_WIDTH)}  ${summary}`,
  );
  return `${MAIN_HEAD}\n${lines.join('\n')}\n${MAIN_TAIL}`;
}

/** Two columns: `  --flag VALUE   description`. */
export function rows(entries: readonly (readonly [string, string])[]): string {
  const width = Math.max(...entries.map(([left]) => left.length));
  return entries.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}

/** The settings as help rows, with the defaults given (the table's, or a service's). */
export function settingRows(flags: readonly SettingFlag[], defaults: Readonly<Record<string, unknown>> = {}): [string, string][] {
  return flags.map((f) => [`${f.short === undefined ? '' : `-${f.short}, `}--${f.flag}${placeholder(f)}`, `${f.doc} (default ${shownDefault(f.setting in defaults ? defaults[f.setting] : f.default)})`]);
}

export const NAME_ROW: [string, string] = ['--name NAME', `${NAME_RULE}; default: the base name of the first argument that is a file (node server.js → server), else of the command`];
const LAUNCH_ROWS: [string, string][] = [
  ['--log FILE', 'its output and the supervisor\'s lines (default: <state>/NAME.log)'],
  ['--cwd DIR', 'its working directory (default: this one)'],
  ['--env NAME=VALUE', 'add to its environment (repeatable); the rest is this shell\'s'],
];

const FLEET_ROWS: [string, string][] = [
  ['--own-process', 'a supervisor process of its own (with a fleet file: for each app), not a place in the host'],
  ['--env SET', 'with a fleet file: each app\'s env_SET over its env'],
  ['--only a,b', 'with a fleet file: only these apps'],
];

const RUN_FILE_ROWS: [string, string][] = [
  ['--log-format text|json', 'how the apps\' lines are written (default text)'],
  ['--probe-listen ADDR', 'serve GET /livez and /readyz on PORT, :PORT (every address) or HOST:PORT'],
  ['--kill-timeout MS', 'how long the whole stop may take; then SIGKILL (default: the apps\' own, wave after wave)'],
  ['--keep-running', 'an app that gives up leaves the others running (run exits once all have ended)'],
];

/** The help of `start` and `run`: the daemon's command line and every setting flag. */
export function launchHelp(verb: 'start' | 'run'): string {
  const head =
    verb === 'start'
      ? `usage: xdaemon start [options] [--name NAME] -- <command> [args…]
       xdaemon start SCRIPT [options] [--name NAME] [-- args…]
       xdaemon start [FILE] [--only a,b] [--env SET]

Starts <command> under a supervisor in the background, and returns once it is up (see Defaults
below); exit 1 with the cause when it is not. Refused (exit 1) when NAME runs.
Every daemon of the state directory is supervised by one process, its host (started when there is
none, gone with its last daemon); --own-process gives this one a supervisor process of its own.
A NAME that is stopped is started with this command line and these options (-f: a NAME that runs
is replaced). SCRIPT: a .js, .cjs or .mjs file runs with this node, a .ts file with this node and
its installed loader (tsx), another file by its extension (.py python, .sh bash, …) or as it is
when executable (its #! line), a word not a file as a command on PATH (start npm -- start), a line
with blanks through bash; --interpreter PROG and --node-args ARGS choose how. Its name is pm2's:
dist/server.js → server. A known NAME (or all, or an id) instead of a SCRIPT starts it again.
FILE: every app of a fleet file that does not run yet (those that do are named, untouched);
everything in it is checked before anything starts, every problem reported at once.
${FLEET_HELP}`
      : `usage: xdaemon run [options] [--name NAME] -- <command> [args…]
       xdaemon run [FILE] [--only a,b] [--env SET] [--log-format text|json] [--probe-listen ADDR]
                   [--kill-timeout MS] [--keep-running]

Supervises <command> in the foreground: this process is the supervisor. SIGTERM or SIGINT stops
the worker and everything it started; the exit code is the supervisor's (0 after a stop, 1 after
giving up). Without --name nothing is recorded, and without --log the worker's stdout and stderr
are this process's (the supervisor's lines go to stderr).

With a fleet file (a container's entrypoint): every app of FILE supervised in this process,
nothing recorded; each line of each app on this process's stdout or stderr after its name
(web[1] | …, an app with instances), or as JSON lines with --log-format json (time, app,
instance, stream, line); an app with a log file of its own keeps it. SIGTERM or SIGINT stops every
app (dependants first) and exits 0; an app that gives up stops the others and exits 1.
${rows(RUN_FILE_ROWS)}
${FLEET_HELP}`;
  const sizes = '\nSIZE: bytes, or with a suffix k, M or G (1024-based): 10k, 5M, 1G.';
  return `${head}

options:
${rows([NAME_ROW, ...LAUNCH_ROWS, ...(verb === 'start' ? FLEET_ROWS : []), ...settingRows(SETTING_FLAGS, namedDaemonDefaults()), ...PM2_SETTING_ROWS])}
${sizes}
${DEFAULTS_HELP}
`;
}

/** What the defaults of start, run and fleet files are, and why they are not the library's. */
export const DEFAULTS_HELP = `Defaults (pm2's rule, with a backoff; the library's Daemon keeps Go's): a run shorter than
1 s is a failure; 16 failures in a row give up (the daemon is errored); each restart waits
100 ms, doubled per failure in a row up to 15 s, back to 100 ms after a run that lasted. So an
app that crashes 2 s after each start keeps coming back, and one that dies at once is given up
after about 2 minutes. start returns once the daemon is up: each instance's first worker ready
(ready(), or --wait-ready; without it, its first listen()), or running for 1 s; one that exits
before that is a failure (exit 1) naming the cause from its log. A Node program runs in cluster
mode: process.send, and its listen() of any port served by a socket the supervisor holds, so
its instances share that port and a reload refuses no connection.`;

/** What a fleet file is, for the verbs that take one. */
export const FLEET_HELP = `
A fleet file, by its name: *.config.{js,cjs,mjs}, ecosystem.*, *.json (read as JSON5), *.yml or
*.yaml; { apps: [{ name, command or script, args, cwd, env, env_SET, ownProcess, …settings }] },
pm2's keys too. Relative paths are to this directory (an app's script and logs: to its cwd), as in pm2 7.
--only a,b: those apps; --env SET: their env_SET over env (--env NAME=VALUE adds a variable).`;

/**
 * The help texts, written by hand, short: `xdaemon --help` and `xdaemon VERB --help`. The settings
 * part is made from the settings table (flag, default, description), so it cannot drift from what
 * the library does. Pure.
 */
import type { SettingFlag } from './flags.js';
import { SETTING_FLAGS } from './flags.js';
import { SERVICE_SETTING_FLAGS } from './install.js';
import { NAME_RULE } from '../fleet/names.js';

/** The verbs, in the order the help shows them. */
export const VERBS = ['start', 'run', 'stop', 'restart', 'reload', 'status', 'list', 'logs', 'flush', 'delete', 'install', 'uninstall', 'save', 'resurrect', 'startup', 'unstartup'] as const;
/** A verb. */
export type Verb = (typeof VERBS)[number];

const MAIN = `usage: xdaemon <verb> [arguments]

Run any program as a supervised daemon, and operate it by name.

  start [options] [--name NAME] -- <command> [args…]    start it supervised, in the background
  start SCRIPT [options] [-- args…]                      a script (.js, .mjs, .cjs, .ts) with this node, or an executable
  start [FILE] [--only a,b] [--env SET]                  the apps of a fleet file (default: xdaemon.config.*, ecosystem.config.*)
  run [options] [--name NAME] -- <command> [args…]      supervise it in the foreground
  stop NAME… | FILE | --all [--timeout MS]               stop daemons and everything they started
  restart NAME… | FILE                                   new worker; a stopped daemon is started; FILE: its settings now
  reload NAME… | FILE                                    replace the workers one by one, each once its successor is ready
  status [NAME] [--json]                                 state (exit 0 running, 1 dead, 3 stopped, 4 unknown)
  list [--json]                                          every daemon in a table, with CPU and memory
  logs [NAME…] [-n LINES] [-f]                           the end of their logs (all: every daemon's); -f follows
  flush NAME… | --all [--rotated]                        empty their log files
  delete NAME | FILE                                     stop it if needed and forget it
  install [--user] [--name NAME] [options] -- <command> [args…]
                                                         install it as an OS service (systemd, launchd, Windows)
  install FILE [--only a,b] [--user]                     one OS service per app of a fleet file
  uninstall NAME                                         remove that OS service
  save [--force]                                         record which daemons run, for resurrect
  resurrect                                              start the saved daemons (this environment + their own)
  startup [--user] [--dry-run]                           an OS service that runs resurrect at boot (login)
  unstartup                                              remove it

xdaemon VERB --help shows a verb's options; xdaemon --version the version.
Daemons live in the state directory: $XDAEMON_HOME, else $XDG_STATE_HOME/xdaemon,
else ~/.local/state/xdaemon (Windows: %LOCALAPPDATA%\\xdaemon\\state).
Exit codes: 0 done, 1 failed, 2 bad usage.
`;

/** What a flag's value looks like in the help. */
function placeholder(f: SettingFlag): string {
  switch (f.kind.type) {
    case 'count':
      return f.setting === 'instances' ? ' N|max' : ' N';
    case 'seconds':
      return ' SECONDS';
    case 'ms':
      return ' MS';
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
    case 'strings':
      return f.bare !== undefined ? '[=PATH]' : f.flag === 'ignore' ? ' GLOB' : f.setting === 'listen' ? ' ADDR' : ' VALUE';
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

/** Two columns: `  --flag VALUE   description`. */
function rows(entries: readonly (readonly [string, string])[]): string {
  const width = Math.max(...entries.map(([left]) => left.length));
  return entries.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
}

/** The settings as help rows, with the defaults given (the table's, or a service's). */
function settingRows(flags: readonly SettingFlag[], defaults: Readonly<Record<string, unknown>> = {}): [string, string][] {
  return flags.map((f) => [`--${f.flag}${placeholder(f)}`, `${f.doc} (default ${shownDefault(f.setting in defaults ? defaults[f.setting] : f.default)})`]);
}

const NAME_ROW: [string, string] = ['--name NAME', `${NAME_RULE}; default: the base name of the first argument that is a file (node server.js → server), else of the command`];
const LAUNCH_ROWS: [string, string][] = [
  ['--log FILE', 'its output and the supervisor\'s lines (default: <state>/NAME.log)'],
  ['--cwd DIR', 'its working directory (default: this one)'],
  ['--env NAME=VALUE', 'add to its environment (repeatable); the rest is this shell\'s'],
];

const FLEET_ROWS: [string, string][] = [
  ['--env SET', 'with a fleet file: each app\'s env_SET over its env'],
  ['--only a,b', 'with a fleet file: only these apps'],
];

function launchHelp(verb: 'start' | 'run'): string {
  const head =
    verb === 'start'
      ? `usage: xdaemon start [options] [--name NAME] -- <command> [args…]
       xdaemon start SCRIPT [options] [--name NAME] [-- args…]
       xdaemon start [FILE] [--only a,b] [--env SET]

Starts <command> under a supervisor in the background, and returns once the supervisor handles
signals (with --wait-ready, once the first worker called ready()). Refused (exit 1) when NAME runs.
A NAME that is stopped is started with this command line and these options. SCRIPT: a .js, .cjs or
.mjs file runs with this node, a .ts file with this node and its installed loader (tsx), an
executable as it is. FILE: every app of a fleet file that does not run yet (those that do are
named, untouched); everything in it is checked before anything starts.
${FLEET}`
      : `usage: xdaemon run [options] [--name NAME] -- <command> [args…]

Supervises <command> in the foreground: this process is the supervisor. SIGTERM or SIGINT stops
the worker and everything it started; the exit code is the supervisor's (0 after a stop, 1 after
giving up). Without --name nothing is recorded, and without --log the worker's stdout and stderr
are this process's (the supervisor's lines go to stderr).`;
  const sizes = '\nSIZE: bytes, or with a suffix k, M or G (1024-based): 10k, 5M, 1G.';
  return `${head}

options:
${rows([NAME_ROW, ...LAUNCH_ROWS, ...(verb === 'start' ? FLEET_ROWS : []), ...settingRows(SETTING_FLAGS)])}
${sizes}
`;
}

const FLEET = `
A fleet file: FILE names xdaemon.config.{js,cjs,mjs,json}, ecosystem.config.{js,cjs,mjs} or any
*.json; { apps: [{ name, command or script, args, cwd, env, env_SET, …settings }] }, pm2's keys
too. --only a,b: those apps; --env SET: their env_SET over env (--env NAME=VALUE adds a variable).`;

const SIMPLE: Record<Exclude<Verb, 'start' | 'run' | 'install'>, string> = {
  save: `usage: xdaemon save [--force]

Records which daemons run now (their names; their records are already in the state directory),
for xdaemon resurrect. An empty list is not saved over a non-empty one without --force.
`,
  resurrect: `usage: xdaemon resurrect

Starts the daemons xdaemon save recorded that do not run, from their records, with this
environment plus each one's recorded --env or file env (never an old copy of a whole environment).
`,
  startup: `usage: xdaemon startup [--user] [--dry-run] [--force] [--backend B] [--root DIR]

Installs one OS service (${'xdaemon-resurrect'}) that runs xdaemon resurrect at boot (--user: at
login) and xdaemon stop --all at shutdown, with node and xdaemon by their absolute paths;
xdaemon status warns when one of them is gone (run startup --force again then).

  --user       a service of the current user (systemd --user, a LaunchAgent, a task at logon)
  --dry-run    print the file and the commands instead
  --force      replace a different file of the same name
  --backend B  systemd, launchd or windows (default: the one running this machine)
  --root DIR   write under DIR (preparing an image)
`,
  unstartup: `usage: xdaemon unstartup [--backend B] [--root DIR]

Removes the service xdaemon startup installed (the daemons that run go on).
`,
  stop: `usage: xdaemon stop NAME… | FILE [--only a,b] | --all [--timeout MS]

Stops each daemon: its supervisor stops the worker's whole tree (SIGTERM, then SIGKILL after
--kill-timeout) and exits. Returns once they are gone. A stopped daemon is fine (exit 0); a dead
one (its supervisor was killed) has what it left stopped and its pid file removed.

  --all         every daemon
  --timeout MS  give up waiting for each after MS (default 30000; exit 1)
${FLEET}
`,
  restart: `usage: xdaemon restart NAME… | FILE [--only a,b] [--env SET]

A running daemon gets a new worker (the old one's tree is stopped first; the supervisor stays).
A stopped or dead one is started again from its record, with this shell's environment plus its
recorded --env. The apps of FILE are stopped and started with the file's current settings.
${FLEET}
`,
  reload: `usage: xdaemon reload NAME… | FILE [--only a,b] [--env SET]

For each instance in turn: a replacement starts, and the old worker is stopped gracefully only
once the replacement is ready (--wait-ready; without it, after --reload-grace). With --listen the
old and new workers share the supervisor's sockets, so no connection is refused. A replacement
that dies or is late is stopped, the old worker keeps running, and reload exits 1 naming the
instance. One reload at a time per daemon: another one meanwhile is refused. The apps of FILE
that run as it says are reloaded; one it changed is restarted with its new settings; one that does
not run is started.
${FLEET}
`,
  status: `usage: xdaemon status [NAME] [--json]

With NAME: its state in detail, and the OS service of that name if one is installed. Without:
one line per daemon. --json prints the status object(s) with the name.

Exit codes (LSB): 0 running, 1 dead (a pid file, no supervisor), 3 not running, 4 unknown NAME.
Without NAME: 0 when all run, else 1 when one is dead, else 3.
`,
  list: `usage: xdaemon list [--json]

Every daemon: name, state, pid (the supervisor's), worker pid, uptime (the worker's), CPU (% of
one core over the last seconds) and memory (summed RSS) of the worker's whole tree, starts, errors
(consecutive failures / maxError), log. --json prints an array of status objects.
`,
  logs: `usage: xdaemon logs [NAME…] [-n LINES] [-f]

One NAME: its log as it is. Several, or none (every daemon): each line after its daemon's name.

  -n, --lines LINES  the last LINES lines of each log (default 10)
  -f, --follow       then print what is written, across rotations, until Ctrl-C
`,
  flush: `usage: xdaemon flush NAME… | --all [--rotated]

Empties the log files (the log and the --err-file) in place; a running supervisor reopens them,
so the next lines land in the emptied files.

  --all      every daemon
  --rotated  also delete the rotated copies (log.1 … log.N)
`,
  delete: `usage: xdaemon delete NAME | FILE [--only a,b]

Stops the daemon (each app of FILE) if it runs, then forgets it: its record and pid file are
removed (its log stays).
`,
  uninstall: `usage: xdaemon uninstall NAME [--backend systemd|launchd|windows] [--root DIR]

Stops the OS service NAME, unregisters it and removes its file (system-wide first, then yours).

  --backend B  the service manager (default: the one running this machine)
  --root DIR   look for its file under DIR
`,
};

function installHelp(serviceDefaults: Readonly<Record<string, unknown>>): string {
  return `usage: xdaemon install [--user] [--name NAME] [options] -- <command> [args…]

Installs <command> as an OS service: a systemd unit, a launchd plist or a Windows scheduled task
(which runs xdaemon run). Enabled at boot (login, with --user), not started. The same file again
is left alone; a different one is refused unless --force.

options:
${rows([
  ['--user', 'a service of the current user (systemd --user, a LaunchAgent, a task at logon)'],
  NAME_ROW,
  ['--log FILE', 'its stdout (default: the service manager\'s: journal, none, …)'],
  ['--cwd DIR', 'its working directory (default: this one)'],
  ['--env NAME=VALUE', 'add to its environment (repeatable)'],
  ...settingRows(SERVICE_SETTING_FLAGS, serviceDefaults),
  ['--dry-run', 'print the file and the commands instead'],
  ['--force', 'replace a different file of the same name'],
  ['--backend B', 'systemd, launchd or windows (default: the one running this machine)'],
  ['--root DIR', 'write under DIR (preparing an image)'],
])}
`;
}

/**
 * The help of `topic` (the main help without one). `serviceDefaults` are the service's own
 * defaults for `install` (its restart delay is not the library's).
 */
export function helpText(topic?: Verb, serviceDefaults: Readonly<Record<string, unknown>> = {}): string {
  if (topic === undefined) return MAIN;
  if (topic === 'start' || topic === 'run') return launchHelp(topic);
  if (topic === 'install') return installHelp(serviceDefaults);
  return SIMPLE[topic];
}

/**
 * pm2's command-line spellings, in tables: its flags that are ours under another name (`-o` is
 * `--log`, `--no-autorestart` is `--restart never`), rewritten before a verb's line is read, so
 * each verb reads only its own flags; and pm2's verbs and flags that xdaemon does not carry out,
 * each with why, so that typing one is answered with the reason instead of "unknown" (and the
 * README's pm2 table is checked against these rows). Pure.
 */

/** A pm2 flag that is one of ours: the words it becomes (a value, if pm2's takes one, follows them). */
export interface Pm2Flag {
  /** Our flag, and what it is given when pm2's takes no value (`--no-autorestart` → `--restart never`). */
  to: readonly string[];
  /** Whether pm2's flag takes a value (then `to`'s last flag takes it). */
  takesValue: boolean;
  /** Other flags of ours that must be there too (`--stop-exit-codes` also means `--restart on-failure`). */
  with?: readonly string[];
}

const valued = (to: string, extra?: readonly string[]): Pm2Flag => ({ to: [to], takesValue: true, ...(extra === undefined ? {} : { with: extra }) });
const fixed = (...to: string[]): Pm2Flag => ({ to, takesValue: false });

/** pm2's flags (as pm2 7 spells them) that are ours, by pm2's spelling. */
export const PM2_FLAGS: Readonly<Record<string, Pm2Flag>> = {
  '-n': valued('--name'),
  '-o': valued('--log'),
  '--output': valued('--log'),
  '-l': valued('--log'),
  '-e': valued('--err-file'),
  '--error': valued('--err-file'),
  '--time': fixed('--timestamps'),
  '--log-date-format': { to: ['--timestamps'], takesValue: true },
  '-c': valued('--cron-restart'),
  '--cron': valued('--cron-restart'),
  '--ignore-watch': valued('--ignore'),
  '--max-memory-restart': valued('--max-memory'),
  '-k': valued('--kill-timeout'),
  '--no-autorestart': fixed('--restart=never'),
  '--no-treekill': fixed('--kill-mode=process'),
  '--stop-exit-codes': valued('--success-exit-codes', ['--restart=on-failure']),
  '--disable-logs': fixed('--log=/dev/null'),
  // What pm2 does when asked is what xdaemon always does: the instances of a daemon share its log.
  '--merge-logs': fixed(),
  '--interpreter-args': valued('--node-args'),
  // pm2's logs follow unless --nostream; xdaemon's follow only with -f.
  '--nostream': fixed(),
  '-a': fixed('--update-env'),
  '-f': fixed('--force'),
};

/** pm2's flags that xdaemon does not carry out, with why (README: "not supported: why"). */
export const PM2_UNSUPPORTED_FLAGS: Readonly<Record<string, string>> = {
  '-s': 'xdaemon prints a line per daemon (send it to /dev/null)',
  '--silent': 'xdaemon prints a line per daemon (send it to /dev/null)',
  '--raw': 'logs prints the lines as they were written',
  '--err': 'a daemon has one log (stderr apart only with --err-file: read that file)',
  '--out': 'a daemon has one log (stderr apart only with --err-file: read that file)',
  '--timestamp': 'start it with --timestamps: each line is written with its time',
  '--highlight': 'pipe it through grep --color',
  '--format': 'logs prints the lines as they were written',
  '--ext': 'watch every change (or name the files with --watch and --ignore)',
  '-m': 'one list layout',
  '--mini-list': 'one list layout',
  '--filter-env': 'a daemon gets this shell\'s environment plus its --env additions',
  '--log-type': 'log lines are text (a JSON log is not written)',
  '--parallel': 'a reload replaces one instance at a time, never lowering capacity',
  '--shutdown-with-message': 'a worker is stopped with SIGTERM (its process.on("SIGTERM") handler)',
  '-p': 'the pid file is the supervisor\'s, in the state directory (xdaemon pid NAME prints the workers\')',
  '--pid': 'the pid file is the supervisor\'s, in the state directory (xdaemon pid NAME prints the workers\')',
  '-x': 'a command given after -- runs as it is',
  '--execute-command': 'a command given after -- runs as it is',
  '-u': 'a daemon runs as the user who starts it (use a service: xdaemon install)',
  '--user': 'a daemon runs as the user who starts it (use a service: xdaemon install)',
  '--uid': 'a daemon runs as the user who starts it (use a service: xdaemon install)',
  '--gid': 'a daemon runs as the user who starts it (use a service: xdaemon install)',
  '--namespace': 'daemons have one namespace: their names',
  '--hp': 'xdaemon startup finds the home directory itself',
  '--wait-ip': 'the boot service waits for network-online.target',
  '--service-name': 'xdaemon startup installs one service, xdaemon-resurrect',
  '-w': 'the state directory keeps each daemon\'s record (<state>/NAME.json)',
  '--write': 'the state directory keeps each daemon\'s record (<state>/NAME.json)',
  '--no-daemon': 'xdaemon run -- <command> supervises in the foreground',
  '--source-map-support': 'Node\'s own --enable-source-maps (give it with --node-args)',
  '--disable-source-map-support': 'no source-map support is added',
  '--no-color': 'no colours are written',
  '--sort': 'list is sorted by name',
  '--attach': 'xdaemon logs -f NAME follows the log',
  '--no-vizion': 'no git metadata is collected',
  '--no-autostart': 'a daemon is started when it is given',
  '--no-pmx': 'no PM2+ agent',
  '--no-automation': 'no PM2+ agent',
  '--trace': 'PM2+ (hosted monitoring)',
  '--disable-trace': 'PM2+ (hosted monitoring)',
  '--v8': 'PM2+ (hosted monitoring)',
  '--event-loop-inspector': 'PM2+ (hosted monitoring)',
  '--deep-monitoring': 'PM2+ (hosted monitoring)',
  '--fresh': 'pm2\'s docker mode',
  '--daemon': 'pm2\'s docker mode',
  '--container': 'pm2\'s docker mode',
  '--dist': 'pm2\'s docker mode',
  '--image-name': 'pm2\'s docker mode',
  '--node-version': 'pm2\'s docker mode',
  '--dockerdaemon': 'pm2\'s docker mode',
};

/** pm2's verbs that xdaemon does not carry out, with why (README: "not supported: why"). */
export const PM2_UNSUPPORTED_VERBS: Readonly<Record<string, string>> = {
  reset: 'restart counts are the supervisor\'s, from its start: xdaemon restart NAME --update-env starts a new one',
  trigger: 'no custom actions (tx2/pmx); send a signal: xdaemon sendSignal SIG NAME',
  deploy: 'no SSH deployment: use your deploy tool, then xdaemon reload FILE',
  create: 'write a fleet file by hand (see the README)',
  ecosystem: 'write a fleet file by hand (see the README)',
  init: 'write a fleet file by hand (see the README)',
  'profile:mem': 'no daemon of xdaemon\'s own to profile (each daemon has its own supervisor)',
  'profile:cpu': 'no daemon of xdaemon\'s own to profile (each daemon has its own supervisor)',
  id: 'ids are places in xdaemon list (0 first)',
  inspect: 'start it with --node-args=--inspect',
  ping: 'there is no xdaemon daemon to ping: each daemon has its own supervisor',
  updatePM2: 'nothing to update in place: npm i -g xdaemon, then xdaemon restart all',
  update: 'nothing to update in place: npm i -g xdaemon, then xdaemon restart all',
  install: 'xdaemon install makes an OS service; modules are not supported',
  'module:install': 'no modules',
  'module:update': 'no modules',
  'module:generate': 'no modules',
  uninstall: 'xdaemon uninstall removes an OS service; modules are not supported',
  'module:uninstall': 'no modules',
  package: 'no modules',
  publish: 'no modules',
  'module:publish': 'no modules',
  set: 'no module configuration',
  multiset: 'no module configuration',
  get: 'no module configuration',
  conf: 'no module configuration',
  config: 'no module configuration',
  unset: 'no module configuration',
  report: 'xdaemon status NAME and the log say what happened',
  link: 'PM2+ (hosted monitoring)',
  unlink: 'PM2+ (hosted monitoring)',
  monitor: 'PM2+ (hosted monitoring)',
  unmonitor: 'PM2+ (hosted monitoring)',
  open: 'PM2+ (hosted monitoring)',
  plus: 'PM2+ (hosted monitoring)',
  register: 'PM2+ (hosted monitoring)',
  login: 'PM2+ (hosted monitoring)',
  logout: 'PM2+ (hosted monitoring)',
  cleardump: 'xdaemon save with no daemon running writes an empty list',
  send: 'a daemon\'s stdin is not kept open',
  attach: 'a daemon\'s stdin is not kept open; xdaemon logs -f NAME follows its output',
  env: 'xdaemon status NAME --json shows its record (the environment additions it was given)',
  slist: 'no system information is collected',
  sysinfos: 'no system information is collected',
  reloadLogs: 'the supervisor reopens its log on SIGHUP (xdaemon rotates by itself with --max-size)',
  kill: 'there is no xdaemon daemon: xdaemon stop all stops every daemon',
  pull: 'no git update: pull, then xdaemon reload NAME',
  forward: 'no git update: pull, then xdaemon reload NAME',
  backward: 'no git update: pull, then xdaemon reload NAME',
  deepUpdate: 'npm i -g xdaemon',
  serve: 'no static file server: run one (npx serve) as a daemon',
  expose: 'no static file server: run one (npx serve) as a daemon',
  autoinstall: 'no modules',
  examples: 'see the README',
  'install-otel': 'PM2+ (OpenTelemetry)',
  'uninstall-otel': 'PM2+ (OpenTelemetry)',
  logrotate: 'xdaemon rotates its logs itself (--max-size, --max-files), without copytruncate',
};

/**
 * `args` with pm2's spellings of the flags in `specs` rewritten to ours (before `--` only);
 * a pm2 flag whose counterpart the verb does not take is left as it is (and reported unknown).
 */
export function rewritePm2Flags(args: readonly string[], accepts: (flag: string) => boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const pm2 = PM2_FLAGS[flag];
    const targets = pm2 === undefined ? [] : [...pm2.to, ...(pm2.with ?? [])].map((t) => t.split('=')[0] as string);
    if (pm2 === undefined || !targets.every(accepts)) {
      out.push(arg);
      continue;
    }
    const words = [...(pm2.with ?? [])];
    if (pm2.takesValue) {
      const value = eq < 0 ? undefined : arg.slice(eq + 1);
      const [first, ...rest] = pm2.to;
      // `--log-date-format FMT` is `--timestamps`: the format goes (timestamps are ISO 8601).
      if (pm2.to.length === 1 && flag === '--log-date-format') {
        words.push(first as string);
        if (value === undefined) i++;
      } else {
        words.push(...rest, value === undefined ? (first as string) : `${first as string}=${value}`);
      }
    } else {
      words.push(...pm2.to);
    }
    out.push(...words);
  }
  return out;
}

/** Why pm2's flag `flag` is not carried out, if it is one of those. */
export function unsupportedFlag(flag: string): string | undefined {
  return PM2_UNSUPPORTED_FLAGS[flag];
}

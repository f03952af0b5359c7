/**
 * The dispatcher: the first argument names the verb, the verb's module reads the rest into a typed
 * request (a pure function), and the request is carried out. `--help`, `-h`, `--version` and a
 * missing or unknown verb are answered here. Returns the exit code, or 'running' when the process
 * now belongs to something that exits it by itself (`run`, the supervisor).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundle } from '../bundles.js';
import { type Verb, VERBS, helpText } from './help.js';
import type { Io } from './io.js';
import { deleteDaemon, parseDelete } from './delete.js';
import { flush, parseFlush } from './flush.js';
import { install, parseInstall } from './install.js';
import { list, parseList } from './list.js';
import { logs, parseLogs } from './logs.js';
import { parseReload, reload } from './reload.js';
import { parseRestart, restart } from './restart.js';
import { parseResurrect, resurrect } from './resurrect.js';
import { parseSave, save } from './save.js';
import { parseStartup, startup, unstartup } from './startup.js';
import { parseRun, run } from './run.js';
import { parseStart, start } from './start.js';
import { parseStatus, status } from './status.js';
import { parseStop, stop } from './stop.js';
import { parseUninstall, uninstall } from './uninstall.js';
import { EXIT, UsageError } from './usage-error.js';

/** Any verb's request. */
export type Request =
  | Exclude<ReturnType<(typeof PARSERS)[Verb]>, { verb: 'help' }>
  | { verb: 'help'; topic: Verb | undefined }
  | { verb: 'version' };

const PARSERS = {
  start: parseStart,
  run: parseRun,
  stop: parseStop,
  restart: parseRestart,
  reload: parseReload,
  status: parseStatus,
  list: parseList,
  logs: parseLogs,
  flush: parseFlush,
  delete: parseDelete,
  install: parseInstall,
  uninstall: parseUninstall,
  save: parseSave,
  resurrect: parseResurrect,
  startup: (args: readonly string[]) => parseStartup('startup', args),
  unstartup: (args: readonly string[]) => parseStartup('unstartup', args),
} as const;

/** Reads a whole command line (without `node` and the script) into a request. Pure. */
export function parseCommandLine(argv: readonly string[]): Request {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('missing verb (xdaemon --help lists them)');
  if (first === '--help' || first === '-h') return { verb: 'help', topic: undefined };
  if (first === '--version' || first === '-V') return { verb: 'version' };
  if (!(VERBS as readonly string[]).includes(first)) {
    throw new UsageError(first.startsWith('-') ? `unknown flag ${first}: a verb comes first (xdaemon --help)` : `unknown verb ${JSON.stringify(first)} (xdaemon --help lists them)`);
  }
  return PARSERS[first as Verb](rest);
}

/** The package's version, from the package.json beside dist/. */
function version(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Carries out `request`. */
export async function execute(request: Request, io: Io): Promise<number | 'running'> {
  switch (request.verb) {
    case 'help': {
      let defaults: Record<string, unknown> = {};
      if (request.topic === 'install') {
        const { SERVICE_DEFAULTS } = loadBundle('service');
        defaults = { ...SERVICE_DEFAULTS, waitReady: 0 };
      }
      io.out(helpText(request.topic, defaults).trimEnd());
      return EXIT.ok;
    }
    case 'version':
      io.out(version());
      return EXIT.ok;
    case 'start':
      return start(request, io);
    case 'run':
      return run(request, io);
    case 'stop':
      return stop(request, io);
    case 'restart':
      return restart(request, io);
    case 'reload':
      return reload(request, io);
    case 'status':
      return status(request, io);
    case 'list':
      return list(request, io);
    case 'logs':
      return logs(request, io);
    case 'flush':
      return flush(request, io);
    case 'delete':
      return deleteDaemon(request, io);
    case 'install':
      return install(request, io);
    case 'uninstall':
      return uninstall(request, io);
    case 'save':
      return save(request, io);
    case 'resurrect':
      return resurrect(request, io);
    case 'startup':
      return startup(request, io);
    case 'unstartup':
      return unstartup(request, io);
  }
}

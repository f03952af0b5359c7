/**
 * The dispatcher: the first argument names the verb, its row in the verb table (./verbs) reads the
 * rest into a typed request (a pure function), and the request is carried out by the same row.
 * `--help`, `-h`, `--version` and a missing or unknown verb are answered here. Returns the exit
 * code, or 'running' when the process now belongs to something that exits it by itself (`run`,
 * the supervisor).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tracer } from '../trace.js';
import type { Io } from './io.js';
import { EXIT, UsageError } from './usage-error.js';
import { nearest } from '../nearest.js';
import { PM2_UNSUPPORTED_VERBS } from './pm2-spellings.js';
import { type AnyVerbRow, type Verb, type VerbRequest, VERB_TABLE, findVerb, helpText } from './verbs.js';

const trace = tracer('cli');

/** Any verb's request. */
export type Request = VerbRequest | { verb: 'help'; topic: Verb | undefined } | { verb: 'version' };

/** Reads a whole command line (without `node` and the script) into a request. Pure. */
export function parseCommandLine(argv: readonly string[]): Request {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('missing verb (xdaemon --help lists them)');
  if (first === '--help' || first === '-h') return { verb: 'help', topic: undefined };
  if (first === '--version' || first === '-V') return { verb: 'version' };
  const row = findVerb(first);
  if (row === undefined) throw new UsageError(unknownVerbText(first));
  return row.parse(rest);
}

/** Why `word` is no verb: pm2's verb that is not carried out (and why), else the nearest verb, ours or pm2's. */
function unknownVerbText(word: string): string {
  if (word.startsWith('-')) return `unknown flag ${word}: a verb comes first (xdaemon --help)`;
  const why = Object.prototype.hasOwnProperty.call(PM2_UNSUPPORTED_VERBS, word) ? PM2_UNSUPPORTED_VERBS[word] : undefined;
  if (why !== undefined) return `pm2's ${word} is not supported by xdaemon: ${why}`;
  const near = nearest(word, VERB_TABLE.flatMap((row) => [row.name, ...(row.aliases ?? [])]));
  return `unknown verb ${JSON.stringify(word)}${near === undefined ? '' : ` (did you mean ${near}?)`} (xdaemon --help lists them)`;
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
  if (request.verb === 'help') {
    io.out(helpText(request.topic).trimEnd());
    return EXIT.ok;
  }
  if (request.verb === 'version') {
    io.out(version());
    return EXIT.ok;
  }
  const row = findVerb(request.verb) as AnyVerbRow;
  trace('%s %O', request.verb, request);
  const began = Date.now();
  // A request is made by its own row's parse, so it is that row's request: the table's rows take
  // different requests, which the compiler cannot pair with a row found at run time.
  const code = await row.run(request as never, io);
  trace('%s: exit %s after %d ms', request.verb, code, Date.now() - began);
  return code;
}

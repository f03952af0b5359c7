/**
 * Reading a Node command line: is the executable node, and which of its arguments are Node's own
 * flags, which the script and which the script's arguments. Pure: a spare worker is booted with
 * the flags and handed the script and its arguments (src/supervisor/spare.ts).
 */
import { basename } from 'node:path';

/** True when `file` is a Node executable. */
export function isNodeExecutable(file: string): boolean {
  return file === process.execPath || /^(node|nodejs)(\d+(\.\d+)*)?(\.exe)?$/i.test(basename(file));
}

/** Node flags whose value may be the next argument (`--import tsx`); every other flag is one word. */
const VALUE_FLAGS = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--input-type',
  '--title',
  '--inspect-port',
  '--debug-port',
  '--redirect-warnings',
  '--icu-data-dir',
  '--openssl-config',
  '--diagnostic-dir',
  '--report-dir',
  '--report-directory',
  '--report-filename',
  '--report-signal',
  '--heapsnapshot-signal',
  '--cpu-prof-dir',
  '--cpu-prof-name',
  '--heap-prof-dir',
  '--heap-prof-name',
  '--secure-heap',
  '--secure-heap-min',
  '--disable-warning',
  '--env-file',
  '--experimental-policy',
  '--policy-integrity',
  '--watch-path',
  '--max-http-header-size',
  '--unhandled-rejections',
  '--dns-result-order',
  '--tls-keylog',
  '--tls-cipher-list',
  '--stack-trace-limit',
  '--test-reporter',
  '--test-reporter-destination',
]);

/** Flags after which Node runs no script file (or runs it otherwise than as its entry). */
const NO_ENTRY_FLAGS = /^(-e|--eval|-p|--print|-i|--interactive|-pe|-ep|-c|--check|--test|--watch|--run|-v|--version|-h|--help|--v8-options)(=|$)/;

/** A Node command line, split. */
export interface NodeCommand {
  /** Node's own flags (execArgv). */
  flags: string[];
  /** The entry script, as given. */
  script: string;
  /** Its arguments. */
  args: string[];
}

/**
 * Splits the arguments of a `node` command into flags, script and the script's arguments; returns
 * why it cannot when there is no script file to run as the entry (`-e`, a REPL, `--test`, stdin).
 */
export function splitNodeArgs(argv: readonly string[]): NodeCommand | { why: string } {
  const flags: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (NO_ENTRY_FLAGS.test(arg)) return { why: `node runs no entry script with ${arg}` };
    flags.push(arg);
    if (!arg.includes('=') && VALUE_FLAGS.has(arg)) {
      const value = argv[i + 1];
      if (value === undefined) return { why: `${arg} has no value` };
      flags.push(value);
      i++;
    }
  }
  const script = argv[i];
  if (script === undefined || script === '-') return { why: 'node reads its program from stdin' };
  return { flags, script, args: argv.slice(i + 1) };
}

/**
 * Why the command cannot have a spare, or undefined when it can: Node workers with an entry
 * script only (a Go or C binary starts in a few ms anyway).
 */
export function whyNoSpare(file: string, args: readonly string[]): string | undefined {
  if (!isNodeExecutable(file)) return `prewarm applies to Node workers only: ${file} is not node (a native command starts in a few ms anyway)`;
  const split = splitNodeArgs(args);
  return 'why' in split ? `prewarm needs an entry script: ${split.why}` : undefined;
}

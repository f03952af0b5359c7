/**
 * The command line that starts this same program again: executable, Node flags, script and
 * arguments, byte for byte, less the flags that would break a background copy.
 */
import { XDaemonError } from '../errors.js';
import { describeCommand } from '../process/command-line.js';

/** What a re-spawn needs to know about the running process. */
export interface ProcessFacts {
  execPath: string;
  execArgv: readonly string[];
  argv: readonly string[];
  /** `NODE_OPTIONS` as this process sees it. */
  nodeOptions: string | undefined;
  /** True inside a single executable application. */
  isSea: boolean;
}

/** The program to start again. */
export interface ProgramCommand {
  /** Executable to run (`process.execPath`). */
  file: string;
  /** Everything after it: Node flags, script, user arguments. */
  args: string[];
  /** `NODE_OPTIONS` for the copy (`undefined`: leave it unset). */
  nodeOptions: string | undefined;
  /** The command as run (Node flags included), for logs and process titles. */
  display: string;
  /** Node flags that were dropped because they would break the copy. */
  dropped: string[];
}

/** Flags after which Node runs no script file: the program cannot be started again. */
const NO_SCRIPT_FLAGS = /^(-e|--eval|-p|--print|-i|--interactive|-pe|-ep)(=|$)/;
/** Debugger flags: a copy would clash on the port or wait for a debugger forever. */
const INSPECT_FLAG = /^--(inspect|inspect-brk|inspect-wait|debug|debug-brk)(=.*)?$/;
/** Debugger port flags, which may take their value as the next argument. */
const PORT_FLAG = /^--(inspect-port|debug-port)(=.*)?$/;

/** Reads the facts from the running process. */
export function currentFacts(): ProcessFacts {
  return {
    execPath: process.execPath,
    execArgv: process.execArgv,
    argv: process.argv,
    nodeOptions: process.env.NODE_OPTIONS,
    isSea: isSingleExecutable(),
  };
}

function isSingleExecutable(): boolean {
  try {
    // node:sea exists from Node 20.12 / 21.7; older versions cannot build one.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sea = require('node:sea') as { isSea?: () => boolean };
    return sea.isSea?.() === true;
  } catch {
    return false;
  }
}

/** Removes debugger flags from a list of Node flags; returns what is kept and what was dropped. */
export function withoutInspectFlags(flags: readonly string[]): { kept: string[]; dropped: string[] } {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i] as string;
    const port = PORT_FLAG.exec(flag);
    if (INSPECT_FLAG.test(flag)) {
      dropped.push(flag);
    } else if (port) {
      dropped.push(flag);
      // `--inspect-port 9229`: the value is the next element.
      const next = flags[i + 1];
      if (port[2] === undefined && next !== undefined && !next.startsWith('-')) {
        dropped.push(next);
        i++;
      }
    } else {
      kept.push(flag);
    }
  }
  return { kept, dropped };
}

/**
 * Splits `NODE_OPTIONS` into its space-separated words, keeping each word's raw text (quotes
 * included) so that the kept words can be joined back unchanged.
 */
export function splitNodeOptions(value: string): string[] {
  const words: string[] = [];
  let word = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === '\\' && quoted && i + 1 < value.length) {
      word += ch + (value[++i] as string);
    } else if (ch === '"') {
      quoted = !quoted;
      word += ch;
    } else if (ch === ' ' && !quoted) {
      if (word !== '') words.push(word);
      word = '';
    } else {
      word += ch;
    }
  }
  if (word !== '') words.push(word);
  return words;
}

/**
 * Builds the command line that starts this program again. Throws an {@link XDaemonError} when
 * there is no script to start (`node -e`, `node -p`, a REPL, a script read from stdin).
 */
export function programCommand(facts: ProcessFacts = currentFacts()): ProgramCommand {
  const dropped: string[] = [];
  let nodeOptions = facts.nodeOptions;
  if (nodeOptions !== undefined) {
    const words = withoutInspectFlags(splitNodeOptions(nodeOptions));
    if (words.dropped.length > 0) {
      dropped.push(...words.dropped);
      nodeOptions = words.kept.join(' ');
    }
  }
  if (facts.isSea) {
    // A single executable application re-applies its own execArgv; argv[1] repeats argv[0].
    const args = facts.argv.slice(2);
    return { file: facts.execPath, args, nodeOptions, display: describeCommand(facts.execPath, args), dropped };
  }
  const noScript = facts.execArgv.find((flag) => NO_SCRIPT_FLAGS.test(flag));
  const script = facts.argv[1];
  if (noScript !== undefined || script === undefined || script === '-') {
    const how = noScript ?? (script === '-' ? 'a script read from stdin' : 'no script file');
    throw new XDaemonError(
      `cannot start this program again: it was run with ${how}; run it from a script file instead`,
    );
  }
  const flags = withoutInspectFlags(facts.execArgv);
  dropped.push(...flags.dropped);
  const args = [...flags.kept, ...facts.argv.slice(1)];
  return {
    file: facts.execPath,
    args,
    nodeOptions,
    display: describeCommand(facts.execPath, args),
    dropped,
  };
}

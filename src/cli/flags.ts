/**
 * Reading a verb's command line: `node:util` parseArgs splits it into flags, positionals and the
 * command after `--`; this module adds what parseArgs leaves to the caller, with one-line messages
 * (unknown flag, missing value, a flag given twice), and turns the text of each setting flag into
 * its value by the kind the settings table gives it. The setting flags are derived from that table
 * (`maxCount` → `--max-count`), so the library, the CLI and the services cannot drift. Pure, but
 * for the one question a caller may pass in: whether a word is an existing folder (`--watch DIR`).
 */
import { parseArgs } from 'node:util';
import { shortMessageOf } from '../errors.js';
import { checkSetting } from '../settings/check.js';
import { SETTING_NAMES, flagOf } from '../settings/derived.js';
import { MAX_TIMER, SETTINGS, type SettingKind, type SettingSpec } from '../settings/table.js';
import type { SettingName } from '../settings/types.js';
import { nearest } from '../nearest.js';
import { PM2_FLAGS, type Pm2Flag, rewritePm2Flags, unsupportedFlag } from './pm2-spellings.js';
import { UsageError } from './usage-error.js';
import { usableCpus } from '../process/cpu-count.js';

/** How a flag takes its value. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** May be given more than once (each value is kept). */
  multiple?: boolean;
  /** A boolean-type flag that also takes `--flag=VALUE`; given bare, it stands for this value. */
  bare?: string;
  /** With `bare`: a number as the next argument is its value too (`--wait-ready 5000`). */
  nextNumber?: boolean;
}

/** The flags a verb accepts, by long name (kebab case). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** A verb's command line, read. */
export interface ParsedLine {
  /** `--help` or `-h` was given (before any `--`). */
  help: boolean;
  /** Each flag given: its text (a list for `multiple` flags), or true for a boolean flag. */
  flags: Map<string, string | true | string[]>;
  /** Arguments that are not flags, before `--` (and after it, for verbs without a command). */
  positionals: string[];
  /** Everything after the first `--`, unchanged; undefined without `--`. */
  command: string[] | undefined;
  /** The flags given without their value, which stand for their `bare` value (`--wait-ready`). */
  bare?: ReadonlySet<string>;
}

export { kebab } from '../settings/derived.js';

/** A setting as a flag: the table's row under its kebab-case name. */
export interface SettingFlag {
  flag: string;
  setting: SettingName;
  kind: SettingKind;
  default: unknown;
  doc: string;
  /** For a flag that may be given without a value: what it then stands for. */
  bare?: string;
  /** Its one-letter spelling (pm2's `-i`). */
  short?: string;
}

/** The settings as flags, in the table's order (a row without a flag left out). */
export const SETTING_FLAGS: readonly SettingFlag[] = SETTING_NAMES.flatMap((name) => {
  const spec: SettingSpec = SETTINGS[name];
  const flag = flagOf(name);
  return flag === undefined
    ? []
    : [{ flag, setting: name, kind: spec.kind, default: spec.default, doc: spec.doc, ...(spec.bare === undefined ? {} : { bare: spec.bare }), ...(spec.short === undefined ? {} : { short: spec.short }) }];
});

/** parseArgs specs of the setting flags (a list setting: a repeatable flag). */
export const SETTING_FLAG_SPECS: FlagSpecs = Object.fromEntries(
  SETTING_FLAGS.map((f): [string, FlagSpec] => {
    const short = f.short === undefined ? {} : { short: f.short };
    if (f.kind.type === 'strings') return [f.flag, f.bare === undefined ? { type: 'string', multiple: true } : { type: 'boolean', multiple: true, bare: f.bare }];
    if (f.bare !== undefined) return [f.flag, { type: 'boolean', bare: f.bare, nextNumber: true, ...short }];
    return [f.flag, { type: f.kind.type === 'bool' ? 'boolean' : 'string', ...short }];
  }),
);

/**
 * Whether `word` names an existing folder, `cwd` being the `--cwd` given (if any): lets a flag that
 * may stand alone take a folder spaced (`--watch src`), see {@link readLine}.
 */
export type FolderCheck = (word: string, cwd: string | undefined) => boolean;

/** Text that reads as a (possibly negative) number: a value, not a mistyped flag. */
const NUMBER_LIKE = /^-\d/;

/**
 * Reads `args` (what follows the verb) against `specs`. `--help`/`-h` is always accepted. Throws a
 * UsageError for an unknown flag, a flag without its value (or with one it does not take), and a
 * single-valued flag given twice.
 *
 * With `isFolder`, a flag that may stand alone (`--watch`) takes the word after it as its value
 * when that word is an existing folder and a script or `--` comes later (`--watch src -- node
 * app.js`, `--watch src app.js`); a word there that is not a folder is refused, naming the
 * `--watch=DIR` spelling, rather than read as the script or a fleet file.
 */
export function readLine(verb: string, given: readonly string[], specs: FlagSpecs, isFolder?: FolderCheck): ParsedLine {
  const takes = (flag: string): boolean => flag.startsWith('--') && Object.prototype.hasOwnProperty.call(specs, flag.slice(2));
  // pm2's spellings of our flags (`-o`, `--no-autorestart`) become ours, where this verb has them.
  const args = rewritePm2Flags(given, takes);
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(specs)) options[name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short };
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const flags = new Map<string, string | true | string[]>();
  const positionals: string[] = [];
  let command: string[] | undefined;
  let help = false;
  let problem: UsageError | undefined;
  const note = (message: string): void => void (problem ??= new UsageError(message));
  const spaced = isFolder === undefined ? new Map<number, string>() : spacedValues(tokens, specs, isFolder, note);
  /** The index of a positional a flag took as its value (`--wait-ready 5000`). */
  let taken = -1;
  const bare = new Set<string>();
  for (const [i, token] of tokens.entries()) {
    if (token.kind === 'option-terminator') {
      command = args.slice(token.index + 1);
      break;
    }
    if (token.kind === 'positional') {
      if (token.index !== taken && !spaced.has(i - 1)) positionals.push(token.value);
      continue;
    }
    if (token.name === 'help') {
      help = true;
      continue;
    }
    const spec = specs[token.name];
    const raw = token.rawName;
    if (spec === undefined) {
      note(unknownFlagText(verb, raw, specs, takes));
      continue;
    }
    let value: string | true;
    const next = tokens[i + 1];
    if (spec.bare !== undefined && token.value === undefined && spec.nextNumber === true && next?.kind === 'positional' && /^\d+$/.test(next.value)) {
      value = next.value;
      taken = next.index;
    } else if (spec.bare !== undefined) {
      value = token.value ?? spaced.get(i) ?? spec.bare;
      if (token.value === undefined && !spaced.has(i)) bare.add(token.name);
    } else if (spec.type === 'boolean') {
      if (token.value !== undefined) note(`${raw} takes no value, got ${JSON.stringify(token.value)}`);
      value = true;
    } else {
      if (token.value === undefined) {
        note(`${raw} needs a value`);
        continue;
      }
      if (!token.inlineValue && token.value.startsWith('-') && token.value !== '-' && !NUMBER_LIKE.test(token.value)) {
        note(`${raw} needs a value (got the flag ${token.value}; write ${raw}=${token.value} for a value that starts with "-")`);
        continue;
      }
      value = token.value;
    }
    const seen = flags.get(token.name);
    if (spec.multiple === true) {
      flags.set(token.name, [...((seen as string[] | undefined) ?? []), value as string]);
    } else if (seen !== undefined) {
      note(`${raw} is given twice`);
    } else {
      flags.set(token.name, value);
    }
  }
  if (help) return { help, flags, positionals, command, bare };
  if (problem !== undefined) throw problem;
  return { help, flags, positionals, command, bare };
}

/** `unknown flag --x for VERB`, with the nearest flag of the verb, or why pm2's flag of that spelling is not carried out. */
function unknownFlagText(verb: string, raw: string, specs: FlagSpecs, takes: (flag: string) => boolean): string {
  const why = unsupportedFlag(raw);
  if (why !== undefined) return `pm2's ${raw} is not supported by xdaemon: ${why}`;
  const candidates = [...Object.keys(specs).map((name) => `--${name}`), ...Object.keys(PM2_FLAGS).filter((f) => f.startsWith('--') && (PM2_FLAGS[f] as Pm2Flag).to.every((t) => takes(t.split('=')[0] as string)))];
  const near = nearest(raw, candidates);
  return `unknown flag ${raw} for ${verb}${near === undefined ? '' : ` (did you mean ${near}?)`} (see xdaemon ${verb} --help)`;
}

type Token = ReturnType<typeof parseArgs>['tokens'] extends (infer T)[] | undefined ? T : never;

/**
 * The words a flag that may stand alone takes spaced, by the index of its token: each word right
 * after such a flag, before `--`, that a script or `--` follows, if it is an existing folder
 * (otherwise a problem is noted that names the `--flag=DIR` spelling).
 */
function spacedValues(tokens: readonly Token[], specs: FlagSpecs, isFolder: FolderCheck, note: (message: string) => void): Map<number, string> {
  const spaced = new Map<number, string>();
  const end = tokens.findIndex((t) => t.kind === 'option-terminator');
  const last = end < 0 ? tokens.length : end;
  const cwdToken = tokens.find((t) => t.kind === 'option' && t.name === 'cwd');
  const cwd = cwdToken?.kind === 'option' ? cwdToken.value : undefined;
  for (let i = 0; i + 1 < last; i++) {
    const [flag, word] = [tokens[i] as Token, tokens[i + 1] as Token];
    // A flag that takes a number spaced (`--wait-ready 5000`) takes no folder.
    if (flag.kind !== 'option' || flag.value !== undefined || specs[flag.name]?.bare === undefined || specs[flag.name]?.nextNumber === true || word.kind !== 'positional') continue;
    // Something must follow the word (a script, or -- and a command): otherwise the word is the script.
    if (end < 0 && !tokens.slice(i + 2).some((t) => t.kind === 'positional')) continue;
    if (isFolder(word.value, cwd)) spaced.set(i, word.value);
    else note(`${flag.rawName} ${JSON.stringify(word.value)}: not an existing folder; a path to watch is written ${flag.rawName}=DIR (${flag.rawName} DIR only for a folder, before the script or -- <command>)`);
  }
  return spaced;
}

/** The text of a single-valued string flag, if given. */
export function textFlag(line: ParsedLine, name: string): string | undefined {
  const value = line.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Whether a boolean flag was given. */
export function boolFlag(line: ParsedLine, name: string): boolean {
  return line.flags.get(name) === true;
}

/** The values of a repeatable flag (none: empty). */
export function listFlag(line: ParsedLine, name: string): string[] {
  const value = line.flags.get(name);
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

const WHOLE = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;
const BYTES = /^(\d+)([kKmMgG])?$/;
const UNITS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A whole number ≥ 0 that a double holds exactly, or a UsageError naming the flag. */
export function wholeNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!WHOLE.test(text)) throw new UsageError(`--${flag} must be a whole number >= 0, got ${JSON.stringify(text)}`);
  if (!Number.isSafeInteger(value)) throw new UsageError(`--${flag} is out of range (at most ${Number.MAX_SAFE_INTEGER}), got ${text}`);
  return value;
}

/** A size in bytes: digits with an optional `k`, `M` or `G` (1024-based, either case). */
export function parseBytes(flag: string, text: string): number {
  const m = BYTES.exec(text);
  if (m === null) throw new UsageError(`--${flag} must be a size in bytes (a whole number, optionally followed by k, M or G), got ${JSON.stringify(text)}`);
  const value = Number(m[1]) * (m[2] === undefined ? 1 : (UNITS[m[2].toLowerCase()] as number));
  if (!Number.isSafeInteger(value)) throw new UsageError(`--${flag} is out of range (at most ${Number.MAX_SAFE_INTEGER} bytes), got ${text}`);
  return value;
}

/** A number of `unit` ≥ 0 (fractions allowed), or a UsageError naming the flag. */
function decimal(flag: string, text: string, unit: string): number {
  if (!DECIMAL.test(text)) throw new UsageError(`--${flag} must be a number of ${unit} >= 0, got ${JSON.stringify(text)}`);
  const value = Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`--${flag} is out of range, got ${text}`);
  return value;
}

/** Milliseconds ≥ 0, at most what a Node timer takes, or a UsageError naming the flag. */
export function millis(flag: string, text: string): number {
  const value = decimal(flag, text, 'milliseconds');
  if (value > MAX_TIMER) throw new UsageError(`--${flag} is out of range (at most ${MAX_TIMER} ms), got ${text}`);
  return value;
}

/**
 * The value of setting flag `flag` of `kind` from its text, as the library takes it. Throws a
 * UsageError naming the flag when the text is not of that kind or out of range.
 */
export function parseSettingText(flag: SettingFlag, text: string | true | readonly string[]): unknown {
  const name = flag.flag;
  const kind = flag.kind;
  let value: unknown;
  if (kind.type === 'strings') {
    const list = typeof text === 'string' ? [text] : text === true ? [] : [...text];
    if (list.includes('')) throw new UsageError(`--${name} needs a value that is not empty`);
    value = list;
  } else if (typeof text === 'object') {
    throw new UsageError(`--${name} is given twice`);
  } else if (kind.type === 'bool') {
    value = true;
  } else if (text === true) {
    throw new UsageError(`--${name} needs a value`);
  } else {
    switch (kind.type) {
      case 'count':
        value = flag.setting === 'instances' ? instancesOf(name, text) : wholeNumber(name, text);
        break;
      case 'variable':
        value = text;
        break;
      case 'bytes':
        value = parseBytes(name, text);
        break;
      case 'seconds':
        value = decimal(name, text, 'seconds');
        break;
      case 'ms':
        value = millis(name, text);
        break;
      case 'choice':
        if (!kind.values.includes(text)) throw new UsageError(`--${name} must be ${kind.values.join(', ')}, got ${JSON.stringify(text)}`);
        value = text;
        break;
      case 'codes':
        value = text === '' ? [] : text.split(',').map((code) => {
          if (!WHOLE.test(code) || Number(code) > 255) {
            throw new UsageError(`--${name} must be exit codes from 0 to 255 separated by commas, got ${JSON.stringify(text)}`);
          }
          return Number(code);
        });
        break;
      case 'path':
        if (text === '') throw new UsageError(`--${name} needs a file name`);
        value = text;
        break;
      case 'cron':
      case 'check':
        value = text;
        break;
    }
  }
  try {
    return checkSetting(flag.setting, value);
  } catch (err) {
    // The table's own rule, should it be stricter than the text checks above (a listen address).
    throw new UsageError(`--${name}: ${shortMessageOf(err)}`);
  }
}

/** `--instances`, as pm2's `-i` reads it: `max` or 0 one per CPU, -N N fewer than the CPUs (at least 1), else N. */
function instancesOf(flag: string, text: string): number {
  if (text === 'max' || text === '0') return cpuCount();
  if (/^-\d+$/.test(text)) return Math.max(1, cpuCount() - wholeNumber(flag, text.slice(1)));
  return wholeNumber(flag, text);
}

/** The number of CPUs this process may use (its affinity and its cgroup's CPU quota). */
function cpuCount(): number {
  return usableCpus();
}

/** The setting flags given on `line`, as library options (only those given). */
export function settingsOf(line: ParsedLine, allowed: readonly SettingFlag[] = SETTING_FLAGS): Partial<Record<SettingName, unknown>> {
  const settings: Partial<Record<SettingName, unknown>> = {};
  for (const flag of allowed) {
    const text = line.flags.get(flag.flag);
    if (text !== undefined) settings[flag.setting] = parseSettingText(flag, text);
  }
  return settings;
}

/** `K=V` pairs of `--env`, in order (a later K wins); a UsageError for one without `=` or a name. */
export function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw new UsageError(`--env needs NAME=VALUE, got ${JSON.stringify(pair)} (no "=")`);
    if (eq === 0) throw new UsageError(`--env needs NAME=VALUE, got ${JSON.stringify(pair)} (no name)`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

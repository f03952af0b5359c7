/**
 * Independent readers of what the service renderers write, for the round-trip tests: a unit file
 * read the way systemd reads it (systemd.syntax(7): sections, comments, continuation lines; the
 * word splitting of extract_first_word with unquoting and C unescaping; specifier and `$`
 * expansion as systemd.service(5) describes), and a Windows command line split the way
 * CommandLineToArgvW and the C runtime split it. Written from the documentation, not from the
 * renderers, and strict: anything the renderers should never produce (an unknown escape, a
 * specifier other than %%, a variable reference) throws.
 */

/** Settings of a unit: section → key → values in order. */
export type Unit = Map<string, Map<string, string[]>>;

/** Reads a unit file into its sections and settings (values trimmed, as systemd does). */
export function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    if (/^\s*[#;]/.test(line)) continue;
    // A line ending in a backslash (one that is not itself escaped) continues on the next one.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i] as string}`;
    line = line.trim();
    if (line === '') continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) {
      section = new Map();
      unit.set(header[1] as string, section);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || section === undefined) throw new Error(`not a setting: ${JSON.stringify(line)}`);
    const key = line.slice(0, eq).trim();
    const values = section.get(key) ?? [];
    values.push(line.slice(eq + 1).trim());
    section.set(key, values);
  }
  return unit;
}

/** The one value of `section`/`key`, or undefined; throws when it is set more than once. */
export function single(unit: Unit, section: string, key: string): string | undefined {
  const values = unit.get(section)?.get(key);
  if (values === undefined) return undefined;
  if (values.length !== 1) throw new Error(`${key}= is set ${values.length} times`);
  return values[0];
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'", s: ' ' };

/** Decodes the escape at `text[i]` (just after a backslash); returns the text and how many characters it used. */
function cunescape(text: string, i: number): [string, number] {
  const c = text[i];
  if (c === undefined) throw new Error('backslash at the end of a value');
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return [simple, 1];
  const code = (digits: string, radix: number, used: number): [string, number] => {
    const n = parseInt(digits, radix);
    if (!Number.isInteger(n) || n === 0) throw new Error(`bad escape \\${text.slice(i, i + used)}`);
    return [String.fromCodePoint(n), used];
  };
  if (c === 'x') {
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`bad escape \\x${hex}`);
    // systemd writes \x80 and above as a raw byte: not a character, so a renderer must not use it.
    if (parseInt(hex, 16) >= 0x80) throw new Error(`\\x${hex} would be a raw byte, not a character`);
    return code(hex, 16, 3);
  }
  if (c === 'u' || c === 'U') {
    const n = c === 'u' ? 4 : 8;
    const hex = text.slice(i + 1, i + 1 + n);
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new Error(`bad escape \\${c}${hex}`);
    return code(hex, 16, n + 1);
  }
  if (/[0-7]/.test(c)) {
    const oct = text.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(oct)) throw new Error(`bad escape \\${oct}`);
    return code(oct, 8, 3);
  }
  throw new Error(`unknown escape \\${c}`);
}

/**
 * Splits a value into words the way systemd's extract_first_word does with unquoting and C
 * unescaping: blanks separate words, quotes (anywhere in a word) group, backslash escapes work
 * inside and outside quotes, and a word that had only quotes is the empty string.
 */
export function splitWords(value: string): string[] {
  const words: string[] = [];
  let i = 0;
  const blank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  for (;;) {
    while (blank(value[i])) i++;
    if (i >= value.length) return words;
    let word = '';
    let quote: string | undefined;
    for (; i < value.length; i++) {
      const c = value[i] as string;
      if (c === '\\') {
        const [text, used] = cunescape(value, i + 1);
        word += text;
        i += used;
      } else if (quote !== undefined) {
        if (c === quote) quote = undefined;
        else word += c;
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (blank(c)) {
        break;
      } else {
        word += c;
      }
    }
    if (quote !== undefined) throw new Error(`unbalanced quoting in ${JSON.stringify(value)}`);
    words.push(word);
  }
}

/** Specifier expansion where the only specifier allowed is `%%` (a literal percent sign). */
export function expandSpecifiers(text: string): string {
  return text.replace(/%(.?)/g, (_, s: string) => {
    if (s === '%') return '%';
    throw new Error(`specifier %${s} in ${JSON.stringify(text)}`);
  });
}

/** Variable expansion of a command argument where the only form allowed is `$$` (a literal dollar). */
export function expandDollars(text: string): string {
  return text.replace(/\$(.?)/g, (_, s: string) => {
    if (s === '$') return '$';
    throw new Error(`variable reference $${s} in ${JSON.stringify(text)}`);
  });
}

/** The argv systemd runs for a unit's single ExecStart= line (refusing `;` separators). */
export function execStartArgv(unit: Unit): string[] {
  const line = single(unit, 'Service', 'ExecStart');
  if (line === undefined) throw new Error('no ExecStart=');
  // An unquoted lone ";" would separate commands.
  if (/(^|\s);(\s|$)/.test(line.replace(/"(\\.|[^"\\])*"/g, '""'))) throw new Error('ExecStart= holds more than one command');
  return splitWords(line).map((w) => expandDollars(expandSpecifiers(w)));
}

/** The environment a unit's Environment= lines set. */
export function unitEnvironment(unit: Unit): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of unit.get('Service')?.get('Environment') ?? []) {
    for (const word of splitWords(line)) {
      const assignment = expandSpecifiers(word);
      const eq = assignment.indexOf('=');
      if (eq <= 0) throw new Error(`not an assignment: ${JSON.stringify(assignment)}`);
      env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
    }
  }
  return env;
}

/** A single-value setting (Description=, WorkingDirectory=, …) after specifier expansion. */
export function plainSetting(unit: Unit, section: string, key: string): string | undefined {
  const value = single(unit, section, key);
  return value === undefined ? undefined : expandSpecifiers(value);
}

/**
 * Splits a Windows command line (arguments after the program name) by the rules of
 * CommandLineToArgvW: blanks separate outside quotes; 2n backslashes before a quote give n and the
 * quote toggles quoting; 2n+1 give n and a literal quote; other backslashes are literal.
 */
export function splitWindowsCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) return args;
    let arg = '';
    let quoted = false;
    for (; i < line.length; i++) {
      const c = line[i] as string;
      if (c === '\\') {
        let n = 0;
        while (line[i] === '\\') {
          n++;
          i++;
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else quoted = !quoted;
        } else {
          arg += '\\'.repeat(n);
          i--;
        }
      } else if (c === '"') {
        quoted = !quoted;
      } else if (!quoted && (c === ' ' || c === '\t')) {
        break;
      } else {
        arg += c;
      }
    }
    args.push(arg);
  }
}

/**
 * The text of the first `<tag>` element as an XML parser reads it: literal line ends normalized to
 * a line feed, then predefined and numeric entities decoded.
 */
export function xmlElement(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  if (m === null) return undefined;
  return (m[1] as string).replace(/\r\n?/g, '\n').replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e] as string;
  });
}

/**
 * The prefix of each line when `xdaemon logs` shows several daemons: the name, padded to the
 * longest, and a bar; coloured (one colour per daemon, in turn) when stdout is a terminal and
 * `NO_COLOR` is unset. A line is written only once it is complete, so that lines of two daemons
 * never mix. Pure but for the writer it is given.
 */

/** ANSI colours given to the daemons in turn. */
const COLOURS = [36, 33, 32, 35, 34, 31];

/** The prefixes of `names` (in that order), coloured or not. */
export function linePrefixes(names: readonly string[], colour: boolean): string[] {
  const width = Math.max(0, ...names.map((n) => n.length));
  return names.map((name, i) => {
    const text = `${name.padEnd(width)} |`;
    return `${colour ? `\x1b[${COLOURS[i % COLOURS.length] as number}m${text}\x1b[0m` : text} `;
  });
}

/** Whether to colour: stdout is a terminal and NO_COLOR is unset or empty (no-color.org). */
export function wantsColour(isTty: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTty && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** Writes the complete lines of the bytes it is given, each after `prefix`; keeps a partial last line. */
export class PrefixedLines {
  private partial: Buffer = Buffer.alloc(0);
  private readonly prefix: Buffer;

  constructor(
    prefix: string,
    private readonly write: (bytes: Buffer) => void,
  ) {
    this.prefix = Buffer.from(prefix);
  }

  /** Takes more bytes. */
  push(bytes: Buffer): void {
    const data = this.partial.length === 0 ? bytes : Buffer.concat([this.partial, bytes]);
    const out: Buffer[] = [];
    let start = 0;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
      out.push(this.prefix, data.subarray(start, nl + 1));
      start = nl + 1;
    }
    this.partial = Buffer.from(data.subarray(start));
    if (out.length > 0) this.write(Buffer.concat(out));
  }

  /** Writes the partial last line, if any, with a newline. */
  end(): void {
    if (this.partial.length === 0) return;
    this.write(Buffer.concat([this.prefix, this.partial, Buffer.from('\n')]));
    this.partial = Buffer.alloc(0);
  }
}

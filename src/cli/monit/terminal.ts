/**
 * The terminal `monit` draws on, in plain ANSI: the alternate screen (so that quitting gives the
 * shell back its screen as it was), the cursor hidden, keys read in raw mode, its size and its
 * resizes, and each frame written as the lines that changed since the last one. Whatever ends the
 * process (`q`, a signal, an exception) restores the terminal first.
 */
import { decodeKeys, type Key } from './keys.js';

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[2J';
const LEAVE = '\x1b[0m\x1b[?25h\x1b[?1049l';

/** A terminal on stdin and stdout (both TTYs). */
export class Terminal {
  private shown: string[] = [];
  private active = false;
  private readonly restoreAtExit = (): void => this.restore();

  constructor(
    private readonly output: NodeJS.WriteStream = process.stdout,
    private readonly input: NodeJS.ReadStream = process.stdin,
  ) {}

  /** Its size now (80 × 24 when it cannot tell). */
  size(): { width: number; height: number } {
    return { width: this.output.columns > 0 ? this.output.columns : 80, height: this.output.rows > 0 ? this.output.rows : 24 };
  }

  /** Takes the terminal: alternate screen, no cursor, raw keys to `onKeys`, resizes to `onResize`. */
  enter(onKeys: (keys: Key[]) => void, onResize: () => void): void {
    this.active = true;
    process.on('exit', this.restoreAtExit);
    if (this.input.isTTY) this.input.setRawMode(true);
    this.input.setEncoding('utf8');
    this.input.on('data', (data: string) => onKeys(decodeKeys(data)));
    this.input.resume();
    this.output.on('resize', () => {
      this.shown = [];
      onResize();
    });
    this.output.write(ENTER);
  }

  /** Shows `lines` (one per row of the screen): only the rows that differ from what is shown are written. */
  draw(lines: readonly string[]): void {
    if (!this.active) return;
    let out = '';
    for (const [i, text] of lines.entries()) {
      if (this.shown[i] === text) continue;
      out += `\x1b[${i + 1};1H${text}\x1b[0m\x1b[K`;
    }
    if (lines.length < this.shown.length) out += `\x1b[${lines.length + 1};1H\x1b[0J`;
    this.shown = [...lines];
    if (out !== '') this.output.write(out);
  }

  /** Gives the terminal back as it was (once; also at the process's exit). */
  restore(): void {
    if (!this.active) return;
    this.active = false;
    process.off('exit', this.restoreAtExit);
    if (this.input.isTTY) this.input.setRawMode(false);
    this.input.pause();
    this.output.write(LEAVE);
  }
}

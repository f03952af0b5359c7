/**
 * The log pane's lines: the end of the selected daemon's log (and of its `errFile`, if it has
 * one: those lines tagged `err`), then what is written to them, read where `monit` looks (twice a
 * second; of a burst, its last 32 KB). A log renamed away by a rotation is followed to the new file at its path; one truncated
 * (`xdaemon flush`) is read again from its start. Only the last lines are kept.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

/** Bytes read from the end of a log when it is opened: enough for a screen of lines. */
const TAIL_BYTES = 32 * 1024;

/** One followed file. */
class TailedFile {
  private fd: number | undefined;
  private ino = -1;
  private position = 0;
  private partial = '';

  constructor(
    readonly path: string,
    private readonly tag: string,
  ) {}

  /** The complete lines written since the last read (the last ones of the file at the first). */
  read(): string[] {
    this.reopenIfReplaced();
    if (this.fd === undefined) return [];
    const size = fstatSync(this.fd).size;
    if (size < this.position) {
      this.position = 0;
      this.partial = '';
    }
    if (size === this.position) return [];
    let start = this.position;
    let skipFirst = false;
    if (size - this.position > TAIL_BYTES) {
      // The first read of a long log, or more written since the last look than a pane shows.
      start = size - TAIL_BYTES;
      skipFirst = true;
      this.partial = '';
    }
    const buffer = Buffer.alloc(size - start);
    const n = readSync(this.fd, buffer, 0, buffer.length, start);
    this.position = start + n;
    const text = this.partial + buffer.subarray(0, n).toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    if (skipFirst) lines.shift();
    return lines.map((l) => `${this.tag}${l.replace(/\r$/, '')}`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private reopenIfReplaced(): void {
    let ino: number;
    try {
      ino = statSync(this.path).ino;
    } catch {
      return; // Not there (yet), or renamed away and not made again: keep what is open.
    }
    if (this.fd !== undefined && ino === this.ino) return;
    this.close();
    try {
      this.fd = openSync(this.path, 'r');
      this.ino = fstatSync(this.fd).ino;
      this.position = 0;
      this.partial = '';
    } catch {
      this.fd = undefined;
    }
  }
}

/** The lines of one daemon's log files, the last `keep` of them. */
export class LogTail {
  private readonly files: TailedFile[];
  private readonly lines: string[] = [];

  constructor(
    /** The daemon's log, and its file of stderr ('' or undefined: none). */
    log: string,
    errFile: string | undefined,
    private readonly keep = 200,
  ) {
    this.files = [new TailedFile(log, '')];
    if (errFile !== undefined && errFile !== '' && errFile !== log) this.files.push(new TailedFile(errFile, 'err '));
  }

  /** Reads what is new; true when there are new lines. */
  poll(): boolean {
    let changed = false;
    for (const file of this.files) {
      const fresh = file.read();
      if (fresh.length === 0) continue;
      changed = true;
      this.lines.push(...fresh);
    }
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
    return changed;
  }

  /** The lines kept, oldest first. */
  current(): readonly string[] {
    return this.lines;
  }

  close(): void {
    for (const file of this.files) file.close();
  }
}

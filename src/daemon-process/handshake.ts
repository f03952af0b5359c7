/**
 * The supervisor's side of the start-up handshake with the launcher that started it. The launcher
 * waits, before it prints the supervisor's pid and exits, until the supervisor says that it
 * handles stop signals (so a stop sent to that pid is never lost), and, with `waitReady`, until the
 * first worker said it is ready; or it learns why the start failed.
 *
 * The channel is a pipe on descriptor 3 (POSIX) or a file (Windows, where the launcher cannot
 * read a pipe synchronously): either way one line a message, written by the supervisor only.
 * A pipe needs no temporary directory, and its end (EOF) tells the launcher the supervisor died.
 */
import { appendFileSync, closeSync, writeSync } from 'node:fs';
import type { SuperviseMode } from './config.js';

/** Where the supervisor answers its launcher. */
export type HandshakeChannel = { kind: 'fd'; fd: number } | { kind: 'file'; path: string };

/** What the supervisor tells its launcher. */
export type HandshakeMessage =
  /** Stop signals are handled: the supervisor's pid may be printed. */
  | { kind: 'supervising'; pid: number }
  /** The first worker said it is ready (with `waitReady`). */
  | { kind: 'ready'; workerPid: number; seconds: number }
  /** The sockets are bound and the first workers started (with `listen`, without `waitReady`). */
  | { kind: 'started'; workerPid: number }
  /** Another supervisor runs for the same pid file: nothing was started. */
  | { kind: 'refused'; runningPid: number }
  /** The start failed; nothing is left running. */
  | { kind: 'failed'; message: string };

/** One message as one line (newlines in a message become spaces). */
export function formatMessage(m: HandshakeMessage): string {
  switch (m.kind) {
    case 'supervising':
      return `supervising ${m.pid}\n`;
    case 'ready':
      return `ready ${m.workerPid} ${m.seconds}\n`;
    case 'started':
      return `started ${m.workerPid}\n`;
    case 'refused':
      return `refused ${m.runningPid}\n`;
    case 'failed':
      return `failed ${m.message.replace(/[\r\n]+/g, ' ')}\n`;
  }
}

/** Parses one line; undefined for a line this version does not know. */
export function parseMessage(line: string): HandshakeMessage | undefined {
  const space = line.indexOf(' ');
  const kind = space < 0 ? line : line.slice(0, space);
  const rest = space < 0 ? '' : line.slice(space + 1);
  const [a, b] = rest.split(' ');
  switch (kind) {
    case 'supervising':
      return { kind, pid: Number(a) };
    case 'ready':
      return { kind, workerPid: Number(a), seconds: Number(b) };
    case 'started':
      return { kind, workerPid: Number(a) };
    case 'refused':
      return { kind, runningPid: Number(a) };
    case 'failed':
      return { kind, message: rest };
    default:
      return undefined;
  }
}

/** The supervisor's end of the channel: sends messages; closing it ends the handshake. */
export class HandshakeSender {
  private open = true;
  constructor(private readonly channel: HandshakeChannel | null) {}

  /** Sends `message`; a launcher that is gone is not an error. */
  send(message: HandshakeMessage): void {
    if (!this.open || this.channel === null) return;
    try {
      if (this.channel.kind === 'fd') writeSync(this.channel.fd, formatMessage(message));
      else appendFileSync(this.channel.path, formatMessage(message), { mode: 0o600 });
    } catch {
      // The launcher died or gave up waiting; the supervisor carries on.
    }
  }

  /** Ends the handshake (the descriptor is closed, so no worker inherits it). */
  close(): void {
    if (!this.open) return;
    this.open = false;
    if (this.channel?.kind === 'fd') {
      try {
        closeSync(this.channel.fd);
      } catch {
        // already closed
      }
    }
  }
}

/** A supervisor that cannot begin: the launcher hears why (and stderr says it), exit 1. */
export function failToBegin(handshake: HandshakeSender, mode: SuperviseMode, message: string): never {
  handshake.send({ kind: 'failed', message });
  // In the foreground stderr is the terminal; detached, it is the log file.
  process.stderr.write(`xdaemon${mode === 'detached' ? ' supervisor' : ''}: ${message}\n`);
  process.exit(1);
}

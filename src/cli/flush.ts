/**
 * `xdaemon flush NAME… | --all [--rotated]`: empties each daemon's log files (the log and its
 * `--err-file`), and with `--rotated` deletes their rotated copies (`log.1` … `log.N`). A log is
 * emptied in place (truncated), never deleted: a worker in direct mode writes to it through its
 * own descriptor (opened for appending, so its next line lands at the new start), and a running
 * supervisor is then asked to reopen its files, which resets what it knows of their size.
 */
import { readdirSync, rmSync, truncateSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errorCode } from '../errors.js';
import { boolFlag, readLine } from './flags.js';
import type { Io } from './io.js';
import { control, existingStateDirectory, forEachName, known, namesOrAll, requestedNames } from './daemons.js';
import { recordNames } from '../fleet/record.js';

/** `flush`, read. */
export interface FlushRequest {
  verb: 'flush';
  names: string[];
  all: boolean;
  rotated: boolean;
}

/** Reads `flush`'s arguments. Pure. */
export function parseFlush(args: readonly string[]): FlushRequest | { verb: 'help'; topic: 'flush' } {
  const line = readLine('flush', args, { all: { type: 'boolean' }, rotated: { type: 'boolean' } });
  if (line.help) return { verb: 'help', topic: 'flush' };
  const { names, all } = namesOrAll('flush', line);
  return { verb: 'flush', names, all, rotated: boolFlag(line, 'rotated') };
}

/** The rotated copies of `file` that exist (`file.1`, `file.2`, …). */
export function rotatedCopies(file: string): string[] {
  const base = basename(file);
  let entries: string[];
  try {
    entries = readdirSync(dirname(file));
  } catch {
    return [];
  }
  return entries.filter((e) => e.startsWith(`${base}.`) && /^\d+$/.test(e.slice(base.length + 1))).map((e) => join(dirname(file), e));
}

/** Empties the logs; exit 1 if one could not be flushed or has no record. */
export async function flush(request: FlushRequest, io: Io): Promise<number> {
  const dir = existingStateDirectory();
  const names = requestedNames(dir, request, recordNames);
  return forEachName(names, io, async (name) => {
    const daemon = known(dir, name);
    const errFile = daemon.record.settings.errFile;
    const files = [daemon.record.log, ...(typeof errFile === 'string' && errFile !== '' ? [errFile] : [])];
    let removed = 0;
    for (const file of files) {
      try {
        truncateSync(file, 0);
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') throw err;
      }
      if (request.rotated) {
        for (const copy of rotatedCopies(file)) {
          rmSync(copy, { force: true });
          removed += 1;
        }
      }
    }
    const reopened = await control().reopen(daemon.pidFile);
    const rotated = request.rotated ? ` and deleted ${removed} rotated file(s)` : '';
    io.out(`flushed ${name}: emptied ${files.join(', ')}${rotated}${reopened ? '; its supervisor reopened them' : ''}`);
  });
}

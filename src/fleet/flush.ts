/**
 * Emptying daemons' log files (the log and the file of stderr), and, when asked, deleting their
 * rotated copies (`log.1` … `log.N`). A log is emptied in place (truncated), never deleted: a
 * worker in direct mode writes to it through its own descriptor (opened for appending, so its next
 * line lands at the new start), and a running supervisor is then asked to reopen its files, which
 * resets what it knows of their size.
 */
import { readdirSync, rmSync, truncateSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errorCode } from '../errors.js';
import { control } from './control-bundle.js';
import { type Selection, existingStateDirectory, findKnown, selectedNames } from './daemons.js';
import { type DaemonResult, eachName } from './outcome.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';

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

/** Empties the logs of the daemons of `selection`, all at once; with `rotated`, deletes their rotated copies too. */
export async function flushLogs(selection: Selection, options: { rotated?: boolean } = {}, facts: StateFacts = currentStateFacts()): Promise<DaemonResult[]> {
  const dir = existingStateDirectory(facts);
  return eachName(selectedNames(dir, selection), async (name): Promise<DaemonResult> => {
    const daemon = findKnown(dir, name);
    if (daemon === undefined) return { name, outcome: 'not-known' };
    const errFile = daemon.record.settings.errFile;
    const files = [daemon.record.log, ...(typeof errFile === 'string' && errFile !== '' ? [errFile] : [])];
    let removed = 0;
    for (const file of files) {
      try {
        truncateSync(file, 0);
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') throw err;
      }
      if (options.rotated === true) {
        for (const copy of rotatedCopies(file)) {
          rmSync(copy, { force: true });
          removed += 1;
        }
      }
    }
    const reopened = await control().reopen(daemon.pidFile);
    return { name, outcome: 'flushed', files, ...(options.rotated === true ? { removed } : {}), reopened };
  });
}

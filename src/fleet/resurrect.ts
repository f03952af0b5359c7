/**
 * Resurrecting the saved daemons: each is started from its record, with the invoking environment
 * (or the boot service's) plus its recorded additions: never an old dump of a whole environment.
 * Each command is looked up again (a Node upgrade moves `node`), the recorded absolute path serving
 * when PATH does not find it (a boot service's PATH is the service manager's). One that runs is
 * left alone; the others start in parallel.
 */
import { existsSync } from 'node:fs';
import { existingStateDirectory } from './daemons.js';
import { refreshedRecord } from './daemon-spec.js';
import { type DaemonResult, failed } from './outcome.js';
import { type DaemonRecord, readRecord } from './record.js';
import { readSaved } from './saved.js';
import { notRunning, startRecords } from './start.js';
import { type StateFacts, currentStateFacts } from './state-dir.js';

/** What a resurrect did: the saved names (undefined: nothing was ever saved), and a result per name. */
export interface ResurrectResult {
  saved: string[] | undefined;
  /** `not-known`: saved, but its record is gone (deleted since). */
  results: DaemonResult[];
}

/** Starts the saved daemons that do not run. */
export async function resurrect(facts: StateFacts = currentStateFacts()): Promise<ResurrectResult> {
  const dir = existingStateDirectory(facts);
  const saved = dir === undefined ? undefined : readSaved(dir);
  if (dir === undefined || saved === undefined) return { saved: undefined, results: [] };
  const results: DaemonResult[] = [];
  const records: DaemonRecord[] = [];
  for (const name of saved.names) {
    const record = readRecord(dir, name);
    if (record === undefined) {
      results.push({ name, outcome: 'not-known' });
      continue;
    }
    try {
      records.push(refreshedRecord(record, facts.env, (file) => existsSync(file)));
    } catch (err) {
      results.push(failed(name, err, 'always'));
    }
  }
  const { toStart, running } = await notRunning(dir, records);
  results.push(...running, ...(await startRecords(dir, toStart, facts.env)));
  return { saved: saved.names, results };
}

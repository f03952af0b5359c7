/**
 * The verb table: every verb of the `xdaemon` command as one row (how its arguments are read,
 * what it does, its help, its lines in `xdaemon --help`), in the order the help shows them. The
 * dispatcher, the help and the request type are all read from it: a new verb is a new row.
 */
import { DELETE } from './delete.js';
import { EVENTS } from './events.js';
import { FLUSH } from './flush.js';
import { mainHelp } from './help.js';
import { INSTALL } from './install.js';
import { JLIST, PRETTYLIST } from './jlist.js';
import { LIST } from './list.js';
import { LOGS } from './logs.js';
import { METRICS_VERB } from './metrics/row.js';
import { MONIT } from './monit/row.js';
import { PID } from './pid.js';
import { RELOAD } from './reload.js';
import { RESTART } from './restart.js';
import { RESURRECT } from './resurrect.js';
import { RUN } from './run.js';
import { SCALE } from './scale.js';
import { SEND_SIGNAL } from './send-signal.js';
import { SAVE } from './save.js';
import { START } from './start.js';
import { STARTUP, UNSTARTUP } from './startup.js';
import { STATUS } from './status.js';
import { STOP } from './stop.js';
import { UNINSTALL } from './uninstall.js';
import type { VerbRow } from './verb-row.js';

/** Every verb, in the order the help shows them. */
export const VERB_TABLE = [
  START, RUN, STOP, RESTART, RELOAD, STATUS, LIST, MONIT, EVENTS, METRICS_VERB, LOGS, FLUSH, DELETE, SCALE, PID, SEND_SIGNAL,
  INSTALL, UNINSTALL, SAVE, RESURRECT, STARTUP, UNSTARTUP,
  // pm2's spellings of list --json.
  JLIST, PRETTYLIST,
] as const;

/** A verb's row, any of them. */
export type AnyVerbRow = (typeof VERB_TABLE)[number];
/** A verb. */
export type Verb = AnyVerbRow['name'];
/** The request of any verb (without `help`). */
export type VerbRequest = AnyVerbRow extends infer Row ? (Row extends VerbRow<infer R> ? R : never) : never;

/** The verbs, in the help's order. */
export const VERBS: readonly Verb[] = VERB_TABLE.map((row) => row.name);

/** The row of `word` (a verb or one of its aliases), if it is one. */
export function findVerb(word: string): AnyVerbRow | undefined {
  return VERB_TABLE.find((row) => row.name === word || (row.aliases?.includes(word) ?? false));
}

/** The help of `topic`, or the main help without one. */
export function helpText(topic?: Verb): string {
  if (topic === undefined) return mainHelp(VERB_TABLE.flatMap((row) => row.synopsis));
  return (findVerb(topic) as AnyVerbRow).help();
}

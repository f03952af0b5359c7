/**
 * `xdaemon sendSignal SIGNAL NAME…` (pm2's spelling): the signal goes to each daemon's workers,
 * sent by its supervisor, which knows their pids (src/fleet/signal.ts): never a pid read from a
 * file, so a pid reused by another program is never hit.
 */
import type { DaemonResult } from '../fleet/outcome.js';
import { signalDaemons, signalName } from '../fleet/signal.js';
import { readLine } from './flags.js';
import type { Io } from './io.js';
import { namesOf } from './name-args.js';
import { type Said, commonSaid, report, unexpected } from './results.js';
import { UsageError } from './usage-error.js';
import { type HelpRequest, defineVerb } from './verb-row.js';

/** `sendSignal`, read. */
export interface SendSignalRequest {
  verb: 'sendSignal';
  signal: NodeJS.Signals;
  names: string[];
}

/** Reads `sendSignal`'s arguments. Pure. */
export function parseSendSignal(args: readonly string[]): SendSignalRequest | HelpRequest<'sendSignal'> {
  const line = readLine('sendSignal', args, {});
  if (line.help) return { verb: 'help', topic: 'sendSignal' };
  const [signal, ...names] = line.positionals;
  if (signal === undefined || names.length === 0) throw new UsageError('sendSignal needs a SIGNAL and a NAME (xdaemon sendSignal SIGUSR2 web)');
  return { verb: 'sendSignal', signal: signalName(signal), names: namesOf('sendSignal', names, true) };
}

/** What `sendSignal` says of a daemon. */
function said(r: DaemonResult): Said {
  if (r.outcome === 'signalled') return { out: `${r.signal} sent to ${r.name}: ${r.pids.length === 0 ? 'no worker runs now' : `worker ${r.pids.join(', ')}`}` };
  if (r.outcome === 'not-running') return { err: `${r.name} does not run: no worker to signal` };
  return commonSaid(r) ?? unexpected(r);
}

/** Sends the signal; exit 1 if a daemon does not run or is not known. */
export async function sendSignal(request: SendSignalRequest, io: Io): Promise<number> {
  return report(await signalDaemons(request.signal, request.names), io, said);
}

/** The row of `sendSignal`. */
export const SEND_SIGNAL = defineVerb<SendSignalRequest>({
  name: 'sendSignal',
  parse: parseSendSignal,
  run: sendSignal,
  help: () => `usage: xdaemon sendSignal SIGNAL NAME… | all

Sends SIGNAL (SIGUSR2, usr2, HUP, …) to the workers of each daemon, by its supervisor, which
knows their pids (never a pid read from a file). To the supervisor itself: SIGHUP reopens its log.
`,
  synopsis: [['sendSignal SIGNAL NAME…', "a signal to the daemon's workers"]],
});

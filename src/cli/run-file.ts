/**
 * `xdaemon run FILE [--only a,b] [--env SET] [--log-format text|json] [--probe-listen ADDR]
 * [--kill-timeout MS] [--keep-running]`, read: the container entrypoint's command line. The apps'
 * settings belong in the file; these flags are run's own. Pure.
 */
import type { ProbeAddress } from '../daemon-process/fleet-plan.js';
import type { RunFileRequest } from '../fleet/run-file.js';
import { LOG_FORMATS, type LogFormat } from '../log/line-format.js';
import { parseAddress } from '../socket/address.js';
import { type FlagSpecs, type ParsedLine, SETTING_FLAGS, boolFlag, settingsOf, textFlag } from './flags.js';
import { fleetLine } from './fleet-request.js';
import { UsageError } from './usage-error.js';

/** Run's own flags with a file, besides `--only` and `--env`. */
export const RUN_FILE_FLAGS = {
  'log-format': { type: 'string' },
  'probe-listen': { type: 'string' },
  'keep-running': { type: 'boolean' },
} as const satisfies FlagSpecs;

/** Every flag that goes with a file (`--kill-timeout` is read as run's whole stop there). */
const WITH_A_FILE = [...Object.keys(RUN_FILE_FLAGS), 'kill-timeout'];

/** The request of `run FILE` (`file` undefined: the default file of the current directory). */
export function runFileRequest(line: ParsedLine, file: string | undefined): RunFileRequest {
  const fleet = fleetLine('run', line, file, WITH_A_FILE);
  // Read as the setting is everywhere else.
  const { killTimeout } = settingsOf(line, SETTING_FLAGS.filter((f) => f.setting === 'killTimeout'));
  return {
    ...fleet,
    logFormat: logFormatOf(textFlag(line, 'log-format')),
    keepRunning: boolFlag(line, 'keep-running'),
    killTimeout: killTimeout as number | undefined,
    probe: probeAddressOf(textFlag(line, 'probe-listen')),
  };
}

/** The flags of run's file form given without a file: refused, naming what they go with. */
export function refuseWithoutFile(line: ParsedLine): void {
  for (const flag of Object.keys(RUN_FILE_FLAGS)) {
    if (line.flags.has(flag)) throw new UsageError(`--${flag} goes with a fleet file (xdaemon run FILE --${flag} …)`);
  }
}

function logFormatOf(text: string | undefined): LogFormat {
  if (text === undefined) return 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(text)) throw new UsageError(`--log-format ${JSON.stringify(text)}: it is ${LOG_FORMATS.join(' or ')}`);
  return text as LogFormat;
}

/** `--probe-listen`: `PORT`, `:PORT` (every address), `HOST:PORT`, `[IPv6]:PORT`. */
export function probeAddressOf(text: string | undefined): ProbeAddress | undefined {
  if (text === undefined) return undefined;
  const bad = (why: string): UsageError => new UsageError(`--probe-listen ${JSON.stringify(text)}: ${why} (PORT, :PORT, HOST:PORT or [IPv6]:PORT)`);
  if (text.includes('=') || text.startsWith('unix:')) throw bad('an orchestrator probes a TCP port');
  let address;
  try {
    address = parseAddress(text.startsWith(':') ? text.slice(1) : text, 0);
  } catch (err) {
    throw bad((err as { reason?: string }).reason ?? (err as Error).message);
  }
  if (address.kind !== 'tcp') throw bad('an orchestrator probes a TCP port');
  return { host: address.host, port: address.port };
}

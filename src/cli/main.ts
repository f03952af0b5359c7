/**
 * Entry of the `xdaemon` command (`dist/cli.js`, the package's `bin`). It reads the command line,
 * runs the verb, and exits with its code: 0 done, 1 failed, 2 bad usage (LSB's codes for
 * `status`). Every error is one line on stderr, `xdaemon: <message>`. What a verb does not need
 * is never loaded: the launcher, the control client, the supervisor and the services are bundles
 * of their own, loaded by the verbs that use them.
 */
import { XDaemonError, shortMessageOf } from '../errors.js';
import { execute, parseCommandLine } from './dispatch.js';
import { processIo, writeAll } from './io.js';
import { EXIT, UsageError } from './usage-error.js';

/** Exits at once: the output was written synchronously, and a spawned supervisor must not keep this process. */
function exit(code: number): void {
  process.exit(code);
}

async function main(argv: readonly string[]): Promise<void> {
  let code: number | 'running';
  try {
    code = await execute(parseCommandLine(argv), processIo);
  } catch (err) {
    if (err instanceof UsageError) {
      processIo.err(err.message);
      return exit(EXIT.usage);
    }
    processIo.err(shortMessageOf(err));
    if (!(err instanceof XDaemonError) && process.env.DEBUG !== undefined && err instanceof Error) writeAll(2, `${err.stack ?? ''}\n`);
    return exit(EXIT.failure);
  }
  if (code !== 'running') exit(code);
}

void main(process.argv.slice(2));

/**
 * Entry of the supervisor bundle (`dist/supervisor-main.js`). Run as a program (what a launcher
 * starts, detached), it reads its configuration and the worker's arguments from argv and
 * supervises. Required as a module (`Daemon.run()` supervising in the foreground, in the user's
 * own process; the library's `Supervisor` on first use), it only exports.
 */
import { messageOf } from '../errors.js';
import { parseConfigArgs } from './config.js';
import { supervise } from './supervise.js';

export { supervise };
export { Supervisor } from './supervisor.js';

if (require.main === module) {
  let parsed: ReturnType<typeof parseConfigArgs>;
  try {
    parsed = parseConfigArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${messageOf(err)}\n`);
    process.exit(2);
  }
  supervise(parsed.config, parsed.args, 'detached');
}

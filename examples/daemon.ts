// The seed's daemon example: with -d, start a background supervisor that starts and watches the
// final worker; without it, run in the foreground.
// Run: npm run example:daemon -- -d   (then: cat daemon.log; the worker runs twice, 10 s each)
import { parseArgs } from 'node:util';
import { Daemon } from 'xdaemon';

const { values } = parseArgs({ options: { d: { type: 'boolean', default: false } }, strict: false });

if (values.d) {
  const logFile = 'daemon.log';
  const d = new Daemon(logFile);
  // Optional settings.
  d.maxCount = 2; // start the worker at most twice in all
  d.run();
}

// With -d only the final worker runs this; the launcher and the supervisor never do.
console.log(new Date().toISOString(), process.pid, 'start...');
setTimeout(() => {
  console.log(new Date().toISOString(), process.pid, 'end');
}, 10_000);

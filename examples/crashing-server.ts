// A server that crashes: the first three workers die 0.3 s after starting (a failure, since
// minExitTime is 1 s); the fourth stays up. Used by `npm run demo`.
// On its own: node --import tsx examples/crashing-server.ts /tmp/demo.log
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Daemon } from 'xdaemon';

const logFile = process.argv[2] ?? 'demo.log';
new Daemon(logFile, { maxError: 5, minExitTime: 1, restartDelay: 200 }).run();

// Only the worker gets here.
const startsFile = `${logFile}.starts`;
appendFileSync(startsFile, '.');
const start = readFileSync(startsFile, 'utf8').length;

const server = createServer((_req, res) => res.end('hello\n'));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`worker ${process.pid} (start #${start}): listening on 127.0.0.1:${port}`);
});
if (start <= 3) {
  setTimeout(() => {
    throw new Error(`worker ${process.pid}: simulated crash #${start}`);
  }, 300);
}

// The seed's background example: turn the program into a background process, keeping every
// argument unchanged. Run: npm run example:background -- -a -b   (then: cat daemon.log)
import { background } from 'xdaemon';

const logFile = 'daemon.log';

// Start a child process, then the main program exits.
background(logFile, true);

// Only the child runs the code below.
console.log(new Date().toISOString(), process.pid, 'start...', process.argv.slice(2));
setTimeout(() => {
  console.log(new Date().toISOString(), process.pid, 'end');
}, 10_000);

// The seed's service example: a program with Init, Start and Stop hooks that installs itself as an
// OS service and is run by it. Verbs, as in the seed: install | remove | start | stop | debug
// (also uninstall, restart, status; no verb runs it as the service manager does).
//
//   npm run example:service -- debug                 run in the foreground, Enter stops it
//   npm run example:service -- install --dry-run     print the file and commands, touch nothing
//   sudo npx tsx examples/service.ts install         then: start, status, stop, remove
//
// Options: --dry-run, --force (install over a different file), --user (a user service),
// --backend=systemd|launchd|windows (instead of the one detected here).
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { type BackendName, Service, formatPlan } from 'xdaemon/service';

const { values, positionals } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    user: { type: 'boolean', default: false },
    backend: { type: 'string' },
  },
  allowPositionals: true,
});

const svc = new Service({
  name: 'MyService',
  displayName: 'My Service',
  description: 'My Service provides support for…',
  // command and args unset: the service runs this program (node, its flags, this script).
  logFile: 'MyService.log',
  userService: values.user,
  backend: values.backend as BackendName | undefined,
});

let server: Server | undefined;

function initService(): void {
  console.log('Service Inited');
}

function startService(): Promise<void> {
  server = createServer((_req, res) => res.end('hello from My Service\n'));
  return new Promise((resolve) => {
    server?.listen(0, '127.0.0.1', () => {
      const address = server?.address();
      console.log('Service Started', typeof address === 'object' && address !== null ? `on port ${address.port}` : '');
      resolve();
    });
  });
}

function stopService(): Promise<void> {
  console.log('Service Stopped');
  return new Promise((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
}

async function main(): Promise<void> {
  const verb = positionals[0];
  if (values['dry-run']) {
    // What install would write and run, without touching anything.
    process.stdout.write(formatPlan(await svc.plan()));
    return;
  }
  await svc.handle(verb, { init: initService, start: startService, stop: stopService }, { force: values.force });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

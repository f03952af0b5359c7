/**
 * The probe endpoint of `xdaemon run FILE --probe-listen ADDR`, for an orchestrator's liveness and
 * readiness probes (Kubernetes' `httpGet`, Nomad's and ECS's HTTP checks): `GET /livez` and
 * `GET /readyz`, each answered with the status and JSON body its decision gives (./fleet-state);
 * anything else is 404. It reads the supervisions' state in memory: a probe wakes nothing.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ProbeAddress } from './fleet-plan.js';
import type { ProbeAnswer } from './fleet-state.js';

/** The answers, asked for at each request. */
export interface ProbeAnswers {
  livez(): ProbeAnswer;
  readyz(): ProbeAnswer;
}

/**
 * Serves the probes on `address`; resolves once it listens (with the server, to close at the end).
 *
 * @throws when the address cannot be bound (in use, not this machine's).
 */
export function serveProbes(address: ProbeAddress, answers: ProbeAnswers): Promise<Server> {
  // Loaded only with --probe-listen: a run without probes never pays for the HTTP server.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createServer } = require('node:http') as typeof import('node:http');
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = req.method !== 'GET' && req.method !== 'HEAD' ? undefined : path === '/livez' ? answers.livez() : path === '/readyz' ? answers.readyz() : undefined;
    const { status, body } = answer ?? { status: 404, body: { error: 'the probes are GET /livez and GET /readyz' } };
    const text = `${JSON.stringify(body)}\n`;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  });
  // A probe is one short request: an idle connection must not hold run's exit.
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address.host === '' ? undefined : address.host, port: address.port }, () => {
      server.removeListener('error', reject);
      // Its connections never keep run alive: run ends when its apps have.
      server.unref();
      resolve(server);
    });
  });
}

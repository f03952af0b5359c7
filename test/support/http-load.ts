/**
 * Loopback HTTP clients for the tests of held sockets, cluster mode and reload: one GET, and loops
 * of GETs (with or without keep-alive) that tally every answer and every failure until told to
 * stop. A failure is a refused or reset connection, a timeout, or a status other than 200.
 */
import http from 'node:http';

/** One GET on loopback: its status and body, or the error's code. */
export function get(port: number | { socketPath: string }, agent: http.Agent | false, path = '/'): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const where = typeof port === 'number' ? { host: '127.0.0.1', port } : port;
    const req = http.get({ ...where, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.setTimeout(10_000, () => req.destroy(new Error('ETIMEDOUT')));
  });
}

/** What a loop saw: the requests answered, the failures, and the bodies (trimmed) that answered. */
export interface Tally {
  ok: number;
  failures: string[];
  bodies: Set<string>;
}

/**
 * `parallel` clients requesting one after the other until `done()` (at most `max` each), with
 * keep-alive connections (one per client) or a new connection per request.
 */
export async function clientLoop(port: number, keepAlive: boolean, done: (tally: Tally) => boolean, parallel = 1, max = 50_000): Promise<Tally> {
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: parallel }) : false;
  const tally: Tally = { ok: 0, failures: [], bodies: new Set<string>() };
  const client = async (): Promise<void> => {
    for (let i = 0; i < max && !done(tally); i++) {
      const answer = await get(port, agent);
      if ('error' in answer) tally.failures.push(answer.error);
      else if (answer.status !== 200) tally.failures.push(`HTTP ${answer.status}`);
      else {
        tally.ok += 1;
        tally.bodies.add(answer.body.trim());
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, client));
  } finally {
    if (agent !== false) agent.destroy();
  }
  return tally;
}

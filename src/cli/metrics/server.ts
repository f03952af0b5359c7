/**
 * `xdaemon metrics --listen ADDR`: a small HTTP server of its own that answers `GET /metrics`
 * with every named daemon's metrics in the Prometheus text format (./exposition). Each scrape
 * reads the state directory, the daemons' records (their memory limit) and their statuses through
 * src/fleet/ (the supervisors' state files and /proc: no supervisor is asked where a state file
 * answers). It runs until SIGTERM or SIGINT, and can itself be run as a daemon
 * (`xdaemon start --name metrics -- xdaemon metrics --listen 127.0.0.1:9209`).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { XDaemonError, errorCode, messageOf } from '../../errors.js';
import { existingStateDirectory, statusesOf } from '../../fleet/daemons.js';
import { readRecord, recordNames } from '../../fleet/record.js';
import { type ListenAddress, describeAddress } from '../../socket/address.js';
import type { Io } from '../io.js';
import { EXIT } from '../usage-error.js';
import { type Scrape, type ScrapedDaemon, exposition } from './exposition.js';

/** `metrics`, read. */
export interface MetricsRequest {
  verb: 'metrics';
  listen: ListenAddress;
}

/** What the text format is served as. */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A daemon's memory limit from its record (bytes; undefined without one, or when the record cannot be read). */
function memoryLimitOf(dir: string, name: string): number | undefined {
  try {
    const limit = readRecord(dir, name)?.settings.maxMemory;
    return typeof limit === 'number' && limit > 0 ? limit : undefined;
  } catch {
    return undefined;
  }
}

/** One scrape's findings: every daemon with a record, its status and its limit. */
export async function scrape(): Promise<Scrape> {
  const dir = existingStateDirectory();
  if (dir === undefined) return { daemons: [], failures: 0 };
  const { rows, failed } = await statusesOf(dir, recordNames(dir));
  const daemons = rows.map((status): ScrapedDaemon => ({ status, memoryLimit: memoryLimitOf(dir, status.name) }));
  return { daemons, failures: failed.length };
}

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const began = process.hrtime.bigint();
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('only GET and HEAD\n');
    return;
  }
  if (path === '/') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html><body><h1>xdaemon</h1><p><a href="/metrics">metrics</a></p></body></html>\n');
    return;
  }
  if (path !== '/metrics') {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the metrics are at /metrics\n');
    return;
  }
  let body: string;
  try {
    body = exposition(await scrape(), () => Number(process.hrtime.bigint() - began) / 1e9);
  } catch (err) {
    response.writeHead(500, { 'content-type': 'text/plain' }).end(`xdaemon: ${messageOf(err)}\n`);
    return;
  }
  response.writeHead(200, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Listens on `address`; rejects with an XDaemonError naming it when that fails (in use, say). */
function listen(server: Server, address: ListenAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new XDaemonError(`cannot listen on ${describeAddress(address)}: ${messageOf(err)}`, { code: errorCode(err), option: 'listen', cause: err })));
    if (address.kind === 'unix') server.listen(address.path, resolve);
    else server.listen(address.port, address.host === '' ? undefined : address.host, resolve);
  });
}

/** Serves the metrics until SIGTERM or SIGINT; exit 0. */
export async function serveMetrics(request: MetricsRequest, io: Io): Promise<number> {
  const server = createServer((req, res) => void answer(req, res));
  // A scraper keeps its connection: a stop must not wait for it.
  server.keepAliveTimeout = 5000;
  await listen(server, request.listen);
  const where = request.listen.kind === 'unix' ? request.listen.path : `http://${describeAddress(request.listen).replace(/^\*/, '0.0.0.0')}/metrics`;
  io.out(`serving metrics at ${where}`);
  return new Promise((resolve) => {
    const end = (): void => {
      server.close(() => resolve(EXIT.ok));
      server.closeAllConnections?.();
    };
    process.once('SIGTERM', end);
    process.once('SIGINT', end);
  });
}

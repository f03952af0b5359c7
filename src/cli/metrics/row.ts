/**
 * The row of `xdaemon metrics [--listen ADDR]` in the verb table: its arguments and its help. The
 * exporter itself (./server, with node:http) is a bundle of its own (`dist/exporter.js`), loaded
 * by this verb alone.
 */
import { loadBundle } from '../../bundles.js';
import { shortMessageOf } from '../../errors.js';
import { parseAddress } from '../../socket/address.js';
import { readLine, textFlag } from '../flags.js';
import { UsageError } from '../usage-error.js';
import { type HelpRequest, defineVerb } from '../verb-row.js';
import type { MetricsRequest } from './server.js';

/** Where the exporter listens without `--listen`: loopback only, the port of no other well-known exporter. */
export const DEFAULT_LISTEN = '127.0.0.1:9209';

/** Reads `metrics`'s arguments. Pure. */
export function parseMetrics(args: readonly string[]): MetricsRequest | HelpRequest<'metrics'> {
  const line = readLine('metrics', args, { listen: { type: 'string' } });
  if (line.help) return { verb: 'help', topic: 'metrics' };
  const [stray] = line.positionals;
  if (stray !== undefined) throw new UsageError(`metrics takes no NAME, got ${JSON.stringify(stray)}: it serves every daemon's metrics`);
  const text = textFlag(line, 'listen') ?? DEFAULT_LISTEN;
  try {
    return { verb: 'metrics', listen: parseAddress(text, 0) };
  } catch (err) {
    throw new UsageError(`--listen: ${shortMessageOf(err)}`, { option: 'listen' });
  }
}

/** The row of `metrics`. */
export const METRICS_VERB = defineVerb<MetricsRequest>({
  name: 'metrics',
  parse: parseMetrics,
  run: (request, io) => loadBundle('exporter').serveMetrics(request, io),
  help: () => `usage: xdaemon metrics [--listen ADDR]

A Prometheus exporter: serves every daemon's metrics at http://ADDR/metrics in the Prometheus
text format (up, ready, health, restarts by cause, worker starts, CPU seconds and memory of each
instance's worker tree, start times, the memory limit; the exporter's own daemons seen and scrape
duration), read from the state files without waking the supervisors. Runs until Ctrl-C or
SIGTERM; run it as a daemon like any other:

  xdaemon start --name metrics -- xdaemon metrics --listen 127.0.0.1:9209

  --listen ADDR  PORT, HOST:PORT, [V6]:PORT or unix:PATH (default ${DEFAULT_LISTEN})

The labels are name and instance: Prometheus files the exporter's instance label as
exported_instance beside its own target label, unless the scrape sets honor_labels: true.
`,
  synopsis: [['metrics [--listen ADDR]', 'a Prometheus exporter of every daemon (default 127.0.0.1:9209)']],
});

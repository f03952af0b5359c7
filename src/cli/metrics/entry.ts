/** Entry of the exporter bundle (`dist/exporter.js`): the Prometheus exporter, loaded by `xdaemon metrics` alone. */
export { serveMetrics } from './server.js';

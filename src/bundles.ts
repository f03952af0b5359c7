/**
 * The library ships one bundle per role (scripts/build.mjs): the entry a worker imports stays
 * small, and what only a launcher, a supervisor or a control client needs is loaded from its own
 * bundle beside it, when first needed.
 */

/** The bundles beside the entry, and what each exports. */
interface Bundles {
  launcher: typeof import('./launcher/entry.js');
  control: typeof import('./control/entry.js');
  'supervisor-core': typeof import('./daemon-process/core.js');
  /** The host's foreground profile, for `xdaemon run FILE`. */
  'fleet-run': typeof import('./daemon-process/fleet-run.js');
  /** The `xdaemon/service` bundle, for the CLI's install, uninstall and status. */
  service: typeof import('./service/index.js');
  /** The CLI's live view (`xdaemon monit`): only that verb loads it. */
  monit: typeof import('./cli/monit/entry.js');
  /** The CLI's Prometheus exporter (`xdaemon metrics`): only that verb loads it (and node:http). */
  exporter: typeof import('./cli/metrics/entry.js');
}

/** Loads `name` from the bundle's own folder (works from the CommonJS and the ES module entry). */
export function loadBundle<K extends keyof Bundles>(name: K): Bundles[K] {
  // A template string: esbuild leaves the require alone instead of inlining the module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve(`./${name}.js`)) as Bundles[K];
}

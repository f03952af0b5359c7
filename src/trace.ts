/**
 * Decision tracing through `debug` (`DEBUG=xdaemon*`). The `debug` module is loaded only when
 * `DEBUG` is set, so a worker that never traces does not pay for loading it.
 */
import type { Debugger } from 'debug';

type Trace = (format: string, ...args: unknown[]) => void;

const noop: Trace = () => undefined;

/** Returns a tracer for the namespace `xdaemon:<name>`. */
export function tracer(name: string): Trace {
  if (!process.env.DEBUG) return noop;
  let d: Debugger | undefined;
  return (format, ...args) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    d ??= (require('debug') as typeof import('debug'))(`xdaemon:${name}`);
    if (d.enabled) d(format, ...args);
  };
}

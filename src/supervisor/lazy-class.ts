/**
 * `Supervisor` as the library exports it: a stand-in that loads the supervisor bundle on first use
 * (construction, a static, `instanceof`, `extends`) and then behaves as the class itself, so that
 * a worker importing the library does not compile the supervise loop it never runs.
 */
import { loadBundle } from '../bundles.js';
import type { Supervisor as SupervisorClass } from './supervisor.js';

let loaded: typeof SupervisorClass | undefined;
const real = (): typeof SupervisorClass => (loaded ??= loadBundle('supervisor-core').Supervisor);

/**
 * Runs a command under Go's restart policy (and the opt-in extras: restart modes, backoff,
 * readiness, tree cleanup) until the policy ends it or {@link Supervisor.stop} is called: the loop
 * behind every xdaemon supervisor, for programs that supervise another command in their own
 * process. Events (`start`, `ready`, `exit`, `restart`, `stop`, `giveup`, …) each pass one object.
 *
 * @example
 * ```ts
 * const sup = new Supervisor({ command: 'node', args: ['server.js'], logFile: 'server.log', restartDelay: 1000 });
 * sup.on('exit', ({ pid, code, signal }) => console.log(`worker ${pid} exited with ${code ?? signal}`));
 * const { workerPid } = await sup.start();
 * await sup.restart();
 * await sup.stop();
 * ```
 */
export const Supervisor: typeof SupervisorClass = new Proxy(function Supervisor() {} as unknown as typeof SupervisorClass, {
  construct: (_target, args, newTarget) => Reflect.construct(real(), args, newTarget === Supervisor ? real() : newTarget),
  get: (_target, property) => Reflect.get(real(), property),
  has: (_target, property) => Reflect.has(real(), property),
  getPrototypeOf: () => Reflect.getPrototypeOf(real()),
});
/** An instance of {@link Supervisor}. */
export type Supervisor = SupervisorClass;

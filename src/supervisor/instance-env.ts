/**
 * What each instance's environment adds: its number as `XDAEMON_INSTANCE` and pm2's
 * `NODE_APP_INSTANCE` (and `instanceVar`), and, with `incrementVar`, that variable's value plus
 * the instance's number (pm2's `increment_var`: `PORT` 3000, 3001, …), and the problem of an
 * `incrementVar` that cannot work: a value that is not a number, or ports that the supervisor
 * also holds with `listen` (every instance would share that one, and the others would bind their
 * own). Pure.
 */
import type { ListenAddress } from '../socket/address.js';
import type { DaemonSettings } from '../settings/types.js';

/** The variables instance `instance` gets on top of the daemon's environment `env`. */
export function instanceEnv(settings: Pick<DaemonSettings, 'instanceVar' | 'incrementVar'>, env: NodeJS.ProcessEnv, instance: number): Record<string, string> {
  const number = String(instance);
  const out: Record<string, string> = { XDAEMON_INSTANCE: number, NODE_APP_INSTANCE: number };
  if (settings.instanceVar !== '') out[settings.instanceVar] = number;
  if (settings.incrementVar !== '') out[settings.incrementVar] = String(baseOf(env[settings.incrementVar]) + instance);
  return out;
}

/** The value instance 0 gets: the environment's, 0 when unset. */
function baseOf(value: string | undefined): number {
  return value === undefined || value === '' ? 0 : Number(value);
}

/**
 * Why `incrementVar` cannot work with the environment `env` and the addresses of `listen`, if it
 * cannot (one line, for the option's error).
 */
export function incrementProblem(
  settings: Pick<DaemonSettings, 'incrementVar' | 'instances'>,
  env: NodeJS.ProcessEnv,
  listen: readonly ListenAddress[],
): string | undefined {
  const name = settings.incrementVar;
  if (name === '') return undefined;
  const value = env[name];
  if (value !== undefined && value !== '' && !/^\d+$/.test(value)) return `${name} is ${JSON.stringify(value)}, which is not a whole number to count up from`;
  const first = baseOf(value);
  const last = first + settings.instances - 1;
  const held = listen.find((a) => a.kind === 'tcp' && a.port >= first && a.port <= last);
  if (held === undefined) return undefined;
  return `listen holds ${held.text}, which ${name} ${first === last ? `(${first})` : `(${first}…${last})`} also gives to an instance: listen shares one port among the instances, ${name} gives each its own; give one of them`;
}

/**
 * Why `instances` copies of the program `file` cannot run side by side as they are, if so: a
 * program that is not Node (its `listen()` cannot be served by the supervisor) would bind one port
 * in every instance, and all but one would fail, unless the supervisor holds the port (`listen`),
 * each instance gets its own (`incrementVar`), or `instanceVar` says that the program tells its
 * instances apart itself. One line, for the command line's refusal.
 */
export function instancesProblem(isNode: boolean, settings: Partial<Pick<DaemonSettings, 'instances' | 'listen' | 'incrementVar' | 'instanceVar'>>): string | undefined {
  const instances = settings.instances ?? 1;
  if (isNode || instances < 2 || (settings.listen ?? []).length > 0 || (settings.incrementVar ?? '') !== '' || (settings.instanceVar ?? '') !== '') return undefined;
  return `${instances} instances of a program that is not Node would each bind the same port, and all but one fail: give --listen PORT (the supervisor binds it once, every instance takes it by LISTEN_FDS) or --increment-var PORT (each instance gets PORT+i); for a program that listens on no port, --instance-var NAME gives each its number`;
}

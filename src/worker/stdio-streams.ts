/**
 * Worker side: acting on `process.stdout` and `process.stderr` once Node creates them, without
 * creating them. Node makes each on the first read of its getter, and making one loads node:stream
 * and some twenty modules behind it (~2 ms); the library's stdio guards (./quiet-stdio) and the log
 * follower (./log-follow) must not put that on every worker's start-up, before the program's first
 * instruction, when many programs write nothing for a while. So the getter is wrapped: the first
 * read creates the stream as before, runs what waited for it, and puts Node's getter back.
 *
 * The state is shared through `globalThis`: the spare's entry and the library (CommonJS or ES
 * module copy) wrap the getters once between them.
 */

/** One of the two output streams. */
export type StdioName = 'stdout' | 'stderr';

interface StreamsState {
  created: Partial<Record<StdioName, NodeJS.WriteStream>>;
  waiting: Record<StdioName, ((stream: NodeJS.WriteStream) => void)[]>;
}

const KEY = Symbol.for('xdaemon.stdio-streams.v1');

/** Runs `fn` with `process[name]` once it exists: now if it does (as far as we know), else at its creation. */
export function whenStdioCreated(name: StdioName, fn: (stream: NodeJS.WriteStream) => void): void {
  const state = stateOf();
  const stream = state.created[name];
  if (stream !== undefined) fn(stream);
  else state.waiting[name].push(fn);
}

/** `process[name]` if it was created since the getters were wrapped (never creates it). */
export function createdStdio(name: StdioName): NodeJS.WriteStream | undefined {
  return stateOf().created[name];
}

function stateOf(): StreamsState {
  const holder = globalThis as unknown as Record<symbol, StreamsState | undefined>;
  let state = holder[KEY];
  if (state === undefined) {
    state = { created: {}, waiting: { stdout: [], stderr: [] } };
    holder[KEY] = state;
    wrap('stdout', state);
    wrap('stderr', state);
  }
  return state;
}

function wrap(name: StdioName, state: StreamsState): void {
  const own = Object.getOwnPropertyDescriptor(process, name);
  const get = own?.get;
  if (own === undefined || get === undefined || own.configurable !== true) {
    // Not Node's lazy getter (an embedder, a test double): the stream is there already.
    created(name, process[name], state);
    return;
  }
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: own.enumerable ?? true,
    get() {
      const stream = get.call(process) as NodeJS.WriteStream;
      Object.defineProperty(process, name, own);
      created(name, stream, state);
      return stream;
    },
  });
}

function created(name: StdioName, stream: NodeJS.WriteStream, state: StreamsState): void {
  if (state.created[name] !== undefined) return;
  state.created[name] = stream;
  for (const fn of state.waiting[name].splice(0)) fn(stream);
}

/**
 * A promise with its resolvers at hand, for the supervisor's promises that settle on an event of
 * the loop (its end, its first workers up). It never counts as unhandled: a caller that does not
 * wait for it is no error.
 */

/** A promise with its resolvers. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/** A new {@link Deferred}. */
export function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * Tree tokens: the environment entry each worker gets (and its descendants inherit) so that a stop
 * finds what escaped its process group. One prefix per supervisor, a number per worker after it.
 */

/** The environment variable of the token. */
export const TREE_ENV = 'XDAEMON_TREE';

/** A fresh prefix for one supervisor's workers: `XDAEMON_TREE=<pid>.<time>.<random>.`. */
export function newTreePrefix(): string {
  return `${TREE_ENV}=${process.pid}.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}.`;
}

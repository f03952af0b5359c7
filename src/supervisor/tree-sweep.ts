/**
 * Entry of the group guard's sweep (`dist/tree-sweep.js`, started by ./group-guard's watcher once
 * its supervisor has died): what left the workers' process groups (`setsid`, a double fork) cannot
 * be reached by the guard's group signals, only by the tree token every worker's descendant carries
 * (`XDAEMON_TREE=<supervisor id>.<n>`). This stops every process that carries the supervisor's
 * prefix and started after it: SIGTERM, SIGKILL after the guard's grace. Usage:
 * `node tree-sweep.js <id>. <supervisor start time in clock ticks>` (the prefix without its
 * `XDAEMON_TREE=`: the guard's own environment carries nothing that reads as a tree token).
 */
import { stopTree } from '../process/stop-tree.js';
import { GUARD_GRACE_TENTHS } from './group-guard-script.js';
import { TREE_ENV } from './tree-token.js';

const [id, since] = process.argv.slice(2);
if (id !== undefined && /^\S+\.$/.test(id) && since !== undefined && /^\d+$/.test(since)) {
  void stopTree({ pid: -1, starttime: Number(since) }, { killTimeout: GUARD_GRACE_TENTHS * 100, mark: { prefix: `${TREE_ENV}=${id}` } });
}

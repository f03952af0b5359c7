/**
 * The pure half of the group guard (./group-guard): the script its watcher runs, the lines the
 * supervisor writes to it, and which write each start or end of a worker needs. Kept apart from
 * the spawning so that the protocol can be read (and tested) on its own.
 *
 * The watcher is `/bin/sh -c GUARD_SCRIPT` (any POSIX sh: dash, bash, busybox ash; builtins only
 * while it listens, so it costs one idle shell). It reads `+PGID` and `-PGID` lines from its stdin,
 * a pipe whose only writer is the supervisor. At end of file — the supervisor is gone, by a
 * SIGKILL too — it starts the sweep (./tree-sweep, when its variables are set: what left the
 * groups, found by the tree token), sends SIGTERM to every process group still listed, gives them
 * up to 0.4 s, then SIGKILLs what is left, waits for the sweep and exits; with none listed it only
 * waits for the sweep. A partial last line (the supervisor died in mid-write) is never acted on:
 * `read` fails on it and the loop ends. (`kill -TERM -PGID`, without `--`: dash's kill takes no
 * `--`.)
 */

/** How long the watcher waits after SIGTERM before SIGKILL, in tenths of a second. */
export const GUARD_GRACE_TENTHS = 4;

/** The variables that name the sweep: the node to run it with, its script, the tree prefix, the supervisor's start time. */
export const SWEEP_ENV = ['XDAEMON_SWEEP_NODE', 'XDAEMON_SWEEP_SCRIPT', 'XDAEMON_SWEEP_PREFIX', 'XDAEMON_SWEEP_SINCE'] as const;

/** The watcher's script (see the module comment). */
export const GUARD_SCRIPT = [
  "g=' '",
  'while read -r l; do',
  '  case $l in',
  '    +[0-9]*) g="$g${l#?} " ;;',
  '    -[0-9]*) p=${l#?}; case $g in *" $p "*) g="${g%% $p *} ${g#* $p }" ;; esac ;;',
  '  esac',
  'done',
  // The supervisor's NODE_OPTIONS (a loader, say) are none of the sweep's business.
  `[ -n "$${SWEEP_ENV[0]}" ] && NODE_OPTIONS= "$${SWEEP_ENV[0]}" "$${SWEEP_ENV[1]}" "$${SWEEP_ENV[2]}" "$${SWEEP_ENV[3]}" </dev/null >/dev/null 2>&1 &`,
  "[ \"$g\" = ' ' ] && { wait; exit 0; }",
  'for p in $g; do kill -TERM "-$p" 2>/dev/null; done',
  'n=0',
  `while [ $n -lt ${GUARD_GRACE_TENTHS} ]; do`,
  '  sleep 0.1; n=$((n+1)); a=',
  '  for p in $g; do kill -0 "-$p" 2>/dev/null && a="$a $p"; done',
  '  [ -z "$a" ] && { wait; exit 0; }',
  '  g=$a',
  'done',
  'for p in $g; do kill -KILL "-$p" 2>/dev/null; done',
  'wait',
].join('\n');

/**
 * The process groups a supervisor has asked its watcher to guard, counted: the same pgid may be
 * listed twice for a moment (a worker's pid taken again by the next worker before the end of the
 * first one's clean-up was written), and only the first start and the last end of it are written.
 */
export class GuardedGroups {
  private readonly counts = new Map<number, number>();

  /** A worker that leads group `pgid` started: the line to write, if any. */
  add(pgid: number): string | undefined {
    const n = this.counts.get(pgid) ?? 0;
    this.counts.set(pgid, n + 1);
    return n === 0 ? `+${pgid}\n` : undefined;
  }

  /** The worker of group `pgid` and its clean-up are done: the line to write, if any. */
  remove(pgid: number): string | undefined {
    const n = this.counts.get(pgid);
    if (n === undefined) return undefined;
    if (n > 1) {
      this.counts.set(pgid, n - 1);
      return undefined;
    }
    this.counts.delete(pgid);
    return `-${pgid}\n`;
  }

  /** Every group listed now, as the lines that list them (for a new watcher). */
  lines(): string {
    return [...this.counts.keys()].map((pgid) => `+${pgid}\n`).join('');
  }

  get size(): number {
    return this.counts.size;
  }
}

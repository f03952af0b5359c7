/**
 * Which changes in a worker's first second are its own start-up writes (pure), for watch
 * (./watch-restart). An app that writes a cache or a pid file into the watched folder at every
 * start must not restart itself in a loop; a file the user saves in that second must not be lost
 * (issue 27: a save of lib/deep.js 0.5 s after a restart restarted nothing, ever). A change while
 * workers start is their own when they are the daemon's first workers (nothing to compare with), or
 * when the same path also changed while the workers before them started (a write made at every
 * start); any other change there restarts the daemon once they have started.
 */

/** The paths changed while each set of workers started, the current set and the one before. */
export class StartWrites {
  private current: { key: string; paths: Set<string> } | undefined;
  private previous: ReadonlySet<string> = new Set();

  /**
   * A change of `path` while the workers named by `key` start (`first`: they are the daemon's first
   * workers). Returns whether it is their own start-up write.
   */
  isOwn(key: string, path: string, first: boolean): boolean {
    if (this.current?.key !== key) {
      if (this.current !== undefined) this.previous = this.current.paths;
      this.current = { key, paths: new Set() };
    }
    this.current.paths.add(path);
    return first || this.previous.has(path);
  }
}

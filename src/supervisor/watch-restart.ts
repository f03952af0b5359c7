/**
 * Watch (development): the daemon (every instance) is restarted gracefully, or reloaded where it
 * can reload (./procedures), when a file under the `watch` paths changes. Changes are gathered
 * until none has come for `watchDebounce` ms, so that saving ten files is one restart. A change
 * from the moment a restart begins until its new worker is up belongs to that restart (what
 * changed before the new worker started is what it reads). A change in a worker's first
 * {@link START_SETTLE_MS} (with waitReady: until it is ready) is its own start-up write when
 * ./watch-start-writes says so (an app that writes into the watched folder at every start does not
 * loop); any other change then restarts the daemon once the worker has started, never sooner (no
 * storm). What is ignored: ./watch-ignore.
 *
 * Node's fs.watch: on macOS and Windows recursive (the system watches the tree); on Linux one
 * watcher per folder, added as folders appear, so that an ignored folder (node_modules) is never
 * walked or watched at all (Node's own recursive mode on Linux, from Node 20, walks all of them).
 */
import { type Dirent, type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { DaemonSettings } from '../settings/types.js';
import { readyWithin } from './health/health-settings.js';
import { type InstanceWorker, type Procedure, type ProcedureContext, type RestartTarget, workersText } from './restart-target.js';
import { type IgnoreRules, ignoreRules } from './watch-ignore.js';
import { StartWrites } from './watch-start-writes.js';

/** How long a new worker's own writes are taken as part of its start, ms. */
export const START_SETTLE_MS = 1000;

/** How often a change held while a worker starts checks whether it has started (with waitReady), ms. */
const HOLD_RECHECK_MS = 100;

/** The log line of a restart for changes. */
export function watchLine(root: string, changed: readonly string[], workers: string): string {
  const first = relative(root, changed[0] as string) || (changed[0] as string);
  const more = changed.length > 1 ? ` and ${changed.length - 1} more` : '';
  return `watch: ${first}${more} changed: restarting${workers}`;
}

/** Restarts `target`'s workers on changes under the watched paths. */
export function startWatchRestart(
  target: RestartTarget,
  settings: Pick<DaemonSettings, 'watch' | 'watchIgnore' | 'watchDebounce' | 'waitReady' | 'health' | 'healthStartPeriod'>,
  context: ProcedureContext,
): Procedure {
  const rules = ignoreRules(context.ignoredPaths, settings.watchIgnore);
  const began = Date.now();
  /** Changed paths, each with the watched path it is under. */
  const pending = new Map<string, string>();
  /** Changes made while workers started that are not theirs: they restart once the workers have started. */
  const held = new Map<string, string>();
  const startWrites = new StartWrites();
  let debounce: NodeJS.Timeout | undefined;
  let holding: NodeJS.Timeout | undefined;
  let restarting = false;
  let stopped = false;

  const fire = (): void => {
    debounce = undefined;
    if (stopped || pending.size === 0) return;
    const changed = [...pending.keys()];
    const root = pending.get(changed[0] as string) as string;
    pending.clear();
    restarting = true;
    const done = (): void => void (restarting = false);
    target.replaceAll('watch', watchLine(root, changed, workersText(target))).then(done, done);
  };
  // A worker starts for its first second, and with waitReady or a health check until it is ready.
  const isStarting = (w: InstanceWorker): boolean => Date.now() - w.startedAt < START_SETTLE_MS || (readyWithin(settings) > 0 && !w.ready);
  const queue = (root: string, path: string): void => {
    pending.set(path, root);
    clearTimeout(debounce);
    debounce = setTimeout(fire, settings.watchDebounce);
  };
  const release = (): void => {
    holding = undefined;
    if (stopped) return;
    const starting = target.workers().filter(isStarting);
    if (starting.length > 0) {
      const left = Math.max(...starting.map((w) => START_SETTLE_MS - (Date.now() - w.startedAt)));
      holding = setTimeout(release, Math.max(left, HOLD_RECHECK_MS));
      return;
    }
    // A restart begun meanwhile starts workers that read these changes already.
    if (!restarting) for (const [path, root] of held) queue(root, path);
    held.clear();
  };
  const changed = (root: string, path: string): void => {
    if (stopped || restarting || rules.ignores(root, path)) return;
    const starting = target.workers().filter(isStarting);
    if (starting.length === 0) {
      queue(root, path);
      return;
    }
    const first = starting.every((w) => w.startedAt - began < START_SETTLE_MS);
    if (startWrites.isOwn(starting.map((w) => w.tree.mark.entry).join(' '), path, first)) return;
    held.set(path, root);
    holding ??= setTimeout(release, HOLD_RECHECK_MS);
  };

  const watchers = settings.watch.map((p) => new TreeWatcher(resolve(context.cwd, p), rules, changed, (m) => target.note(m)));
  return {
    stop: () => {
      stopped = true;
      clearTimeout(debounce);
      clearTimeout(holding);
      for (const w of watchers) w.close();
    },
  };
}

/**
 * fs.watch over one watched path: a folder with what is in it (less what is ignored), or a file,
 * watched through its folder (an editor's atomic save replaces the file: a watch on the file itself
 * would end with the first save). A watched folder that is itself removed and made again is not
 * watched again (watch the folder above it); one under it is.
 */
class TreeWatcher {
  /** The folders watched. */
  private readonly folders = new Map<string, { watcher: FSWatcher }>();
  private readonly recursive = process.platform === 'darwin' || process.platform === 'win32';
  /** For a watched file: its name in the folder watched. */
  private readonly only: string | undefined;

  constructor(
    private readonly root: string,
    private readonly rules: IgnoreRules,
    private readonly onChange: (root: string, path: string) => void,
    private readonly note: (message: string) => void,
  ) {
    let folder: boolean;
    try {
      folder = statSync(root).isDirectory();
    } catch (err) {
      note(`watch: cannot watch ${root}: ${(err as Error).message}`);
      this.only = undefined;
      return;
    }
    this.only = folder ? undefined : basename(root);
    if (!folder) this.add(dirname(root), false);
    else if (this.recursive) this.add(root, true);
    else this.walk(root);
  }

  close(): void {
    for (const { watcher } of this.folders.values()) watcher.close();
    this.folders.clear();
  }

  /** Watches `folder` and every folder under it that is not ignored. */
  private walk(folder: string): void {
    if (this.folders.has(folder) || (folder !== this.root && this.rules.ignores(this.root, folder))) return;
    if (!this.add(folder, false)) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) this.walk(join(folder, e.name));
  }

  private add(path: string, recursive: boolean): boolean {
    let watcher: FSWatcher;
    try {
      watcher = watch(path, { recursive, persistent: false }, (_event, name) => this.event(path, name));
    } catch (err) {
      this.note(`watch: cannot watch ${path}: ${(err as Error).message}`);
      return false;
    }
    // The watch of a folder that went may report so after its successor is watched: only its own entry goes.
    watcher.on('error', () => {
      watcher.close();
      if (this.folders.get(path)?.watcher === watcher) this.folders.delete(path);
    });
    this.folders.set(path, { watcher });
    return true;
  }

  private forget(path: string): void {
    this.folders.get(path)?.watcher.close();
    this.folders.delete(path);
  }

  private event(watched: string, name: string | Buffer | null): void {
    if (this.only !== undefined && name?.toString() !== this.only) return;
    const path = name === null ? watched : join(watched, name.toString());
    if (this.rules.ignores(this.root, path)) return;
    if (!this.recursive && this.only === undefined && path !== watched) this.follow(path);
    this.onChange(this.root, path);
  }

  /**
   * A folder named by its parent's event: it appeared, went, or went and came again (possibly with
   * the same inode number: a number is not an identity). Whatever it was, what was watched there
   * is forgotten and what is there now is watched.
   */
  private follow(path: string): void {
    const under = `${path}${sep}`;
    for (const known of [...this.folders.keys()]) if (known === path || known.startsWith(under)) this.forget(known);
    let folder = false;
    try {
      folder = statSync(path).isDirectory();
    } catch {
      // Gone.
    }
    if (folder) this.walk(path);
  }
}

/**
 * What `monit` remembers between its looks: each instance's CPU and memory over the last minute
 * (its sparklines), and the CPU % it shows, taken from the worker tree's CPU time at two looks a
 * second apart rather than from the supervisor's sample, which is up to 10 s old: a live view
 * shows what happens now. Pure but for the state it keeps, which only its inputs change.
 */
import type { InstanceView } from '../../fleet/instance-view.js';

/** Samples kept per instance: one a second, a minute's worth. */
export const HISTORY_LENGTH = 60;

/** One look at an instance: CPU in % of one core and the tree's RSS in bytes (undefined: unknown). */
export interface Sample {
  cpu: number | undefined;
  rss: number | undefined;
}

/** An instance as the view shows it: the view, its CPU % now, and its history (oldest first). */
export interface MonitRow extends InstanceView {
  /** `name#instance`: what the selection follows. */
  key: string;
  cpu: number | undefined;
  rss: number | undefined;
  history: readonly Sample[];
}

interface Track {
  workerPid: number | undefined;
  /** The tree's CPU time (s) and when it was read (ms), at the last look. */
  cpuTime: number | undefined;
  at: number;
  cpu: number | undefined;
  history: Sample[];
}

/** The key of an instance. */
export function rowKey(view: Pick<InstanceView, 'name' | 'instance'>): string {
  return `${view.name}#${view.instance}`;
}

/** The instances' histories, by key. */
export class History {
  private readonly tracks = new Map<string, Track>();

  /**
   * The rows of `views` read at `now` (ms). With `sample` (the once-a-second look) each row's
   * history gets this look; a look between them (after an event) only updates what is shown now.
   * Instances no longer there are forgotten.
   */
  update(views: readonly InstanceView[], now: number, sample: boolean): MonitRow[] {
    const seen = new Set<string>();
    const rows = views.map((view): MonitRow => {
      const key = rowKey(view);
      seen.add(key);
      const track = this.tracks.get(key) ?? { workerPid: undefined, cpuTime: undefined, at: now, cpu: undefined, history: [] };
      this.tracks.set(key, track);
      const cpuTime = view.usage?.cpuTime;
      const sameWorker = track.workerPid !== undefined && track.workerPid === view.workerPid;
      const elapsed = (now - track.at) / 1000;
      if (!sameWorker || cpuTime === undefined || track.cpuTime === undefined || cpuTime < track.cpuTime) {
        // A new worker, the first look, or a tree that lost time (a member no one waited for):
        // the supervisor's figure until the next look, which measures from here.
        track.cpu = view.usage?.cpu;
        track.cpuTime = cpuTime;
        track.at = now;
      } else if (elapsed >= 0.5) {
        track.cpu = Math.round(((cpuTime - track.cpuTime) / elapsed) * 1000) / 10;
        track.cpuTime = cpuTime;
        track.at = now;
      }
      track.workerPid = view.workerPid;
      const running = view.workerPid !== undefined;
      const cpu = running ? track.cpu : undefined;
      const rss = running ? view.usage?.rss : undefined;
      if (sample) {
        track.history.push({ cpu, rss });
        if (track.history.length > HISTORY_LENGTH) track.history.splice(0, track.history.length - HISTORY_LENGTH);
      }
      return { ...view, key, cpu, rss, history: [...track.history] };
    });
    for (const key of this.tracks.keys()) if (!seen.has(key)) this.tracks.delete(key);
    return rows;
  }
}

/**
 * The order of a fleet's starts and stops (`dependsOn`): an app starts once every app it depends
 * on is up (running, and ready when it has a readiness condition: `waitReady` or a health check),
 * and a fleet stops its dependants first. Pure: the apps are grouped into waves (each wave's apps
 * depend only on earlier waves, and start side by side); a cycle, or a dependency that is neither
 * an app of the set nor among `outside`, is refused before anything starts, naming the apps.
 */
import { EUSAGE, XDaemonError } from '../errors.js';

/** An app as the order sees it. */
export interface Dependent {
  name: string;
  /** The apps it starts after (none: it starts in the first wave). */
  dependsOn: readonly string[];
}

/** An order that cannot be: a cycle, or a dependency that is not there (`code: EUSAGE`, `app` the first one named). */
export class StartOrderError extends XDaemonError {
  constructor(
    message: string,
    /** The app whose dependsOn is wrong. */
    readonly app: string,
    reason: string,
  ) {
    super(message, { code: EUSAGE, option: 'dependsOn', reason });
  }
}

/**
 * The apps of `apps` in waves: wave 0 depends on none of them, wave n only on waves before it.
 * A dependency outside `apps` must be named by `outside` (a daemon that runs already).
 *
 * @throws StartOrderError for a dependency that is neither an app nor outside, or a cycle (its apps in order).
 */
export function startWaves<A extends Dependent>(apps: readonly A[], outside: (name: string) => boolean = () => false): A[][] {
  const byName = new Map(apps.map((a) => [a.name, a]));
  for (const app of apps) {
    for (const dep of app.dependsOn) {
      if (dep === app.name) throw new StartOrderError(`app ${app.name}: dependsOn names the app itself`, app.name, 'names the app itself');
      if (!byName.has(dep) && !outside(dep)) {
        const reason = `${dep} is not an app of the file, nor a daemon that runs`;
        throw new StartOrderError(`app ${app.name}: dependsOn ${reason}`, app.name, reason);
      }
    }
  }
  const cycle = findCycle(apps, byName);
  if (cycle !== undefined) {
    const reason = `a cycle: ${[...cycle, cycle[0]].join(' -> ')}`;
    throw new StartOrderError(`app ${cycle[0] as string}: dependsOn makes ${reason}`, cycle[0] as string, reason);
  }
  const wave = new Map<string, number>();
  const waveOf = (app: A): number => {
    const known = wave.get(app.name);
    if (known !== undefined) return known;
    const inFile = app.dependsOn.map((d) => byName.get(d)).filter((d): d is A => d !== undefined);
    const n = inFile.length === 0 ? 0 : 1 + Math.max(...inFile.map(waveOf));
    wave.set(app.name, n);
    return n;
  };
  const waves: A[][] = [];
  for (const app of apps) (waves[waveOf(app)] ??= []).push(app);
  return waves.filter((w) => w !== undefined);
}

/** The first cycle among `apps`' dependencies, as the apps in order, or undefined. */
function findCycle<A extends Dependent>(apps: readonly A[], byName: ReadonlyMap<string, A>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (app: A): string[] | undefined => {
    const at = path.indexOf(app.name);
    if (at >= 0) return path.slice(at);
    if (done.has(app.name)) return undefined;
    path.push(app.name);
    for (const dep of app.dependsOn) {
      const next = byName.get(dep);
      const found = next === undefined ? undefined : visit(next);
      if (found !== undefined) return found;
    }
    path.pop();
    done.add(app.name);
    return undefined;
  };
  for (const app of apps) {
    const found = visit(app);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The apps that depend on `failed`, directly or not (they are not started when it is not up). */
export function dependantsOf<A extends Dependent>(apps: readonly A[], failed: string): A[] {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const app of apps) {
      if (out.has(app.name)) continue;
      if (app.dependsOn.some((d) => d === failed || out.has(d))) {
        out.add(app.name);
        grew = true;
      }
    }
  }
  return apps.filter((a) => out.has(a.name));
}

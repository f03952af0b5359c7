/**
 * The decisions of the foreground profile (`xdaemon run FILE`, ./fleet-run), apart from the code
 * that runs processes: whether an app is ready (its readiness probe), what `/livez` and `/readyz`
 * answer, and when run stops everything and with which exit code. Pure.
 */
import type { SupervisorStatus } from '../supervisor/supervisor-api.js';

/** An app as the probes see it. */
export interface AppView {
  name: string;
  /** Its loop's status; undefined once its supervision has ended (or before it began). */
  status: SupervisorStatus | undefined;
  /** Whether its workers must be ready by their word or their first passing health check (`waitReady`, `health`). */
  needsReady: boolean;
  /** How its supervision ended, once it has: 0 after a stop (or maxCount), else it gave up. */
  endCode: number | undefined;
}

/** Why an app is not ready, or undefined when it is. */
export function notReadyBecause(app: AppView): string | undefined {
  if (app.endCode !== undefined) return app.endCode === 0 ? 'ended' : 'gave up';
  const { status } = app;
  if (status === undefined) return 'not started';
  if (status.state === 'idle') return 'not started';
  if (status.state === 'stopping' || status.state === 'ended') return 'stopping';
  for (const instance of status.instances) {
    const which = status.instances.length > 1 ? `instance ${instance.instance} ` : '';
    if (instance.workerPid === undefined || instance.restarting) return `${which}restarting`;
    if (app.needsReady && !instance.ready) return `${which}not ready yet`;
    // A worker that was ready and fails its checks: it is being replaced.
    if (instance.health?.state === 'unhealthy') return `${which}unhealthy${instance.health.lastFailure === undefined ? '' : `: ${instance.health.lastFailure.answer}`}`;
  }
  return undefined;
}

/** A probe's answer: an HTTP status and a JSON body. */
export interface ProbeAnswer {
  status: 200 | 503;
  body: Record<string, unknown>;
}

/**
 * `/livez`: 200 while run runs and no app has given up (with `keepRunning`, an app that gave up
 * is what the user chose to live with: it shows in `/readyz` only).
 */
export function livez(apps: readonly AppView[], keepRunning: boolean): ProbeAnswer {
  const gaveUp = keepRunning ? [] : apps.filter((a) => a.endCode !== undefined && a.endCode !== 0).map((a) => a.name);
  return gaveUp.length === 0 ? { status: 200, body: { live: true } } : { status: 503, body: { live: false, gaveUp } };
}

/** `/readyz`: 200 when every app is ready; else 503 naming each one that is not, and why. */
export function readyz(apps: readonly AppView[], stopping: boolean): ProbeAnswer {
  const notReady = apps.flatMap((app) => {
    const why = stopping ? 'stopping' : notReadyBecause(app);
    return why === undefined ? [] : [{ app: app.name, why }];
  });
  return notReady.length === 0 ? { status: 200, body: { ready: true } } : { status: 503, body: { ready: false, notReady } };
}

/** What run does when an app's supervision ends. */
export type OnAppEnd = 'carry-on' | 'stop-all';

/**
 * The end of a foreground run, as its apps end: an app that gives up stops them all (run exits
 * non-zero, so that the orchestrator restarts the container), unless `keepRunning`; an app that
 * ends with code 0 (maxCount reached) leaves the others running. Run exits once every app has
 * ended: 0 after a stop asked for by a signal, non-zero when an app gave up before it.
 */
export class FleetEnd {
  private stopAsked = false;
  private gaveUp: string[] = [];

  constructor(private readonly keepRunning: boolean) {}

  /** A signal asked for the stop: from now on an app's end changes nothing. */
  stop(): void {
    this.stopAsked = true;
  }

  /** App `name` ended with `code`: whether the others are stopped now. */
  ended(name: string, code: number): OnAppEnd {
    if (this.stopAsked || code === 0) return 'carry-on';
    this.gaveUp.push(name);
    if (this.keepRunning) return 'carry-on';
    this.stopAsked = true;
    return 'stop-all';
  }

  /** The apps that gave up before a stop was asked for. */
  get failed(): readonly string[] {
    return this.gaveUp;
  }

  /** Run's exit code once every app has ended. */
  get exitCode(): number {
    return this.gaveUp.length === 0 ? 0 : 1;
  }
}

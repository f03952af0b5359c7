/**
 * What `xdaemon run FILE` hands the foreground profile (./fleet-run): the apps of a fleet file,
 * each as a supervisor would be configured for it (with no pid file: nothing of a foreground run
 * is written in a state directory), the order they start and stop in, and the options of run
 * itself. Made by src/fleet/run-file.ts; types only.
 */
import type { LogFormat } from '../log/line-format.js';
import type { SupervisorConfig } from './config.js';

/** One app. */
export interface ForegroundApp {
  name: string;
  /** Its supervisor's configuration (`settings.pidFile` is ''; `logFile` '' when its lines go to run's streams). */
  config: SupervisorConfig;
  /** The worker's arguments. */
  args: string[];
  /** The environment its workers' is made from: run's own plus the app's additions. */
  env: NodeJS.ProcessEnv;
  /** The apps it starts after: one that is not up when its turn comes keeps it from starting. */
  dependsOn: string[];
}

/** The address of the probe endpoint. */
export interface ProbeAddress {
  /** '' for every address. */
  host: string;
  port: number;
}

/** A foreground run. */
export interface ForegroundPlan {
  apps: ForegroundApp[];
  /**
   * The apps by name in start waves: each wave starts side by side once every app of the waves
   * before it is up (running, and ready where it has a readiness condition).
   */
  startWaves: string[][];
  /** The apps by name in stop waves: each wave is stopped once the waves before it are gone (dependants first). */
  stopWaves: string[][];
  /** How the apps' lines are written on run's stdout and stderr. */
  logFormat: LogFormat;
  /** An app that gives up leaves the others running (run exits once all have ended), instead of stopping them all. */
  keepRunning: boolean;
  /** How long a stop (SIGTERM, SIGINT, or an app that gave up) may take in all, ms; what runs after it gets SIGKILL. */
  killTimeout: number;
  /** Where `/livez` and `/readyz` are served, if anywhere. */
  probe: ProbeAddress | undefined;
}

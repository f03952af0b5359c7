/**
 * The foreground profile of the host (`xdaemon run FILE`): every app of a fleet file supervised in
 * this very process — a container's entrypoint, as `pm2-runtime` is pm2's — with no host joined,
 * nothing detached and nothing written in a state directory. It is a {@link Host} whose apps are
 * known by name and whose output is run's own stdout and stderr, each line labelled with its app
 * (and instance), or JSON lines (../log/console-log); an app with a log file of its own keeps it.
 *
 * Around it, what a container's process must do: SIGTERM and SIGINT stop every app gracefully,
 * in the plan's stop waves (dependants first), within the plan's kill timeout (what runs then
 * gets SIGKILL), and run exits 0; an app that gives up stops the others and run exits 1, so that
 * the orchestrator restarts the container (or, with `keepRunning`, the others go on); SIGHUP
 * reopens the apps' log files and SIGUSR2 restarts their workers (./signal-actions' table);
 * `/livez` and `/readyz` are served for probes (./probe-server). The decisions are ./fleet-state's.
 * As PID 1 it warns once, as `xdaemon run -- cmd` does.
 */
import type { Server } from 'node:http';
import { messageOf } from '../errors.js';
import { ConsoleLines } from '../log/console-lines.js';
import { consoleLogSink } from '../log/console-log.js';
import { labelWidth } from '../log/line-format.js';
import { HAS_PROC } from '../process/proc.js';
import { identify, signalTree } from '../process/stop-tree.js';
import { GroupGuard } from '../supervisor/group-guard.js';
import { onEveryEvent } from '../supervisor/supervisor-api.js';
import { readyWithin } from '../supervisor/health/health-settings.js';
import { newTreePrefix } from '../supervisor/tree-token.js';
import type { ForegroundApp, ForegroundPlan } from './fleet-plan.js';
import { type AppView, FleetEnd, livez, notReadyBecause, readyz } from './fleet-state.js';
import { Host } from './host.js';
import { PID1_WARNING } from './log-lines.js';
import { serveProbes } from './probe-server.js';
import { SIGNAL_ACTIONS } from './signal-actions.js';
import type { Supervision } from './supervision.js';

/** What run needs besides the plan. */
export interface FleetRunOptions {
  /** Absolute path of signal-exit's CommonJS entry (null: resolve by name). */
  signalExit: string | null;
  /** What run is called in `ps` (the file). */
  title: string;
}

/**
 * Runs `plan` in this process, which belongs to it from now on: it exits once every app has ended
 * (see the module comment for the code). Resolves once the apps' starts are under way.
 */
export async function runFleet(plan: ForegroundPlan, options: FleetRunOptions): Promise<void> {
  await new FleetRun(plan, options).begin();
}

/** One foreground run (see the module comment). */
class FleetRun {
  private readonly console: ConsoleLines;
  private readonly guard: GroupGuard;
  private readonly host: Host;
  private readonly end: FleetEnd;
  private readonly byName: Map<string, ForegroundApp>;
  /** How each app's supervision ended (or that it never began: 1). */
  private readonly endCodes = new Map<string, number>();
  private probes: Server | undefined;
  private stopping = false;
  private exiting = false;

  constructor(
    private readonly plan: ForegroundPlan,
    private readonly options: FleetRunOptions,
  ) {
    const settingsOf = (app: string): ForegroundApp['config']['settings'] | undefined => this.byName.get(app)?.config.settings;
    this.byName = new Map(plan.apps.map((app) => [app.name, app]));
    this.console = new ConsoleLines({
      format: plan.logFormat,
      instanced: (app) => (settingsOf(app)?.instances ?? 1) > 1,
      timestamps: (app) => settingsOf(app)?.timestamps === true,
      width: labelWidth(plan.apps.map((a) => ({ name: a.name, instances: a.config.settings.instances }))),
    });
    this.end = new FleetEnd(plan.keepRunning);
    const treePrefix = newTreePrefix();
    const self = HAS_PROC ? identify(process.pid) : undefined;
    // One watcher for the groups of every app's workers: a SIGKILL of run leaves none of them.
    this.guard = new GroupGuard(self === undefined ? undefined : { prefix: treePrefix, since: self.starttime });
    this.host = new Host({
      ref: { pid: process.pid, pidFile: '' },
      treePrefix,
      guard: this.guard,
      line: (text) => this.line(text),
      // Run's end is decided by its apps' ends (every app of the plan), not by an empty host.
      onEmpty: () => undefined,
      onEnded: (name, code) => this.ended(name, code),
    });
  }

  /** Takes the signals, serves the probes, starts the apps wave by wave. */
  async begin(): Promise<void> {
    process.title = `xdaemon run: ${this.options.title}`;
    this.installSignals();
    this.installFaultHandlers();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(this.options.signalExit ?? 'signal-exit') as typeof import('signal-exit')).onExit((code, signal) => {
      if (!this.exiting) this.host.lastWords(code, signal);
    });
    if (process.pid === 1) this.line(PID1_WARNING);
    const { probe } = this.plan;
    if (probe !== undefined) {
      try {
        this.probes = await serveProbes(probe, { livez: () => livez(this.views(), this.plan.keepRunning), readyz: () => readyz(this.views(), this.stopping) });
      } catch (err) {
        this.line(`cannot serve the probes on ${probe.host === '' ? '*' : probe.host}:${probe.port}: ${messageOf(err)}; exiting`);
        this.end.ended('probes', 1);
        return this.exit();
      }
      this.line(`probes: http://${probe.host === '' ? '*' : probe.host.includes(':') ? `[${probe.host}]` : probe.host}:${probe.port}/livez and /readyz`);
    }
    void this.startWaves();
  }

  /** Each wave once the waves before it are up; an app whose dependency is not up is not started. */
  private async startWaves(): Promise<void> {
    for (const [i, wave] of this.plan.startWaves.entries()) {
      await Promise.all(wave.map((name) => this.startApp(name)));
      if (i < this.plan.startWaves.length - 1) await Promise.all(wave.map((name) => this.whenUp(name)));
    }
  }

  private async startApp(name: string): Promise<void> {
    const app = this.byName.get(name) as ForegroundApp;
    if (this.stopping) {
      // A stop came first: it never starts, and that is no failure.
      this.endCodes.set(name, 0);
      this.checkAllEnded();
      return;
    }
    const down = app.dependsOn.filter((dep) => this.endCodes.has(dep) || this.host.supervision(dep) === undefined);
    if (down.length > 0) {
      this.line(`${name} not started: its dependency ${down.join(', ')} is not up`);
      this.ended(name, 1);
      return;
    }
    let outcome: Awaited<ReturnType<Host['run']>>;
    try {
      outcome = await this.host.run(name, { config: app.config, args: app.args, env: app.env }, (options) => consoleLogSink(name, options, this.console));
    } catch (err) {
      outcome = { kind: 'failed', message: messageOf(err) };
    }
    if (outcome.kind === 'failed' || outcome.kind === 'refused') {
      const why = outcome.kind === 'failed' ? outcome.message : 'it runs already';
      this.line(`${name} did not start: ${why}`);
      // A supervision that never began has no end of its own to report.
      if (this.host.supervision(name) === undefined && !this.endCodes.has(name)) this.ended(name, 1);
    }
  }

  /** Resolves once app `name` is up (true), or has ended (false). */
  private whenUp(name: string): Promise<boolean> {
    const supervision = this.host.supervision(name);
    if (supervision === undefined) return Promise.resolve(false);
    return new Promise((resolve) => {
      let done = false;
      const check = (): void => {
        if (done) return;
        if (notReadyBecause(this.view(name)) === undefined) {
          done = true;
          resolve(true);
        }
      };
      onEveryEvent(supervision.supervisor, () => setImmediate(check));
      void supervision.finished.then(() => {
        done = true;
        resolve(false);
      });
      check();
    });
  }

  /** An app's supervision ended: the decision of ./fleet-state is carried out. */
  private ended(name: string, code: number): void {
    this.endCodes.set(name, code);
    if (this.end.ended(name, code) === 'stop-all') {
      void this.stopAll(`${name} gave up`);
    } else if (code !== 0 && !this.stopping) {
      this.line(`${name} gave up; the other apps keep running (keepRunning)`);
    }
    this.checkAllEnded();
  }

  /** Every app of the plan has ended (or was never started): run is over. */
  private checkAllEnded(): void {
    if (this.plan.apps.every((app) => this.endCodes.has(app.name))) void this.exit();
  }

  /**
   * Stops every app, wave after wave of the plan's stop order, each app gracefully (its own
   * killTimeout between SIGTERM and SIGKILL); whatever still runs when the plan's kill timeout has
   * passed gets SIGKILL.
   */
  private async stopAll(why: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.line(`stopping every app (${why}), within ${this.plan.killTimeout} ms`);
    const deadline = setTimeout(() => this.killAll(), this.plan.killTimeout);
    deadline.unref();
    for (const wave of this.plan.stopWaves) {
      await Promise.all(wave.map((name) => this.stopApp(name)));
    }
    clearTimeout(deadline);
  }

  private stopApp(name: string): Promise<unknown> {
    const supervision = this.host.supervision(name);
    if (supervision === undefined) return Promise.resolve();
    void supervision.supervisor.stop('SIGTERM');
    return supervision.finished;
  }

  /** The kill timeout has passed: every app still running is stopped, and its workers' trees get SIGKILL. */
  private killAll(): void {
    const left = this.host.supervisions;
    this.line(`the kill timeout (${this.plan.killTimeout} ms) has passed: SIGKILL to what is left of ${left.length} app(s)`);
    for (const supervision of left) {
      void supervision.supervisor.stop('SIGTERM');
      const group = supervision.supervisor.settings.killMode === 'group';
      for (const tree of supervision.supervisor.workerTrees) signalTree(tree.id, 'SIGKILL', group ? tree.mark : undefined);
    }
  }

  /** Ends run with the decided code, once (the probes closed, the group watcher gone, the lines written). */
  private async exit(): Promise<void> {
    if (this.exiting) return;
    this.exiting = true;
    const code = this.end.exitCode;
    const failed = this.end.failed;
    this.line(`exiting with code ${code}${failed.length === 0 ? '' : `: ${failed.join(', ')} gave up`}`);
    this.probes?.close();
    await this.guard.close();
    this.console.flush();
    process.exit(code);
  }

  /** The apps as the probes see them. */
  private views(): AppView[] {
    return this.plan.apps.map((app) => this.view(app.name));
  }

  private view(name: string): AppView {
    const supervision: Supervision | undefined = this.host.supervision(name);
    const settings = this.byName.get(name)?.config.settings;
    return { name, status: supervision?.supervisor.status(), needsReady: settings !== undefined && readyWithin(settings) > 0, endCode: this.endCodes.get(name) };
  }

  /** One of run's own lines, on its stderr. */
  private line(text: string): void {
    this.console.write([{ app: null, instance: null, stream: 'xdaemon', line: `xdaemon[${process.pid}] ${text}`, time: Date.now() }]);
  }

  /** The signal table: a stop is run's ordered stop; the others act on every app, as on a daemon's own supervisor. */
  private installSignals(): void {
    for (const [signal, operation] of Object.entries(SIGNAL_ACTIONS) as [NodeJS.Signals, (typeof SIGNAL_ACTIONS)[keyof typeof SIGNAL_ACTIONS]][]) {
      process.on(signal, () => {
        if (operation === 'stop') {
          this.end.stop();
          void this.stopAll(signal);
          return;
        }
        for (const supervision of this.host.supervisions) {
          Promise.resolve()
            .then(() => supervision.handlers[operation]({}, { kind: 'signal', signal }))
            .catch(() => undefined);
        }
      });
    }
  }

  /** An exception in an app's supervision stops that app (./host); one of run's own ends run, its apps' last words said. */
  private installFaultHandlers(): void {
    const fatal = (err: unknown): void => {
      if (this.host.fault(err)) return;
      process.stderr.write(`xdaemon run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    };
    process.on('uncaughtException', fatal);
    process.on('unhandledRejection', fatal);
  }
}

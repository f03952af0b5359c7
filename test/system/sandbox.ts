/**
 * A real systemd user manager for each system test (./systemd-user-sandbox, a copy of the shared
 * tool): started in a fresh directory, driven from inside (`systemctl --user`, the built `xdaemon`
 * command as a user types it), and stopped once the test ends, pass or fail, with a check that
 * none of its cgroups is left. The suite runs only where the machine can host it: root and the
 * systemd package (./run.mjs skips the whole suite with one line where it cannot; under CI=true
 * nothing is skipped).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { CLI } from '../support/cli';
import { ROOT, tempDir } from '../support/fixtures';
import { type Exit, type Proc, runToEnd, sleep, start } from '../support/harness';

/** The sandbox script (the repository's copy). */
export const SANDBOX_SCRIPT = join(__dirname, 'systemd-user-sandbox');
/** The fixtures of the system tests. */
export const SYSTEM_FIXTURES = join(__dirname, 'fixtures');
export const NODE = process.execPath;

/** Why this machine cannot host the sandbox (false: it can). Under CI=true never: a missing piece fails there. */
const SKIP: string | false =
  process.env.CI === 'true'
    ? false
    : process.getuid?.() !== 0
      ? 'the systemd sandbox needs root'
      : !existsSync('/lib/systemd/systemd') && !existsSync('/usr/lib/systemd/systemd')
        ? 'the systemd sandbox needs the systemd package'
        : false;

/** A test of the system suite: skipped (with the reason) where the machine cannot host a sandbox. */
export function systemTest(name: string, fn: (t: TestContext) => Promise<void>, timeout = 120_000): void {
  test(name, { skip: SKIP, timeout }, fn);
}

/** One running user manager and the ways into it. */
export interface Sandbox {
  /** The sandbox's directory (DIR of the script). */
  dir: string;
  /** HOME inside. */
  home: string;
  /** Where `--user` units are installed. */
  unitDir: string;
  /** xdaemon's state directory inside (HOME's default). */
  stateDir: string;
  /** Runs `file args` inside (HOME, XDG_RUNTIME_DIR of the sandbox) to its end. */
  run(file: string, args: readonly string[], options?: InsideOptions): Promise<Exit>;
  /** Starts `file args` inside and returns it running. */
  spawn(file: string, args: readonly string[], options?: InsideOptions): Proc;
  /** `xdaemon args…` inside, to its end. */
  xd(args: readonly string[], options?: InsideOptions): Promise<Exit>;
  /** `systemctl --user args…` inside, to its end. */
  systemctl(...args: string[]): Promise<Exit>;
  /** `systemctl --user show` of `unit`: its properties. */
  show(unit: string, properties?: string): Promise<Record<string, string>>;
  /** The manager's own log (for failure messages). */
  managerLog(): string;
  /**
   * A reboot, as a user session sees it: the daemons `xdaemon start` started inside stopped, the
   * manager stopped (its units stop), a fresh one started on the same directory.
   */
  reboot(): Promise<void>;
}

/** How a command runs inside. */
export interface InsideOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeout?: number;
}

/** What of this process's environment must not reach inside (it would point outside the sandbox). */
const OUTSIDE = ['XDAEMON_HOME', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'XDG_DATA_HOME', 'XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS', 'NOTIFY_SOCKET', 'LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES'];
const insideEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...Object.fromEntries(OUTSIDE.map((k) => [k, undefined])), ...extra });

async function script(args: readonly string[], timeout = 30_000): Promise<Exit> {
  return runToEnd(SANDBOX_SCRIPT, args, { env: insideEnv(), timeout });
}

/** The cgroup directories of a started sandbox (the script records them). */
function cgroupsOf(dir: string): string[] {
  try {
    return readFileSync(join(dir, 'cgroups'), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Starts a user manager in a fresh directory; once the test ends (pass or fail) it is stopped, and
 * the test fails if one of its cgroups is left.
 */
export async function openSandbox(t: TestContext): Promise<Sandbox> {
  const dir = join(tempDir(), 'sandbox');
  const cgroups = new Set<string>();
  const up = async (): Promise<void> => {
    const started = await script(['start', dir]);
    assert.equal(started.code, 0, `systemd-user-sandbox start: exit ${started.code}: ${started.stderr}`);
    for (const c of cgroupsOf(dir)) cgroups.add(c);
  };
  const down = async (): Promise<void> => {
    const stopped = await script(['stop', dir]);
    assert.equal(stopped.code, 0, `systemd-user-sandbox stop: exit ${stopped.code}: ${stopped.stderr}`);
  };
  t.after(async () => {
    // Daemons a test started with `xdaemon start` inside are not the manager's: stopped first.
    await sb.xd(['stop', '--all', '--timeout', '10000']).catch(() => undefined);
    await down();
    const left = [...cgroups].filter((c) => existsSync(c));
    assert.deepEqual(left, [], 'the sandbox left cgroups behind');
  });
  await up();
  const home = join(dir, 'home');
  const inside = (file: string, args: readonly string[]): string[] => ['run', dir, '--', file, ...args];
  const sb: Sandbox = {
    dir,
    home,
    unitDir: join(home, '.config', 'systemd', 'user'),
    stateDir: join(home, '.local', 'state', 'xdaemon'),
    run: (file, args, options = {}) => runToEnd(SANDBOX_SCRIPT, inside(file, args), { env: insideEnv(options.env), cwd: options.cwd ?? ROOT, timeout: options.timeout ?? 60_000 }),
    spawn: (file, args, options = {}) => start(SANDBOX_SCRIPT, inside(file, args), { env: insideEnv(options.env), cwd: options.cwd ?? ROOT }),
    xd: (args, options) => sb.run(NODE, [CLI, ...args], options),
    systemctl: (...args) => sb.run('systemctl', ['--user', ...args]),
    async show(unit, properties = 'ActiveState,SubState,Result,MainPID,NRestarts,LoadState') {
      const exit = await sb.systemctl('show', '-p', properties, unit);
      assert.equal(exit.code, 0, `systemctl show ${unit}: ${exit.stderr}`);
      return Object.fromEntries(exit.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    },
    managerLog: () => {
      try {
        return readFileSync(join(dir, 'manager.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async reboot() {
      // Every process of the session ends: the daemons of `xdaemon start` too (which are not the manager's).
      await sb.xd(['stop', '--all', '--timeout', '10000']);
      await down();
      await up();
    },
  };
  return sb;
}

/** Polls `probe` (async) until it returns a value, or throws after `timeout` ms naming `what`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeout = 20_000, interval = 50): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last === undefined ? '' : ` (last error: ${String(last)})`}`);
    await sleep(interval);
  }
}

/** Waits until `unit`'s properties satisfy `ok`; returns them. */
export function unitState(sb: Sandbox, unit: string, ok: (p: Record<string, string>) => boolean, timeout = 20_000): Promise<Record<string, string>> {
  let seen: Record<string, string> = {};
  return until(
    `${unit} to be as expected (last: ${JSON.stringify(seen)})`,
    async () => {
      seen = await sb.show(unit);
      return ok(seen) ? seen : undefined;
    },
    timeout,
  );
}

/** What a GET answered: status and body; `error` when it failed (refused, reset, timed out). */
export type Answer = { status: number; body: string } | { error: string };

/** A GET of `path` on 127.0.0.1:`port`, given up after `timeout` ms. */
export function get(port: number, path = '/', timeout = 3000): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end();
  });
}

/** The body of a successful GET, or undefined (for `until`). */
export async function body(port: number, path = '/'): Promise<string | undefined> {
  const a = await get(port, path);
  return 'body' in a && a.status === 200 ? a.body : undefined;
}

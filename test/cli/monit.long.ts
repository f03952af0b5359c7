/**
 * `xdaemon monit` as a person uses it, in a real terminal: tmux (Debian's package; CI installs it,
 * where a missing tmux fails) runs a shell in an 80 × 24 window, the test types
 * `xdaemon monit` there and reads the screen with capture-pane. Two daemons show as rows; a killed
 * worker's row goes through restarting to running with restarts + 1; `r` restarts the selected
 * daemon; the log pane follows the selection; the view fits a resized window; `s` asks before a
 * stop, `/` filters; `q` gives the shell its screen back as it was (no alternate screen, the
 * cursor shown). Colours go with NO_COLOR; a stdout that is no terminal gets the plain table.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import { CLI, type Home, WORKER, newHome, startDaemon, workerRunning, xdStart } from '../support/cli';
import { cleanup } from '../support/fixtures';
import { signal, taggedEnv, waitFor } from '../support/harness';

after(cleanup);

const HAS_TMUX = spawnSync('tmux', ['-V']).error === undefined;

/** Whether the test can run: tmux is there; in CI its absence is a failure, never a skip. */
function needTmux(t: TestContext): boolean {
  if (HAS_TMUX) return true;
  assert.notEqual(process.env.CI, 'true', 'tmux (Debian: tmux) must be installed in CI');
  t.skip('tmux is not installed (Debian: apt-get install tmux)');
  return false;
}

/** A tmux server of the test's own (its own socket), with one window running a shell in `home`'s environment. */
function tmuxWindow(t: TestContext, home: Home, env: NodeJS.ProcessEnv = {}): { keys: (...keys: string[]) => void; screen: () => string; screenWithAttributes: () => string; format: (f: string) => string; resize: (x: number, y: number) => void } {
  const socket = `xd-${randomUUID().slice(0, 8)}`;
  const tmux = (...args: string[]): string => {
    const r = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: taggedEnv({ ...home.env, LANG: 'C.UTF-8', ...env }) });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'w', '-x', '80', '-y', '24', 'sh');
  t.after(() => void spawnSync('tmux', ['-L', socket, 'kill-server']));
  return {
    keys: (...keys) => void tmux('send-keys', '-t', 'w', ...keys),
    screen: () => tmux('capture-pane', '-p', '-t', 'w'),
    screenWithAttributes: () => tmux('capture-pane', '-p', '-e', '-t', 'w'),
    format: (f) => tmux('display-message', '-p', '-t', 'w', f).trim(),
    resize: (x, y) => void tmux('resize-window', '-t', 'w', '-x', String(x), '-y', String(y)),
  };
}

/** A daemon's row as the screen shows it. */
interface Row {
  selected: boolean;
  instance: string;
  state: string;
  pid: number | undefined;
  restarts: number;
}

/** The row of `name` on `screen`, if it is there. */
function rowOf(screen: string, name: string): Row | undefined {
  const m = new RegExp(`^([> ]) ${name} +(\\d+|-) +(\\S+) +(\\d+|-) +(\\d+[smhd](?: \\d+[smh])?|-) +(\\d+) `, 'm').exec(screen);
  if (m === null) return undefined;
  return { selected: m[1] === '>', instance: m[2] as string, state: m[3] as string, pid: m[4] === '-' ? undefined : Number(m[4]), restarts: Number(m[6]) };
}

/** Whether `screen` holds a whole frame of monit (its title on the first line, the keys or a question on the last): not one being drawn. */
function whole(screen: string): boolean {
  const lines = screen.replace(/\n$/, '').split('\n');
  return /^ xdaemon monit:/.test(lines[0] ?? '') && /^ (j\/k select|stop \S+\?|filter:)/.test(lines.at(-1) ?? '');
}

/**
 * Polls the screen until `probe` finds what it looks for in a whole frame (`anyScreen`: in any);
 * the screen is in the message when it does not.
 */
async function onScreen<T>(screen: () => string, what: string, probe: (text: string) => T | undefined | false, timeout = 15_000, anyScreen = false): Promise<T> {
  let last = '';
  try {
    return await waitFor(what, () => ((last = screen()), anyScreen || whole(last)) && probe(last), timeout, 50);
  } catch (err) {
    throw new Error(`${(err as Error).message}; the screen:\n${last}`);
  }
}

test('in tmux: rows of two daemons, a killed worker through restarting, r restarts, the log follows, resize, s asks, / filters, q restores', async (t) => {
  if (!needTmux(t)) return;
  const home = newHome(t);
  // A restart delay keeps the row in `restarting` long enough to be seen.
  await startDaemon(home, ['--name', 'alpha', '--restart-delay', '1500', '--', process.execPath, WORKER]);
  await startDaemon(home, ['--name', 'beta', '--env', 'W_TICK=200', '--', process.execPath, WORKER]);
  const alpha = await workerRunning(home, 'alpha');
  await workerRunning(home, 'beta');
  const w = tmuxWindow(t, home);
  w.keys(`echo BEFORE-MONIT; ${process.execPath} ${CLI} monit`, 'Enter');

  let screen = await onScreen(w.screen, 'both rows', (s) => rowOf(s, 'alpha') !== undefined && rowOf(s, 'beta') !== undefined && s);
  assert.equal(w.format('#{alternate_on}'), '1', 'the alternate screen');
  assert.match(screen, /^ xdaemon monit: 2 daemons, 2 worker\(s\) running +\d\d:\d\d:\d\d ?$/m);
  assert.match(screen, /^ {2}NAME +# STATE +PID +UPTIME RESTARTS +CPU +MEM CPU 1m +MEM 1m/m);
  assert.deepEqual(rowOf(screen, 'alpha'), { selected: true, instance: '0', state: 'running', pid: alpha.workerPid, restarts: 0 });
  assert.match(screen, /^── alpha log ─+$/m);
  assert.match(screen, /^ j\/k select  r restart  R reload  s stop  l log  \/ filter  q quit/m);
  for (const line of screen.split('\n')) assert.ok(line.length <= 80, `a line wider than the window: ${line}`);

  // A killed worker: restarting (the delay), then running again with a new pid and one more restart.
  signal(alpha.workerPid as number, 'SIGKILL');
  await onScreen(w.screen, 'alpha restarting', (s) => rowOf(s, 'alpha')?.state === 'restarting');
  screen = await onScreen(w.screen, 'alpha running again', (s) => {
    const row = rowOf(s, 'alpha');
    return row?.state === 'running' && row.pid !== alpha.workerPid && s;
  });
  const again = rowOf(screen, 'alpha') as Row;
  assert.equal(again.restarts, 1);
  assert.match(screen, / alpha: worker (started|exited)/, 'the last event on the status line');

  // r: the selected daemon (alpha) restarts.
  w.keys('r');
  screen = await onScreen(w.screen, 'the restart done', (s) => /^ restarted alpha: worker \d+/m.test(s) && s);
  const restartedPid = Number(/^ restarted alpha: worker (\d+)/m.exec(screen)?.[1]);
  screen = await onScreen(w.screen, 'its row', (s) => rowOf(s, 'alpha')?.pid === restartedPid && s);
  assert.equal(rowOf(screen, 'alpha')?.restarts, 2);
  await onScreen(w.screen, 'alpha\'s log with its new worker', (s) => s.includes(`WORKER ${restartedPid}`));

  // The log follows the selection: beta's ticks, as they are written.
  w.keys('j');
  screen = await onScreen(w.screen, "beta's log", (s) => rowOf(s, 'beta')?.selected === true && /^── beta log ─+$/m.test(s) && /^tick \d+$/m.test(s) && s);
  const lastTick = (s: string): number => Math.max(...[...s.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1])));
  const seen = lastTick(screen);
  await onScreen(w.screen, 'newer ticks', (s) => lastTick(s) > seen + 2);
  w.keys('l');
  await onScreen(w.screen, 'the log pane hidden', (s) => !/^── beta log/m.test(s));
  w.keys('l');

  // Resized: the frame follows the window.
  w.resize(100, 30);
  screen = await onScreen(w.screen, 'the wider frame', (s) => /^── beta log ─+$/m.exec(s)?.[0].length === 100 && s);
  assert.match(screen.split('\n')[29] ?? '', /^ j\/k select/, 'the keys on the last line of 30');
  w.resize(60, 12);
  screen = await onScreen(w.screen, 'the narrower frame', (s) => /^ xdaemon monit:/.test(s) && /^── beta log ─+$/m.exec(s)?.[0].length === 60 && /^ j\/k select/.test(s.split('\n')[11] ?? '') && s);
  assert.ok(rowOf(screen, 'alpha') !== undefined && rowOf(screen, 'beta') !== undefined, screen);
  w.resize(80, 24);

  // s asks first; any other key keeps it running.
  w.keys('s');
  await onScreen(w.screen, 'the question', (s) => /^ stop beta\? \(y: stop it, any other key: no\)/m.test(s));
  w.keys('n');
  await onScreen(w.screen, 'the answer', (s) => /^ beta not stopped/m.test(s));
  // / filters by name.
  w.keys('/', 'a', 'l', 'p', 'Enter');
  screen = await onScreen(w.screen, 'alpha alone', (s) => rowOf(s, 'alpha') !== undefined && rowOf(s, 'beta') === undefined && s);
  assert.match(screen, /filter "alp"/);
  assert.match(w.screenWithAttributes(), /\x1b\[[0-9;]*7m/, 'colours and attributes (the selected row inverse) on a terminal');

  // q: the shell's screen as it was, the cursor back.
  w.keys('q');
  screen = await onScreen(w.screen, 'the shell again', (s) => s.includes('BEFORE-MONIT') && /^[$#] ?$/m.test(s) && s, 15_000, true);
  assert.doesNotMatch(screen, /xdaemon monit:/);
  assert.equal(w.format('#{alternate_on}'), '0', 'the alternate screen left');
  assert.equal(w.format('#{cursor_flag}'), '1', 'the cursor shown');
  assert.equal(w.format('#{pane_current_command}'), 'sh', 'monit has exited');
});

test('in tmux with NO_COLOR: no colour nor attribute on the screen', async (t) => {
  if (!needTmux(t)) return;
  const home = newHome(t);
  await startDaemon(home, ['--name', 'gamma', '--', process.execPath, WORKER]);
  await workerRunning(home, 'gamma');
  const w = tmuxWindow(t, home, { NO_COLOR: '1' });
  w.keys(`${process.execPath} ${CLI} monit`, 'Enter');
  const screen = await onScreen(w.screenWithAttributes, 'the row', (s) => rowOf(s, 'gamma') !== undefined && s);
  assert.doesNotMatch(screen, /\x1b\[[0-9;]*m/, JSON.stringify(screen));
  assert.equal(rowOf(screen, 'gamma')?.selected, true, 'the selection shown by its mark');
  w.keys('q');
  await onScreen(w.screen, 'the shell again', (s) => /^[$#] ?$/m.test(s), 15_000, true);
});

test('stdout not a terminal: a plain table every 2 seconds until Ctrl-C', async (t) => {
  const home = newHome(t);
  await startDaemon(home, ['--name', 'plain', '--', process.execPath, WORKER]);
  const { workerPid } = await workerRunning(home, 'plain');
  const monit = xdStart(home, ['monit']);
  t.after(() => signal(monit.pid, 'SIGKILL'));
  await waitFor('two tables', () => (monit.stdout.match(/^NAME +# +STATE +PID +UPTIME +RESTARTS +CPU +MEM$/gm) ?? []).length >= 2, 15_000);
  assert.match(monit.stdout, new RegExp(`^plain +0 +running +${workerPid} +\\S+ +0 +\\S+ +[\\d.]+ MB$`, 'm'));
  assert.match(monit.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/m, 'each table after its time');
  assert.doesNotMatch(monit.stdout, /\x1b/, 'no escape sequence');
  signal(monit.pid, 'SIGINT');
  assert.equal((await monit.done).code, 0);
});

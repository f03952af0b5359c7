/**
 * `xdaemon monit` without a terminal: the keys as a terminal sends them, what each key does to the
 * view and asks of the loop, the CPU % it takes from two looks at a tree's CPU time, the
 * sparklines, and the screen as an 80 × 24 terminal shows it (every line exactly as wide, HEALTH
 * only where an instance has checks, no escape sequence with NO_COLOR, the log pane and its
 * control characters), and the plain table.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InstanceView } from '../../src/fleet/instance-view';
import { History, type MonitRow } from '../../src/cli/monit/history';
import { decodeKeys } from '../../src/cli/monit/keys';
import { type ViewState, initialState, onKey, visibleRows } from '../../src/cli/monit/model';
import { speaksUtf8 } from '../../src/cli/monit/monit';
import { plainTable, printable, renderScreen } from '../../src/cli/monit/screen';
import { sparkline } from '../../src/cli/monit/sparkline';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const view = (name: string, instance: number, extra: Partial<InstanceView> = {}): InstanceView => ({
  name,
  instance,
  state: 'ready',
  unresponsive: false,
  workerPid: 1000 + instance,
  workerStartedAt: '2026-01-01T00:59:00Z',
  ready: true,
  starts: 1,
  errors: 0,
  restarts: { exit: 0, restart: 0, reload: 0 },
  usage: { cpu: 1.5, cpuTime: 10, rss: 40 * 1024 * 1024 },
  ...extra,
});
const rowsOf = (views: InstanceView[]): MonitRow[] => new History().update(views, NOW, true);
const visible = (line: string): string => line.replace(/\x1b\[[0-9;]*m/g, '');

test('keys: characters, arrows, page keys, Enter, Backspace, Escape alone, Ctrl-C; unknown sequences skipped', () => {
  assert.deepEqual(decodeKeys('jk'), ['j', 'k']);
  assert.deepEqual(decodeKeys('\x1b[A\x1b[B\x1bOA\x1b[5~\x1b[6~'), [{ name: 'up' }, { name: 'down' }, { name: 'up' }, { name: 'pageup' }, { name: 'pagedown' }]);
  assert.deepEqual(decodeKeys('\r\x7f\x1b\x03'), [{ name: 'enter' }, { name: 'backspace' }, { name: 'escape' }, { name: 'ctrl-c' }]);
  assert.deepEqual(decodeKeys('\x1b[1;5Cq'), ['q'], 'Ctrl-Right is no key of ours');
});

test('keys: j/k select, r and R ask for a restart and a reload of the selected daemon, s asks once, / filters, l toggles the log, q quits', () => {
  const rows = rowsOf([view('api', 0), view('api', 1), view('web', 0)]);
  let state: ViewState = initialState();
  const press = (key: string | { name: 'up' | 'down' | 'enter' | 'escape' | 'backspace' | 'ctrl-c' }): ReturnType<typeof onKey> => {
    const shown = visibleRows(rows, state.mode.kind === 'filter' ? state.mode.text : state.filter);
    const out = onKey(state, key, shown, NOW);
    state = out.state;
    return out;
  };
  press('j');
  press({ name: 'down' });
  assert.equal(state.selected, 'web#0');
  press('j');
  assert.equal(state.selected, 'web#0', 'the last row stays selected');
  press('k');
  assert.equal(state.selected, 'api#1');
  assert.deepEqual(press('r').action, { kind: 'restart', name: 'api' });
  assert.match(state.message?.text ?? '', /^restarting api/);
  assert.deepEqual(press('R').action, { kind: 'reload', name: 'api' });
  assert.equal(press('s').action, undefined, 's asks first');
  assert.deepEqual(state.mode, { kind: 'confirm-stop', name: 'api' });
  assert.equal(press('x').action, undefined, 'any other key: no');
  assert.equal(state.mode.kind, 'table');
  press('s');
  assert.deepEqual(press('y').action, { kind: 'stop', name: 'api' });
  press('/');
  for (const ch of 'wex') press(ch);
  press({ name: 'backspace' });
  assert.deepEqual(state.mode, { kind: 'filter', text: 'we' });
  assert.equal(press('q').action, undefined, 'q is typed into the filter');
  press({ name: 'escape' });
  assert.equal(state.filter, '', 'Escape leaves the filter as it was');
  press('/');
  for (const ch of 'web') press(ch);
  press({ name: 'enter' });
  assert.equal(state.filter, 'web');
  assert.deepEqual(visibleRows(rows, state.filter).map((r) => r.key), ['web#0']);
  assert.deepEqual(press('r').action, { kind: 'restart', name: 'web' }, 'the selection falls to a row the filter shows');
  press('l');
  assert.equal(state.logPane, false);
  assert.deepEqual(press('q').action, { kind: 'quit' });
  assert.deepEqual(press({ name: 'ctrl-c' }).action, { kind: 'quit' });
});

test("CPU %: from two looks at the tree's CPU time; the supervisor's figure for a new worker; history a minute long", () => {
  const history = new History();
  const first = history.update([view('a', 0, { usage: { cpu: 7, cpuTime: 10, rss: 1 } })], NOW, true);
  assert.equal(first[0]?.cpu, 7, "the first look: the supervisor's figure");
  const second = history.update([view('a', 0, { usage: { cpu: 7, cpuTime: 10.5, rss: 2 } })], NOW + 1000, true);
  assert.equal(second[0]?.cpu, 50, '0.5 s of CPU in 1 s: 50 %');
  const early = history.update([view('a', 0, { usage: { cpu: 7, cpuTime: 10.6, rss: 2 } })], NOW + 1100, false);
  assert.equal(early[0]?.cpu, 50, 'a look right after (an event) keeps the figure');
  assert.equal(early[0]?.history.length, 2, 'and adds nothing to the history');
  const replaced = history.update([view('a', 0, { workerPid: 2000, usage: { cpu: 3, cpuTime: 0.1, rss: 2 } })], NOW + 2000, true);
  assert.equal(replaced[0]?.cpu, 3, 'a new worker starts from its own figures');
  let rows: MonitRow[] = [];
  for (let i = 0; i < 70; i++) rows = history.update([view('a', 0)], NOW + 3000 + i * 1000, true);
  assert.equal(rows[0]?.history.length, 60);
  assert.deepEqual(history.update([], NOW, true), [], 'a daemon gone is forgotten');
});

test('sparklines: the newest at the right, squeezed into the width, ASCII without UTF-8', () => {
  assert.equal(sparkline([0, 50, 100], 3, 100, true), '▁▅█');
  assert.equal(sparkline([0, 100], 4, 100, true), '  ▁█', 'fewer samples than cells: blank on the left');
  assert.equal(sparkline([undefined, 100], 2, 100, true), ' █', 'unknown: blank');
  assert.equal(sparkline(Array.from({ length: 60 }, (_, i) => (i < 30 ? 0 : 100)), 6, 100, true), '▁▁▁███');
  assert.equal(sparkline([0, 50, 100], 3, 100, false), '_=#');
  assert.equal(sparkline([0, 0], 2, 0, true), '▁▁', 'an all-zero series with no floor does not divide by zero');
  assert.equal(speaksUtf8({ LANG: 'en_US.UTF-8' }), true);
  assert.equal(speaksUtf8({ LC_ALL: 'C', LANG: 'en_US.UTF-8' }), false, 'LC_ALL first');
});

test('the screen at 80 × 24: every line 80 wide, a row per instance, HEALTH only where set, the selection, the log pane, the keys', () => {
  const rows = rowsOf([view('api', 0), view('api', 1, { state: 'restarting', workerPid: undefined, restarts: { exit: 1, restart: 1, reload: 0 } }), view('web', 0)]);
  const state: ViewState = { ...initialState(), selected: 'web#0' };
  const log = { title: 'web log', lines: ['line one', 'tab\there \x1b[31mred\x1b[0m \x07bell'] };
  const lines = renderScreen({ rows, state, width: 80, height: 24, colour: false, unicode: true, now: NOW, log });
  assert.equal(lines.length, 24);
  for (const l of lines) assert.equal(l.length, 80, JSON.stringify(l));
  assert.match(lines[0] as string, /^ xdaemon monit: 2 daemons, 2 worker\(s\) running/);
  assert.match(lines[1] as string, /^ {2}NAME +# STATE +PID +UPTIME RESTARTS +CPU +MEM CPU 1m +MEM 1m/);
  assert.doesNotMatch(lines[1] as string, /HEALTH/);
  assert.match(lines[2] as string, /^ {2}api +0 ready +1000 +1m 0s +0 +1\.5% +40\.0 MB [▁ ]+ +[█ ]+$/);
  assert.match(lines[3] as string, /^ {2}api +1 restarting +- +- +2 +- +- /);
  assert.match(lines[4] as string, /^> web +0 ready +1000 /);
  assert.match(lines[5] as string, /^── web log ─+$/);
  assert.equal((lines[6] as string).trimEnd(), 'line one');
  assert.equal((lines[7] as string).trimEnd(), 'tab    here red ?bell', 'escape sequences and control characters never reach the terminal');
  assert.match(lines[23] as string, /^ j\/k select {2}r restart {2}R reload {2}s stop {2}l log {2}\/ filter {2}q quit/);
  for (const l of lines) assert.doesNotMatch(l, /\x1b/, 'NO_COLOR: no escape sequence');

  const healthy = rowsOf([view('api', 0, { health: 'healthy' }), view('web', 0)]);
  const withHealth = renderScreen({ rows: healthy, state, width: 80, height: 24, colour: true, unicode: true, now: NOW, log: undefined });
  assert.match(visible(withHealth[1] as string), /STATE +HEALTH +PID/);
  assert.match(visible(withHealth[2] as string), /ready +healthy +1000/);
  assert.match(visible(withHealth[3] as string), /ready +- +1000/);
  assert.match(withHealth[2] as string, /\x1b\[0;32mready/, 'colours where NO_COLOR is unset');
  for (const l of withHealth) assert.equal(visible(l).length, 80);

  const asked = renderScreen({ rows, state: { ...state, mode: { kind: 'confirm-stop', name: 'web' } }, width: 80, height: 24, colour: false, unicode: false, now: NOW, log });
  assert.match(asked[23] as string, /^ stop web\? \(y: stop it, any other key: no\)/);
  assert.match(asked[5] as string, /^-- web log -+$/, 'ASCII rules without UTF-8');
  const small = renderScreen({ rows, state, width: 40, height: 10, colour: false, unicode: true, now: NOW, log });
  assert.equal(small.length, 10);
  for (const l of small) assert.equal(l.length, 40, 'a smaller terminal: every line cut to it');
  const none = renderScreen({ rows: [], state: initialState(), width: 80, height: 24, colour: false, unicode: true, now: NOW, log: undefined });
  assert.match(none[2] as string, /no daemons yet/);
  assert.equal(printable('a\r\nb'), 'a??b');
});

test('the plain table (stdout not a terminal): the same columns, no sparklines', () => {
  const rows = rowsOf([view('api', 0, { health: 'starting' }), view('off', 0, { state: 'errored', workerPid: undefined, usage: undefined })]);
  assert.equal(
    plainTable(rows, NOW),
    [
      'NAME  #  STATE    HEALTH     PID  UPTIME  RESTARTS   CPU      MEM',
      'api   0  ready    starting  1000   1m 0s         0  1.5%  40.0 MB',
      'off   -  errored  -            -       -         0     -        -',
    ].join('\n'),
  );
});

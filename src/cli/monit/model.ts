/**
 * What `monit` shows and how a key changes it: the selection, the filter, the log pane, the
 * question before a stop, the last message; and what a key asks to be done (a restart, a reload, a
 * stop, quitting). Pure: the loop (./monit) carries the actions out and the screen (./screen)
 * draws the state, so that every key is tested without a terminal.
 */
import type { MonitRow } from './history.js';
import type { Key } from './keys.js';

/** What the keys are read as: the table, the filter being typed, or the question before a stop. */
export type Mode = { kind: 'table' } | { kind: 'filter'; text: string } | { kind: 'confirm-stop'; name: string };

/** The view's state. */
export interface ViewState {
  /** The key of the selected row (it follows its instance as rows come and go), if any. */
  selected: string | undefined;
  /** Rows whose name holds this text (case-insensitive) are shown; '' shows all. */
  filter: string;
  mode: Mode;
  /** Whether the log pane of the selected daemon is shown. */
  logPane: boolean;
  /** The last message (an action's outcome, or the last event) and when it came (ms). */
  message: { text: string; at: number; error: boolean } | undefined;
}

/** What a key asks the loop to do. */
export type Action = { kind: 'restart' | 'reload' | 'stop'; name: string } | { kind: 'quit' };

/** The state at the start: the first row selected, the log pane shown. */
export function initialState(): ViewState {
  return { selected: undefined, filter: '', mode: { kind: 'table' }, logPane: true, message: undefined };
}

/** The rows the filter lets through, in order. Pure. */
export function visibleRows(rows: readonly MonitRow[], filter: string): MonitRow[] {
  if (filter === '') return [...rows];
  const text = filter.toLowerCase();
  return rows.filter((r) => r.name.toLowerCase().includes(text));
}

/** The index of the selected row among `rows` (the first row when the selection is not among them), or -1 when there are none. */
export function selectedIndex(state: ViewState, rows: readonly MonitRow[]): number {
  if (rows.length === 0) return -1;
  const at = rows.findIndex((r) => r.key === state.selected);
  return at >= 0 ? at : 0;
}

/** The selected row, if any. */
export function selectedRow(state: ViewState, rows: readonly MonitRow[]): MonitRow | undefined {
  return rows[selectedIndex(state, rows)];
}

/** Rows a page up or down moves. */
const PAGE = 10;

/**
 * The state after `key`, over the rows shown now (filtered), and the action it asks for. `now`
 * stamps a message.
 */
export function onKey(state: ViewState, key: Key, rows: readonly MonitRow[], now: number): { state: ViewState; action?: Action } {
  if (typeof key !== 'string' && (key.name === 'ctrl-c' || key.name === 'ctrl-d')) return { state, action: { kind: 'quit' } };
  const { mode } = state;
  if (mode.kind === 'filter') return { state: onFilterKey(state, mode.text, key) };
  if (mode.kind === 'confirm-stop') {
    const yes = key === 'y' || key === 'Y';
    return yes
      ? { state: { ...state, mode: { kind: 'table' }, message: { text: `stopping ${mode.name}…`, at: now, error: false } }, action: { kind: 'stop', name: mode.name } }
      : { state: { ...state, mode: { kind: 'table' }, message: { text: `${mode.name} not stopped`, at: now, error: false } } };
  }
  const at = selectedIndex(state, rows);
  const select = (index: number): { state: ViewState } => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    return { state: { ...state, selected: row?.key ?? state.selected } };
  };
  const current = rows[at];
  const named = typeof key === 'string' ? key : key.name;
  switch (named) {
    case 'q':
    case 'Q':
      return { state, action: { kind: 'quit' } };
    case 'up':
    case 'k':
      return select(at - 1);
    case 'down':
    case 'j':
      return select(at + 1);
    case 'pageup':
      return select(at - PAGE);
    case 'pagedown':
      return select(at + PAGE);
    case 'home':
    case 'g':
      return select(0);
    case 'end':
    case 'G':
      return select(rows.length - 1);
    case 'l':
      return { state: { ...state, logPane: !state.logPane } };
    case '/':
      return { state: { ...state, mode: { kind: 'filter', text: state.filter } } };
    case 'escape':
      return { state: { ...state, filter: '' } };
    case 'r':
    case 'R': {
      if (current === undefined) return { state };
      const kind = named === 'r' ? 'restart' : 'reload';
      return { state: { ...state, message: { text: `${kind === 'restart' ? 'restarting' : 'reloading'} ${current.name}…`, at: now, error: false } }, action: { kind, name: current.name } };
    }
    case 's':
      return current === undefined ? { state } : { state: { ...state, mode: { kind: 'confirm-stop', name: current.name } } };
    default:
      return { state };
  }
}

/** A key while the filter is typed: Enter applies it, Escape leaves it as it was. */
function onFilterKey(state: ViewState, text: string, key: Key): ViewState {
  if (typeof key === 'string') return { ...state, mode: { kind: 'filter', text: text + key } };
  switch (key.name) {
    case 'enter':
      return { ...state, filter: text.trim(), mode: { kind: 'table' } };
    case 'escape':
      return { ...state, mode: { kind: 'table' } };
    case 'backspace':
      return { ...state, mode: { kind: 'filter', text: text.slice(0, -1) } };
    default:
      return state;
  }
}

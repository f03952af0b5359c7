/**
 * The keys `monit` reads from a terminal in raw mode: the bytes of one read turned into keys (a
 * printable character, or a named key from its escape sequence). Pure.
 */

/** A key: a printable character as itself, or a named key. */
export type Key = string | { name: 'up' | 'down' | 'pageup' | 'pagedown' | 'home' | 'end' | 'enter' | 'escape' | 'backspace' | 'ctrl-c' | 'ctrl-d' | 'tab' };

/** Escape sequences of the named keys (xterm, and the variants terminals send in application mode). */
const SEQUENCES: readonly (readonly [string, Key])[] = [
  ['\x1b[A', { name: 'up' }],
  ['\x1bOA', { name: 'up' }],
  ['\x1b[B', { name: 'down' }],
  ['\x1bOB', { name: 'down' }],
  ['\x1b[5~', { name: 'pageup' }],
  ['\x1b[6~', { name: 'pagedown' }],
  ['\x1b[H', { name: 'home' }],
  ['\x1bOH', { name: 'home' }],
  ['\x1b[1~', { name: 'home' }],
  ['\x1b[F', { name: 'end' }],
  ['\x1bOF', { name: 'end' }],
  ['\x1b[4~', { name: 'end' }],
];

/** The keys in `input` (one read of stdin); escape sequences of keys not listed here are skipped. */
export function decodeKeys(input: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i] as string;
    if (ch === '\x1b') {
      const known = SEQUENCES.find(([seq]) => input.startsWith(seq, i));
      if (known !== undefined) {
        keys.push(known[1]);
        i += known[0].length;
        continue;
      }
      // An unknown sequence (CSI … final byte, or SS3 + one), or Escape alone.
      const csi = /^\x1b\[[0-9;?]*[ -/]*[@-~]/.exec(input.slice(i));
      if (csi !== null) {
        i += csi[0].length;
        continue;
      }
      if (input[i + 1] === 'O' && i + 2 < input.length) {
        i += 3;
        continue;
      }
      keys.push({ name: 'escape' });
      i += 1;
      continue;
    }
    if (ch === '\r' || ch === '\n') keys.push({ name: 'enter' });
    else if (ch === '\x7f' || ch === '\b') keys.push({ name: 'backspace' });
    else if (ch === '\x03') keys.push({ name: 'ctrl-c' });
    else if (ch === '\x04') keys.push({ name: 'ctrl-d' });
    else if (ch === '\t') keys.push({ name: 'tab' });
    else if (ch >= ' ') keys.push(ch);
    i += 1;
  }
  return keys;
}

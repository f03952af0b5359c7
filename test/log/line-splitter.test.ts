/** Cutting a byte stream into whole lines, rotation plans and time prefixes: pure, no processes. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LinePrefixer } from '../../src/log/line-prefix';
import { CONTINUED_MARKER, CUT_MARKER, LineSplitter } from '../../src/log/line-splitter';
import { needsRotation, rotationPlan } from '../../src/log/rotation';

const text = (lines: Buffer[]): string[] => lines.map((l) => l.toString('utf8'));

describe('LineSplitter', () => {
  test('lines across chunk boundaries come out whole, in order', () => {
    const s = new LineSplitter();
    assert.deepEqual(text(s.push(Buffer.from('one\ntw'))), ['one\n']);
    assert.deepEqual(text(s.push(Buffer.from('o\nthr'))), ['two\n']);
    assert.deepEqual(text(s.push(Buffer.from('ee'))), []);
    assert.deepEqual(text(s.push(Buffer.from('\n\nfour\n'))), ['three\n', '\n', 'four\n']);
    assert.deepEqual(text(s.flush()), []);
  });

  test('a last line without a newline is completed at the end of the stream', () => {
    const s = new LineSplitter();
    s.push(Buffer.from('a\npartial'));
    assert.deepEqual(text(s.flush()), ['partial\n']);
  });

  test('every split of a byte stream gives the same lines', () => {
    const input = Buffer.from('alpha\nbéta\n\ngamma gamma\nδέλτα\nend');
    const whole = text([...new LineSplitter().push(input)]);
    for (let cut = 0; cut <= input.length; cut++) {
      const s = new LineSplitter();
      assert.deepEqual(text([...s.push(input.subarray(0, cut)), ...s.push(input.subarray(cut))]), whole, `cut at ${cut}`);
    }
  });

  test('a line over the maximum is cut into marked pieces, never inside a UTF-8 character', () => {
    const s = new LineSplitter(10);
    const lines = text(s.push(Buffer.from(`${'é'.repeat(12)}\nshort\n`)));
    assert.deepEqual(lines, [
      `${'é'.repeat(5)}${CUT_MARKER}\n`,
      `${CONTINUED_MARKER}${'é'.repeat(5)}${CUT_MARKER}\n`,
      `${CONTINUED_MARKER}${'é'.repeat(2)}\n`,
      'short\n',
    ]);
    // The pieces, markers removed, are the line.
    const joined = lines.slice(0, 3).map((l) => l.replace(CUT_MARKER.toString(), '').replace(CONTINUED_MARKER.toString(), '').replace('\n', '')).join('');
    assert.equal(joined, 'é'.repeat(12));
  });

  test('a long line fed byte by byte is cut the same way', () => {
    const line = Buffer.from(`${'z'.repeat(25)}\n`);
    const s = new LineSplitter(10);
    const lines: Buffer[] = [];
    for (const byte of line) lines.push(...s.push(Buffer.from([byte])));
    assert.deepEqual(text(lines), [`${'z'.repeat(10)}${CUT_MARKER}\n`, `${CONTINUED_MARKER}${'z'.repeat(10)}${CUT_MARKER}\n`, `${CONTINUED_MARKER}zzzzz\n`]);
  });
});

describe('rotation', () => {
  test('rotate when a line would take a non-empty file beyond maxSize; never with maxSize 0', () => {
    assert.equal(needsRotation(90, 10, 100), false);
    assert.equal(needsRotation(91, 10, 100), true);
    assert.equal(needsRotation(0, 500, 100), false, 'a line longer than maxSize still goes into an empty file');
    assert.equal(needsRotation(1e9, 10, 0), false);
  });

  test('the plan: delete the oldest, shift the backups, the log becomes log.1', () => {
    assert.deepEqual(rotationPlan('/v/app.log', 3), [
      { op: 'delete', path: '/v/app.log.3' },
      { op: 'rename', from: '/v/app.log.2', to: '/v/app.log.3' },
      { op: 'rename', from: '/v/app.log.1', to: '/v/app.log.2' },
      { op: 'rename', from: '/v/app.log', to: '/v/app.log.1' },
    ]);
    assert.deepEqual(rotationPlan('/v/app.log', 0), [{ op: 'delete', path: '/v/app.log' }]);
  });
});

describe('LinePrefixer', () => {
  test('the ISO time of the supervisor lines, then the stream', () => {
    const p = new LinePrefixer();
    const at = Date.UTC(2026, 10, 22, 15, 4, 5, 123);
    assert.equal(p.prefix('out', at).toString(), '2026-11-22T15:04:05.123Z out ');
    assert.equal(p.prefix('err', at).toString(), '2026-11-22T15:04:05.123Z err ');
    assert.equal(p.prefix('out', at + 1).toString(), '2026-11-22T15:04:05.124Z out ');
  });
});

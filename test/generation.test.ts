/** The XW_DAEMON_IDX marker, parsed as Go's strconv.Atoi parses it on a 64-bit system. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseMarker } from '../src/generation';
import { FIXTURES, cleanup, records, run } from './support/fixtures';

after(cleanup);

describe('parseMarker (Go strconv.Atoi, int64)', () => {
  const cases: [string | undefined, number][] = [
    [undefined, 0], ['', 0], ['abc', 0], ['1.5', 0], [' 1', 0], ['1 ', 0], ['0x10', 0], ['1e3', 0],
    ['-1', -1], ['+2', 2], ['3', 3], ['007', 7],
    // Beyond 2^53 but within int64: a large positive generation (past every call), as in Go.
    ['9007199254740993', 9007199254740992], ['9223372036854775807', 9223372036854775807],
    ['-9223372036854775808', -9223372036854775808],
    // Beyond int64: Atoi fails, the marker counts as 0.
    ['9223372036854775808', 0], ['-9223372036854775809', 0], ['99999999999999999999', 0],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(parseMarker(input), expected));
  }
});

test('XW_DAEMON_IDX=9007199254740993: this generation is past every call, background() starts nothing', async () => {
  const res = await run(join(FIXTURES, 'bg.cjs'), [], { env: { XW_DAEMON_IDX: '9007199254740993', BG_CALLS: '3' } });
  assert.equal(res.code, 0, res.stderr);
  assert.doesNotMatch(res.stderr, /started background process/);
  assert.equal(records<{ pid: number }>(res.stdout, 'READY')[0]?.pid, res.pid, 'the code after the calls ran here');
});

/**
 * The operations table (src/control/operations.ts) and what the compiler derives from it: each
 * row's answer type, one handler per row (a missing one is a type error), a stream's handler gets
 * the stream. Checked by `npm run typecheck` (the `@ts-expect-error` lines fail it if the error
 * they expect goes away) and at run time for the rows' facts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AnswerOf, OPERATIONS, type OperationName, type StreamOperation, isOperation } from '../../src/control/operations';
import type { ControlRequest, ControlResponse } from '../../src/control/protocol';
import type { Handlers, Origin, Stream } from '../../src/daemon-process/control-server';

test('the rows: what becomes of each connection, and only own names are operations', () => {
  assert.deepEqual(
    Object.fromEntries(Object.entries(OPERATIONS).map(([name, row]) => [name, row.after])),
    { status: 'close', stop: 'until-exit', restart: 'close', reload: 'close', reopen: 'close', signal: 'close', events: 'stream' },
  );
  assert.equal(isOperation('restart'), true);
  for (const name of ['toString', '__proto__', 'constructor', 'RESTART', 42, undefined]) assert.equal(isOperation(name), false, String(name));
});

test('the types derived from the rows', () => {
  const restarted: AnswerOf<'restart'> = { workerPid: 1 };
  // @ts-expect-error: a restart's answer names the new worker.
  const noPid: AnswerOf<'restart'> = {};
  const stream: StreamOperation = 'events';
  // @ts-expect-error: a stop is answered, not streamed.
  const notStream: StreamOperation = 'stop';
  const request: ControlRequest = { op: 'status', key: 'k' };
  // @ts-expect-error: no such operation.
  const unknown: ControlRequest = { op: 'launch', key: 'k' };
  const answer: ControlResponse<'stop'> = { ok: true, killTimeout: 500 };
  const refusal: ControlResponse<'stop'> = { ok: false, error: 'busy', code: 'EBUSY' };
  assert.ok([restarted, noPid, stream, notStream, request, unknown, answer, refusal].length > 0);
});

test('a handler per row, a stream for the streamed one', () => {
  type Params<N extends OperationName> = Parameters<Handlers[N]>;
  const eventsFrom: Params<'events'>[1] extends Stream ? true : false = true;
  const stopFrom: Params<'stop'>[1] extends Origin ? true : false = true;
  const none = {} as Omit<Handlers, 'events'>;
  // @ts-expect-error: the events handler is missing.
  const incomplete: Handlers = none;
  assert.ok([eventsFrom, stopFrom, incomplete].length > 0);
});

/** A named daemon's supervisor configuration: where the supervisor finds signal-exit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveSignalExit } from '../../src/fleet/supervisor-config';

test("signal-exit is found where require.resolve finds it, without Node's package resolver", () => {
  assert.equal(resolveSignalExit(), require.resolve('signal-exit'));
});

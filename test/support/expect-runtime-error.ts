import assert from 'node:assert/strict';
import type { NodeFailureReason } from '../../src/api/placement.js';
import { RuntimeError } from '../../src/agent/runtime/driver.js';

/**
 * Asserts that `pending` rejects with a {@link RuntimeError} carrying `reason`
 * (and `op`, when given), and returns it for further checks.
 */
export async function expectRuntimeError(pending: Promise<unknown>, reason: NodeFailureReason, op?: string): Promise<RuntimeError> {
  let caught: unknown;
  try {
    await pending;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, `expected a RuntimeError (${reason}), but the call succeeded`);
  assert.ok(caught instanceof RuntimeError, `expected a RuntimeError (${reason}), got ${String(caught)}`);
  assert.equal(caught.reason, reason, `reason of: ${caught.message}`);
  if (op !== undefined) assert.equal(caught.op, op, `op of: ${caught.message}`);
  assert.ok(caught.message.length > `${caught.op} ${caught.resource}: `.length, 'the error carries the engine\'s own cause');
  return caught;
}

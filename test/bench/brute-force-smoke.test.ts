import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../bench/brute-force.js';

// The small size of the brute-force benchmark as a smoke check: 1,000 random tokens
// against a real server are all refused with 401, and a valid token keeps being
// served meanwhile. No timing assertions (figures: bench/README.md).
test('bench brute-force (small): every random token gets 401 and a valid client keeps being served', async () => {
  const f = await run({ size: 'small' });
  assert.equal(f.tokens, 1000);
  assert.deepEqual(f.statuses, { 401: 1000 });
  assert.equal(f.all401, true);
  assert.equal(f.validFailures, 0);
  assert.ok(f.underAttack.requests > 0, 'the valid client made requests during the attack');
});

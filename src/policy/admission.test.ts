import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideAdmission } from './admission.js';

test('the subnet owner is admitted in every mode', () => {
  for (const mode of ['open', 'approval', 'invite'] as const) {
    assert.equal(decideAdmission({ mode, isOwner: true, granted: false, requested: false }).admitted, true);
  }
});

test('open admits anyone; approval and invite need a grant', () => {
  assert.deepEqual(decideAdmission({ mode: 'open', isOwner: false, granted: false, requested: false }), { admitted: true, why: 'open' });
  assert.equal(decideAdmission({ mode: 'approval', isOwner: false, granted: true, requested: true }).admitted, true);
  assert.equal(decideAdmission({ mode: 'invite', isOwner: false, granted: true, requested: false }).admitted, true);
});

test('approval records a first request once; invite refuses without a record', () => {
  const first = decideAdmission({ mode: 'approval', isOwner: false, granted: false, requested: false });
  assert.equal(first.admitted, false);
  assert.equal(!first.admitted && first.record, true);
  const again = decideAdmission({ mode: 'approval', isOwner: false, granted: false, requested: true });
  assert.equal(!again.admitted && again.record, false);
  const invite = decideAdmission({ mode: 'invite', isOwner: false, granted: false, requested: false });
  assert.deepEqual(invite, { admitted: false, record: false, why: 'the subnet admits by invitation only' });
});

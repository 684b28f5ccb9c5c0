import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerId } from './container-id.js';

const VALID = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

test('a name containerd accepts is its own id', () => {
  for (const name of ['web-1', 'a.b_c-d', 'x'.repeat(76)]) assert.equal(containerId(name), name);
});

test('other names map to a valid id that differs for different names and is stable', () => {
  const names = ['idyl-test-run-pull-by-digest--2', 'idyl-test-run-pull-by-digest-2', '-lead', 'trail-', 'sp ace', 'x'.repeat(90), '', '...'];
  const ids = names.map(containerId);
  for (const id of ids) {
    assert.match(id, VALID);
    assert.ok(id.length <= 76, id);
  }
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(containerId(names[0]!), ids[0]);
  // Mapping an id again changes nothing, so callers may pass names or ids.
  for (const id of ids) assert.equal(containerId(id), id);
});

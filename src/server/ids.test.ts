import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newId } from './ids.js';

test('ids are the prefix and 16 characters, sort in the order they were minted, and do not repeat', async () => {
  const first = newId('pod');
  assert.match(first, /^pod-[a-km-np-z2-9]{16}$/);
  await new Promise((r) => setTimeout(r, 2));
  const many = Array.from({ length: 10_000 }, () => newId('pod'));
  assert.equal(new Set(many).size, many.length);
  for (const id of many) assert.ok(id > first, `${id} sorts after ${first}`);
  await new Promise((r) => setTimeout(r, 2));
  const later = newId('pod');
  assert.ok(many.every((id) => id < later));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenge } from './www-authenticate.js';

test('a Bearer challenge gives realm, service and scope', () => {
  const c = parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"');
  assert.deepEqual(c, { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' } });
});

test('Basic, unquoted values, escapes and an empty header', () => {
  assert.deepEqual(parseChallenge('Basic realm=registry'), { scheme: 'basic', params: { realm: 'registry' } });
  assert.deepEqual(parseChallenge('Bearer realm="a\\"b", error=insufficient_scope')?.params, { realm: 'a"b', error: 'insufficient_scope' });
  assert.equal(parseChallenge(''), undefined);
});

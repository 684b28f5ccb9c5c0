import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digestFor, parseReference, pinnedReference } from './image-reference.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

test('a registry port is not mistaken for a tag', () => {
  assert.deepEqual(parseReference('127.0.0.1:5000/idyl/busybox'), { repository: '127.0.0.1:5000/idyl/busybox' });
  assert.deepEqual(parseReference('127.0.0.1:5000/idyl/busybox:1.35'), { repository: '127.0.0.1:5000/idyl/busybox', tag: '1.35' });
  assert.deepEqual(parseReference(`busybox:1.35@${A}`), { repository: 'busybox', tag: '1.35', digest: A });
});

test('a digest pins the reference and the tag is dropped', () => {
  assert.equal(pinnedReference('127.0.0.1:5000/idyl/busybox:1.35', A), `127.0.0.1:5000/idyl/busybox@${A}`);
  assert.equal(pinnedReference(`127.0.0.1:5000/idyl/busybox@${A}`, undefined), `127.0.0.1:5000/idyl/busybox@${A}`);
  assert.equal(pinnedReference(`127.0.0.1:5000/idyl/busybox@${A}`, A), `127.0.0.1:5000/idyl/busybox@${A}`);
  assert.equal(pinnedReference('busybox:1.35', undefined), 'busybox:1.35');
});

test('a reference that carries another digest than the pin gives no reference at all', () => {
  assert.equal(pinnedReference(`busybox@${A}`, B), undefined);
});

test('the digest for a repository is found under Docker Hub short names too', () => {
  const repoDigests = [`127.0.0.1:5000/idyl/other@${B}`, `busybox@${A}`];
  assert.equal(digestFor(repoDigests, 'docker.io/library/busybox'), A);
  assert.equal(digestFor(repoDigests, 'busybox'), A);
  assert.equal(digestFor(repoDigests, '127.0.0.1:5000/idyl/other'), B);
  assert.equal(digestFor(repoDigests, '127.0.0.1:5000/idyl/busybox'), undefined);
});

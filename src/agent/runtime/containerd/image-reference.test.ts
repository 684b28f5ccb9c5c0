import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatImageReference, imageRecordName, parseImageReference } from './image-reference.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

test('a loopback registry with a port, a repository path and a tag', () => {
  const parsed = parseImageReference('127.0.0.1:5000/idyl/busybox:1.35');
  assert.deepEqual(parsed, { ok: true, ref: { registry: '127.0.0.1:5000', repository: 'idyl/busybox', tag: '1.35' } });
});

test('Docker Hub names get docker.io, library/ and latest', () => {
  assert.deepEqual(parseImageReference('alpine'), { ok: true, ref: { registry: 'docker.io', repository: 'library/alpine', tag: 'latest' } });
  assert.deepEqual(parseImageReference('grafana/loki:2.9'), { ok: true, ref: { registry: 'docker.io', repository: 'grafana/loki', tag: '2.9' } });
  assert.deepEqual(parseImageReference('localhost/app'), { ok: true, ref: { registry: 'localhost', repository: 'app', tag: 'latest' } });
});

test('a digest in the reference is kept; with no tag there is no implied latest', () => {
  assert.deepEqual(parseImageReference(`ghcr.io/a/b@${DIGEST}`), { ok: true, ref: { registry: 'ghcr.io', repository: 'a/b', digest: DIGEST } });
  const both = parseImageReference(`ghcr.io/a/b:v1@${DIGEST}`);
  assert.ok(both.ok);
  assert.equal(formatImageReference(both.ref), `ghcr.io/a/b:v1@${DIGEST}`);
});

test('malformed references are refused with a reason', () => {
  for (const bad of ['', 'Not/A::Reference', 'UPPER/case', 'a/b@sha256:short', 'a/b:bad tag', 'host:5000/', 'a//b']) {
    const parsed = parseImageReference(bad);
    assert.equal(parsed.ok, false, bad);
    if (!parsed.ok) assert.ok(parsed.error.length > 0);
  }
});

test('record names: the tag form, or the digest form when pinned', () => {
  const parsed = parseImageReference('127.0.0.1:5000/idyl/busybox:1.35');
  assert.ok(parsed.ok);
  assert.equal(imageRecordName(parsed.ref), '127.0.0.1:5000/idyl/busybox:1.35');
  assert.equal(imageRecordName(parsed.ref, DIGEST), `127.0.0.1:5000/idyl/busybox@${DIGEST}`);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chainIds, parseImageConfig, parseManifestDocument, sha256Digest } from './oci-image.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;

test('chain ids: the first is the diff id, each next hashes "<previous> <diff id>"', () => {
  const [first, second, third] = chainIds([A, B, C]);
  assert.equal(first, A);
  assert.equal(second, sha256Digest(`${A} ${B}`));
  assert.equal(third, sha256Digest(`${second} ${C}`));
  assert.deepEqual(chainIds([]), []);
});

test('an index is told from a manifest by its body, whatever the content type says', () => {
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'x', digest: A, size: 1, platform: { os: 'linux', architecture: 'amd64' } }] }));
  const parsedIndex = parseManifestDocument(index, 'application/json');
  assert.equal(parsedIndex.kind, 'index');
  assert.equal(parsedIndex.mediaType, 'application/vnd.oci.image.index.v1+json');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'c', digest: A, size: 2 },
      layers: [{ mediaType: 'l', digest: B, size: 3 }],
    }),
  );
  const parsed = parseManifestDocument(manifest, '');
  assert.equal(parsed.kind, 'manifest');
  assert.equal(parsed.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  assert.throws(() => parseManifestDocument(Buffer.from('{"schemaVersion":1}'), ''), /unsupported manifest/);
  assert.throws(() => parseManifestDocument(Buffer.from('{"config":{},"layers":[]}'), ''), /malformed descriptor/);
});

test('an image config gives entrypoint, cmd, env, workdir, user and diff ids; missing parts are empty', () => {
  const config = parseImageConfig(
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Entrypoint: ['/e'], Cmd: ['c'], Env: ['A=1'], WorkingDir: '/w', User: 'app' }, rootfs: { diff_ids: [A] } })),
  );
  assert.deepEqual(config, { architecture: 'amd64', os: 'linux', entrypoint: ['/e'], cmd: ['c'], env: ['A=1'], workingDir: '/w', user: 'app', diffIds: [A] });
  const bare = parseImageConfig(Buffer.from(JSON.stringify({ rootfs: { diff_ids: [] } })));
  assert.deepEqual([bare.entrypoint, bare.cmd, bare.env, bare.workingDir, bare.user], [[], [], [], '', '']);
  assert.throws(() => parseImageConfig(Buffer.from('{}')), /diff_ids/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPlatform, hostPlatform, selectPlatformManifest } from './host-platform.js';
import type { BlobDescriptor } from './oci-image.js';

const entry = (architecture: string, variant?: string, os = 'linux'): BlobDescriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${architecture}${variant ?? ''}${os}`,
  size: 1,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
});

test('the host platform is linux with the process architecture in OCI words', () => {
  const host = hostPlatform();
  assert.equal(host.os, 'linux');
  assert.equal(host.architecture, process.arch === 'x64' ? 'amd64' : process.arch);
});

test('an index entry is chosen by os and architecture; arm64 without a variant means v8', () => {
  const index = [entry('amd64', undefined, 'windows'), entry('arm', 'v7'), entry('arm64'), entry('amd64')];
  assert.equal(selectPlatformManifest(index, { os: 'linux', architecture: 'amd64' }), index[3]);
  assert.equal(selectPlatformManifest(index, { os: 'linux', architecture: 'arm64', variant: 'v8' }), index[2]);
  assert.equal(selectPlatformManifest(index, { os: 'linux', architecture: 'arm', variant: 'v6' }), undefined);
  assert.equal(selectPlatformManifest(index, { os: 'linux', architecture: 's390x' }), undefined);
  assert.equal(formatPlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }), 'linux/arm64/v8');
});

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { testImage } from '../../../../test/support/test-image.js';
import { parseImageReference, type ImageReference } from './image-reference.js';
import { parseManifestDocument, sha256Digest } from './oci-image.js';
import { isLoopbackHost, RegistryClient, RegistryError } from './registry-client.js';

function ref(text: string): ImageReference {
  const parsed = parseImageReference(text);
  assert.ok(parsed.ok);
  return parsed.ref;
}

async function busybox(t: TestContext) {
  const image = await testImage(t);
  return image ? { image, ref: ref(image.ref) } : undefined;
}

test('manifests by tag and by digest come back with the digest the registry serves', async (t) => {
  const found = await busybox(t);
  if (!found) return;
  const client = new RegistryClient();
  const byTag = await client.fetchManifest(found.ref, '1.35');
  assert.equal(byTag.digest, found.image.digest);
  assert.equal(sha256Digest(byTag.body), found.image.digest);
  const byDigest = await client.fetchManifest(found.ref, found.image.digest);
  assert.deepEqual(byDigest.body, byTag.body);
});

test('blobs stream verified; a descriptor that lies about the digest or size fails', async (t) => {
  const found = await busybox(t);
  if (!found) return;
  const client = new RegistryClient();
  const manifest = parseManifestDocument((await client.fetchManifest(found.ref, '1.35')).body, '');
  assert.equal(manifest.kind, 'manifest');
  if (manifest.kind !== 'manifest') return;
  const config = await client.fetchBlob(found.ref, manifest.config);
  assert.equal(sha256Digest(config), manifest.config.digest);
  let layerBytes = 0;
  for await (const chunk of client.openBlob(found.ref, manifest.layers[0]!)) layerBytes += chunk.length;
  assert.equal(layerBytes, manifest.layers[0]!.size);
  await assert.rejects(client.fetchBlob(found.ref, { ...manifest.config, size: manifest.config.size + 1 }), RegistryError);
  await assert.rejects(client.fetchBlob(found.ref, { ...manifest.config, digest: `sha256:${'0'.repeat(64)}` }), /404/);
});

test('a missing repository or tag is a RegistryError with the status', async (t) => {
  const found = await busybox(t);
  if (!found) return;
  const client = new RegistryClient();
  await assert.rejects(client.fetchManifest(found.ref, 'no-such-tag'), (err: unknown) => err instanceof RegistryError && err.status === 404);
  await assert.rejects(client.fetchManifest(ref(`${found.image.registry}/idyl/nothing-here:1`), '1'), (err: unknown) => err instanceof RegistryError && err.status === 404);
});

test('loopback registries are spoken to over plain HTTP, others over HTTPS unless listed insecure', () => {
  assert.ok(isLoopbackHost('127.0.0.1:5000'));
  assert.ok(isLoopbackHost('localhost:5000'));
  assert.ok(isLoopbackHost('[::1]:5000'));
  assert.ok(!isLoopbackHost('registry.example:5000'));
  assert.ok(!isLoopbackHost('127.0.0.1.example.com'));
});

/**
 * A fake token-protected registry (the real one here runs without auth): it answers
 * 401 with a Bearer challenge unless the request carries the token its own token
 * endpoint hands out for the right scope, and then forwards to the real registry.
 */
async function tokenFront(upstream: string, credentials?: string): Promise<{ server: Server; address: string; tokenRequests: string[] }> {
  const tokenRequests: string[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    if (url.pathname === '/token') {
      tokenRequests.push(`${url.searchParams.get('service')} ${url.searchParams.get('scope')} ${req.headers.authorization ?? 'anonymous'}`);
      if (credentials && req.headers.authorization !== `Basic ${Buffer.from(credentials).toString('base64')}`) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `t-${url.searchParams.get('scope')}` }));
      return;
    }
    const scope = `repository:${url.pathname.split('/').slice(2, -2).join('/')}:pull`;
    if (req.headers.authorization !== `Bearer t-${scope}`) {
      const realm = `http://${req.headers.host}/token`;
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="fake-registry",scope="${scope}"` }).end();
      return;
    }
    const answer = await fetch(`http://${upstream}${url.pathname}`, { headers: { accept: String(req.headers.accept ?? '*/*') } });
    const headers: Record<string, string> = {};
    answer.headers.forEach((v, k) => (headers[k] = v));
    res.writeHead(answer.status, headers).end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}`, tokenRequests };
}

test('a Bearer challenge is answered with an anonymous token for the pull scope, fetched once', async (t) => {
  const found = await busybox(t);
  if (!found) return;
  const front = await tokenFront(found.image.registry);
  t.after(() => front.server.close());
  const client = new RegistryClient();
  const through = ref(`${front.address}/idyl/busybox:1.35`);
  assert.equal((await client.fetchManifest(through, '1.35')).digest, found.image.digest);
  await client.fetchManifest(through, found.image.digest);
  assert.deepEqual(front.tokenRequests, ['fake-registry repository:idyl/busybox:pull anonymous']);
});

test('credentials go to the token service; refused credentials fail with the status', async (t) => {
  const found = await busybox(t);
  if (!found) return;
  const front = await tokenFront(found.image.registry, 'builder:secret');
  t.after(() => front.server.close());
  const through = ref(`${front.address}/idyl/busybox:1.35`);
  const good = new RegistryClient({ credentials: (host) => (host === front.address ? { username: 'builder', password: 'secret' } : undefined) });
  assert.equal((await good.fetchManifest(through, '1.35')).digest, found.image.digest);
  const anonymous = new RegistryClient();
  await assert.rejects(anonymous.fetchManifest(through, '1.35'), (err: unknown) => err instanceof RegistryError && err.status === 401);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RuntimeError } from '../driver.js';
import { needContainerdAndImage, scratchNamespace, type ScratchNamespace } from '../../../../test/support/containerd-test-env.js';
import type { TestImage } from '../../../../test/support/test-image.js';
import { isNotFound } from './grpc-status.js';
import { chainIds, parseImageConfig } from './oci-image.js';

let env: ScratchNamespace | undefined;

before(async () => {
  env = await scratchNamespace();
});

after(async () => {
  await env?.cleanup();
});

let busybox: TestImage | undefined;
let BUSYBOX = '';

async function ready(t: import('node:test').TestContext): Promise<ScratchNamespace | undefined> {
  busybox = await needContainerdAndImage(t);
  if (!busybox) return undefined;
  BUSYBOX = busybox.ref;
  return env;
}

test('pull by tag fetches the image, unpacks it and leaves no lease behind', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const messages: string[] = [];
  const pulled = await e.driver.pull({ uri: BUSYBOX }, 'always', (m) => messages.push(m));
  assert.equal(pulled.digest, busybox!.digest);
  assert.equal(pulled.pulled, true);
  assert.ok(messages.some((m) => m.includes(pulled.digest)), 'progress names the resolved digest');

  const { image } = await e.conn.call('images.Get', { name: BUSYBOX });
  assert.equal(image.target?.digest, pulled.digest);
  // The gc references containerd expects: manifest → config, config → unpacked snapshot.
  const manifest = await e.conn.call('content.Info', { digest: pulled.digest });
  const configDigest = manifest.info.labels['containerd.io/gc.ref.content.config'];
  assert.ok(configDigest, 'the manifest references its config');
  assert.ok(manifest.info.labels['containerd.io/gc.ref.content.l.0'], 'the manifest references its layer');
  const config = await e.conn.call('content.Info', { digest: configDigest });
  const chain = config.info.labels['containerd.io/gc.ref.snapshot.overlayfs'];
  assert.ok(chain);
  const stat = await e.conn.call('snapshots.Stat', { snapshotter: 'overlayfs', key: chain });
  assert.equal(stat.info.kind, 'COMMITTED');
  assert.deepEqual((await e.conn.call('leases.List', { filters: [] })).leases, []);
});

test('the pulled image survives garbage collection once the pull lease is gone', async (t) => {
  const e = await ready(t);
  if (!e) return;
  await e.driver.pull({ uri: BUSYBOX }, 'if_not_present');
  // Deleting an unrelated, empty lease with sync runs the collector right away.
  await e.conn.call('leases.Create', { id: 'idyl-test-gc-trigger', labels: {} });
  await e.conn.call('leases.Delete', { id: 'idyl-test-gc-trigger', sync: true });
  const { image } = await e.conn.call('images.Get', { name: BUSYBOX });
  const manifest = await e.conn.call('content.Info', { digest: image.target!.digest });
  const configDigest = manifest.info.labels['containerd.io/gc.ref.content.config']!;
  const config = parseImageConfig(await readBlob(e, configDigest));
  const top = chainIds(config.diffIds).at(-1)!;
  await e.conn.call('snapshots.Stat', { snapshotter: 'overlayfs', key: top });
});

test('if_not_present and never use the local image without asking the registry', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const first = await e.driver.pull({ uri: BUSYBOX }, 'if_not_present');
  const again = await e.driver.pull({ uri: BUSYBOX }, 'if_not_present');
  assert.equal(again.pulled, false);
  assert.equal(again.digest, first.digest);
  const never = await e.driver.pull({ uri: BUSYBOX }, 'never');
  assert.deepEqual(never, { digest: first.digest, pulled: false });
});

test('a pull pinned by digest names the record by digest and verifies it', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const digest = busybox!.digest;
  const pulled = await e.driver.pull({ uri: BUSYBOX, digest }, 'always');
  assert.equal(pulled.digest, digest);
  const { image } = await e.conn.call('images.Get', { name: `${busybox!.registry}/idyl/busybox@${digest}` });
  assert.equal(image.target?.digest, digest);
});

test('a pin the registry does not have fails with image_pull_failed and creates no record', async (t) => {
  const e = await ready(t);
  if (!e) return;
  const wrong = `sha256:${'0'.repeat(64)}`;
  await assert.rejects(e.driver.pull({ uri: BUSYBOX, digest: wrong }, 'if_not_present'), (err: unknown) => {
    assert.ok(err instanceof RuntimeError);
    assert.equal(err.reason, 'image_pull_failed');
    assert.equal(err.op, 'pull');
    return true;
  });
  await assert.rejects(e.conn.call('images.Get', { name: `${busybox!.registry}/idyl/busybox@${wrong}` }), (err: unknown) => isNotFound(err));
});

test('policy never refuses an image that is not on the node', async (t) => {
  const e = await ready(t);
  if (!e) return;
  await assert.rejects(e.driver.pull({ uri: `${busybox!.registry}/idyl/busybox:not-pulled-here` }, 'never'), (err: unknown) => {
    assert.ok(err instanceof RuntimeError);
    assert.equal(err.reason, 'image_pull_failed');
    assert.match(err.message, /pull policy is never/);
    return true;
  });
});

test('a tag the registry does not have fails with image_pull_failed naming the answer', async (t) => {
  const e = await ready(t);
  if (!e) return;
  await assert.rejects(e.driver.pull({ uri: `${busybox!.registry}/idyl/busybox:no-such-tag` }, 'always'), (err: unknown) => {
    assert.ok(err instanceof RuntimeError);
    assert.equal(err.reason, 'image_pull_failed');
    assert.match(err.message, /404/);
    return true;
  });
});

test('an unreachable registry fails with image_pull_failed', async (t) => {
  const e = await ready(t);
  if (!e) return;
  await assert.rejects(e.driver.pull({ uri: '127.0.0.1:1/idyl/busybox:1.35' }, 'always'), (err: unknown) => {
    assert.ok(err instanceof RuntimeError);
    assert.equal(err.reason, 'image_pull_failed');
    assert.match(err.message, /cannot reach/);
    return true;
  });
});

function readBlob(e: ScratchNamespace, digest: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const stream = e.conn.serverStream('content.Read', { digest });
    stream.on('data', (m: { data: Buffer }) => chunks.push(m.data));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

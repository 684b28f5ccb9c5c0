import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { PROFILE_TABLE } from '../../../api/isolation.js';
import { RuntimeError } from '../driver.js';
import { busyboxSpec, needContainerdAndImage, scratchNamespace, shortName, type ScratchNamespace } from '../../../../test/support/containerd-test-env.js';
import type { TestImage } from '../../../../test/support/test-image.js';
import type { ContainerRecord } from './api-types.js';
import { isNotFound } from './grpc-status.js';

let env: ScratchNamespace | undefined;

before(async () => {
  env = await scratchNamespace();
});

after(async () => {
  await env?.cleanup();
});

let image: TestImage | undefined;

async function ready(t: TestContext): Promise<ScratchNamespace | undefined> {
  image = await needContainerdAndImage(t);
  if (!image || !env) return undefined;
  await env.driver.pull({ uri: image.ref }, 'if_not_present');
  return env;
}

/** The busybox launch spec for `name` (after `ready`). */
function spec(name: string, overrides: Parameters<typeof busyboxSpec>[2] = {}) {
  if (!image) throw new Error('ready() first');
  return busyboxSpec(image, name, overrides);
}

/** Asserts that nothing of container `name` is left in containerd or on disk. */
async function assertNothingLeft(e: ScratchNamespace, name: string): Promise<void> {
  assert.equal(await e.driver.inspect(name), undefined, 'no container record');
  await assert.rejects(e.conn.call('tasks.Get', { containerId: name }), (err: unknown) => isNotFound(err), 'no task');
  await assert.rejects(e.conn.call('snapshots.Stat', { snapshotter: 'overlayfs', key: name }), (err: unknown) => isNotFound(err), 'no snapshot');
  assert.deepEqual((await e.conn.call('leases.List', { filters: [] })).leases, [], 'no lease');
  assert.equal(existsSync(join(e.stateDir, e.namespace, name)), false, 'no log files');
  assert.deepEqual(await e.driver.list({ 'idyl.workload': name }), []);
}

for (const profile of ['containerd-kata-qemu', 'containerd-kata-firecracker'] as const) {
  const runtime = PROFILE_TABLE[profile].runtime;
  test(`${profile}: with no Kata shim installed, start fails with containerd's own error as runtime_unavailable and leaves nothing`, async (t) => {
    const e = await ready(t);
    if (!e) return;
    const name = shortName('kata');
    const created = await e.driver.create(spec(name, { runtime }));
    assert.equal(created.runtime, runtime, 'the Kata runtime is recorded, not replaced');
    await assert.rejects(e.driver.start(name), (err: unknown) => {
      assert.ok(err instanceof RuntimeError);
      assert.equal(err.reason, 'runtime_unavailable');
      assert.equal(err.op, 'start');
      // containerd's own words, naming the shim binary it could not find.
      assert.match(err.message, new RegExp(`containerd-shim-${runtime.split('.')[2]}-v2`));
      return true;
    });
    await assertNothingLeft(e, name);
  });
}

test('field case 8: the runtime is never empty on a create call, and the one named is the one recorded', async (t) => {
  const e = await ready(t);
  if (!e) return;
  for (const runtime of ['', '   ']) {
    const name = shortName('no-runtime');
    await assert.rejects(e.driver.create(spec(name, { runtime })), (err: unknown) => {
      assert.ok(err instanceof RuntimeError);
      assert.equal(err.reason, 'create_failed');
      assert.match(err.message, /no runtime named/);
      return true;
    });
    await assertNothingLeft(e, name);
  }
  for (const profile of Object.values(PROFILE_TABLE).filter((p) => p.engine === 'containerd')) {
    const name = shortName('named');
    await e.driver.create(spec(name, { runtime: profile.runtime }));
    const record: ContainerRecord = (await e.conn.call('containers.Get', { id: name })).container;
    assert.equal(record.runtime?.name, profile.runtime);
    assert.equal((await e.driver.inspect(name))?.runtime, profile.runtime);
    await e.driver.remove(name);
  }
});

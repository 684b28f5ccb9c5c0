import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { GpuDevice } from '../../../api/gpu.js';
import { RuntimeError, type LaunchSpec } from '../driver.js';
import { createOptions } from './create-options.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const base: LaunchSpec = {
  name: 'idyl-w1-a1',
  image: { uri: '127.0.0.1:5000/idyl/busybox:1.35' },
  env: {},
  network: 'none',
  runtime: 'runc',
  labels: { 'idyl.managed': 'true', 'idyl.workload': 'w1' },
};
const gpu = (overrides: Partial<GpuDevice> = {}): GpuDevice => ({
  id: 'GPU-6f1f5e0a-0000-4000-8000-000000000001',
  vendor: 'nvidia',
  vendorId: '0x10de',
  deviceId: '0x2330',
  pciAddress: '0000:17:00.0',
  model: 'h100',
  mode: 'host-driver',
  named: true,
  ...overrides,
});

test('field case 8: every create body names the requested runtime, whatever else the spec holds', () => {
  const spec = fc.record({
    runtime: fc.constantFrom('runc', 'io.containerd.runc.v2', 'io.containerd.kata-qemu.v2'),
    network: fc.constantFrom('none' as const, 'unrestricted' as const, 'restricted-egress' as const),
    cpuMillis: fc.option(fc.integer({ min: 1, max: 64_000 }), { nil: undefined }),
    memoryBytes: fc.option(fc.integer({ min: 6 * 1024 * 1024, max: 2 ** 40 }), { nil: undefined }),
    command: fc.option(fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }), { nil: undefined }),
    args: fc.option(fc.array(fc.string(), { maxLength: 3 }), { nil: undefined }),
  });
  fc.assert(
    fc.property(spec, (overrides) => {
      const body = createOptions({ ...base, ...overrides }, 'idyl-restricted-egress');
      assert.equal(body.HostConfig?.Runtime, overrides.runtime);
    }),
  );
});

test('field case 8: a create with an empty runtime is refused before it reaches the engine', () => {
  for (const runtime of ['', '  ']) {
    assert.throws(() => createOptions({ ...base, runtime }, 'n'), (error: Error) => !(error instanceof RuntimeError) && /runtime/.test(error.message));
  }
});

test('command becomes the entrypoint and args the cmd; unset or empty leaves the image defaults', () => {
  const both = createOptions({ ...base, command: ['/bin/echo', 'a'], args: ['b'] }, 'n');
  assert.deepEqual([both.Entrypoint, both.Cmd], [['/bin/echo', 'a'], ['b']]);
  const neither = createOptions({ ...base, command: [], args: [] }, 'n');
  assert.ok(!('Entrypoint' in neither) && !('Cmd' in neither), 'an empty list does not blank the image defaults');
  const argsOnly = createOptions({ ...base, args: ['x'] }, 'n');
  assert.ok(!('Entrypoint' in argsOnly));
  assert.deepEqual(argsOnly.Cmd, ['x']);
});

test('env, labels and resource limits reach the create body', () => {
  const body = createOptions({ ...base, env: { A: '1', B: 'x=y', C: '' }, cpuMillis: 1500, memoryBytes: 256 * 1024 * 1024 }, 'n');
  assert.deepEqual(body.Env, ['A=1', 'B=x=y', 'C=']);
  assert.deepEqual(body.Labels, base.labels);
  assert.equal(body.HostConfig?.NanoCpus, 1_500_000_000);
  assert.equal(body.HostConfig?.Memory, 256 * 1024 * 1024);
  assert.equal(body.HostConfig?.MemorySwap, 256 * 1024 * 1024, 'no swap beyond the memory limit');
  const unlimited = createOptions(base, 'n').HostConfig ?? {};
  assert.ok(!('NanoCpus' in unlimited) && !('Memory' in unlimited));
});

test('each network class maps to its Docker network', () => {
  const mode = (network: LaunchSpec['network']) => createOptions({ ...base, network }, 'idyl-restricted-egress').HostConfig?.NetworkMode;
  assert.equal(mode('none'), 'none');
  assert.equal(mode('unrestricted'), 'bridge');
  assert.equal(mode('restricted-egress'), 'idyl-restricted-egress');
});

test('a pinned digest makes the container come from repository@digest, tag dropped', () => {
  assert.equal(createOptions({ ...base, image: { uri: base.image.uri, digest: DIGEST } }, 'n').Image, `127.0.0.1:5000/idyl/busybox@${DIGEST}`);
  assert.equal(createOptions(base, 'n').Image, base.image.uri);
  const conflicting = { ...base, image: { uri: `127.0.0.1:5000/idyl/busybox@sha256:${'b'.repeat(64)}`, digest: DIGEST } };
  assert.throws(() => createOptions(conflicting, 'n'), (error: RuntimeError) => error.reason === 'image_pull_failed');
});

test('NVIDIA host-driver GPUs are requested by device id', () => {
  const body = createOptions({ ...base, gpus: [gpu(), gpu({ id: 'GPU-6f1f5e0a-0000-4000-8000-000000000002' })] }, 'n');
  assert.deepEqual(body.HostConfig?.DeviceRequests, [
    { Driver: 'nvidia', DeviceIDs: ['GPU-6f1f5e0a-0000-4000-8000-000000000001', 'GPU-6f1f5e0a-0000-4000-8000-000000000002'], Capabilities: [['gpu']] },
  ]);
  assert.ok(!('DeviceRequests' in (createOptions({ ...base, gpus: [] }, 'n').HostConfig ?? {})));
});

test('a GPU a container cannot use is refused with gpu_attach_failed', () => {
  for (const device of [gpu({ mode: 'vfio' }), gpu({ vendor: 'amd', vendorId: '0x1002' }), gpu({ id: 'pci-0000:17:00.0' })]) {
    assert.throws(
      () => createOptions({ ...base, gpus: [device] }, 'n'),
      (error: RuntimeError) => error instanceof RuntimeError && error.reason === 'gpu_attach_failed' && error.message.includes(device.id),
    );
  }
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GpuRequest } from '../api/gpu.js';
import type { RuntimePolicy } from '../api/subnet.js';
import { resolveIsolation } from './resolve-isolation.js';

const GPU: GpuRequest = { count: 1 };
const MICROVM_DEFAULT: RuntimePolicy = { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' };
const STRICT_MICROVM: RuntimePolicy = { allowedIsolationClasses: ['microvm'], requireExplicitIsolationClass: true };
const BOTH: RuntimePolicy = { allowedIsolationClasses: ['container', 'microvm'] };
const BOTH_DEFAULT_CONTAINER: RuntimePolicy = { allowedIsolationClasses: ['container', 'microvm'], defaultIsolationClass: 'container' };
const CONTAINER_ONLY: RuntimePolicy = { allowedIsolationClasses: ['container'] };
const GPU_QEMU: RuntimePolicy = { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm', microvmGPU: true, allowedVMMBackends: ['qemu'] };
const GPU_ANY: RuntimePolicy = { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm', microvmGPU: true };
const GPU_BOTH_BACKENDS: RuntimePolicy = { ...GPU_ANY, allowedVMMBackends: ['qemu', 'firecracker'] };
const GPU_FIRECRACKER: RuntimePolicy = { ...GPU_ANY, allowedVMMBackends: ['firecracker'] };
const FIRECRACKER_NO_GPU: RuntimePolicy = { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm', allowedVMMBackends: ['firecracker'] };

type Row = [name: string, policy: RuntimePolicy | undefined, requested: string | undefined, gpu: GpuRequest | undefined, expected: string];

// expected: "class/source" on success, else the refusal code.
const TABLE: Row[] = [
  // 1. unknown class value
  ['unknown value, no policy', undefined, 'vm', undefined, 'invalid_isolation_class'],
  ['unknown value, with policy', MICROVM_DEFAULT, 'fast', undefined, 'invalid_isolation_class'],
  ['unknown value is refused before the policy is consulted', CONTAINER_ONLY, 'qemu', undefined, 'invalid_isolation_class'],
  ['wrong case is unknown', undefined, 'MicroVM', undefined, 'invalid_isolation_class'],
  ['empty string is unknown', undefined, '', undefined, 'invalid_isolation_class'],
  // 2. class given
  ['container, no policy', undefined, 'container', undefined, 'container/explicit'],
  ['microvm, no policy', undefined, 'microvm', undefined, 'microvm/explicit'],
  ['microvm, allowed', MICROVM_DEFAULT, 'microvm', undefined, 'microvm/explicit'],
  ['container, both allowed', BOTH, 'container', undefined, 'container/explicit'],
  ['microvm, strict and allowed', STRICT_MICROVM, 'microvm', undefined, 'microvm/explicit'],
  ['container, only microvm allowed', MICROVM_DEFAULT, 'container', undefined, 'isolation_class_not_allowed'],
  ['container, strict microvm', STRICT_MICROVM, 'container', undefined, 'isolation_class_not_allowed'],
  ['microvm, only container allowed', CONTAINER_ONLY, 'microvm', undefined, 'isolation_class_not_allowed'],
  // 3. no class given
  ['none, strict', STRICT_MICROVM, undefined, undefined, 'isolation_class_required'],
  ['none, default microvm', MICROVM_DEFAULT, undefined, undefined, 'microvm/subnet-default'],
  ['none, default container among both', BOTH_DEFAULT_CONTAINER, undefined, undefined, 'container/subnet-default'],
  ['none, policy without default', BOTH, undefined, undefined, 'isolation_class_required'],
  ['none, container-only policy without default', CONTAINER_ONLY, undefined, undefined, 'isolation_class_required'],
  ['none, no policy', undefined, undefined, undefined, 'container/platform-default'],
  // 4. GPU with microvm
  ['gpu, microvm, no policy', undefined, 'microvm', GPU, 'microvm_gpu_not_allowed'],
  ['gpu, microvm, policy without microvmGPU', MICROVM_DEFAULT, 'microvm', GPU, 'microvm_gpu_not_allowed'],
  ['gpu, default microvm without microvmGPU', MICROVM_DEFAULT, undefined, GPU, 'microvm_gpu_not_allowed'],
  ['gpu, microvm, only firecracker without microvmGPU', FIRECRACKER_NO_GPU, 'microvm', GPU, 'microvm_gpu_not_allowed'],
  ['gpu, microvm, microvmGPU but only firecracker', GPU_FIRECRACKER, 'microvm', GPU, 'microvm_gpu_backend_unsupported'],
  ['gpu, microvm, microvmGPU with qemu', GPU_QEMU, 'microvm', GPU, 'microvm/explicit'],
  ['gpu, microvm, microvmGPU with any backend', GPU_ANY, undefined, GPU, 'microvm/subnet-default'],
  ['gpu, microvm, microvmGPU with both backends', GPU_BOTH_BACKENDS, 'microvm', GPU, 'microvm/explicit'],
  ['gpu, container, no policy', undefined, 'container', GPU, 'container/explicit'],
  ['gpu, container by platform default', undefined, undefined, GPU, 'container/platform-default'],
  ['gpu, container in a firecracker-only microvm subnet that also allows container', { ...BOTH, allowedVMMBackends: ['firecracker'] }, 'container', GPU, 'container/explicit'],
  // order between the steps
  ['gpu, class not allowed comes before the GPU check', CONTAINER_ONLY, 'microvm', GPU, 'isolation_class_not_allowed'],
  ['gpu, strict without class comes before the GPU check', { ...STRICT_MICROVM, allowedVMMBackends: ['firecracker'] }, undefined, GPU, 'isolation_class_required'],
];

describe('resolveIsolation: the class-resolution table (isolation.md section 3)', () => {
  for (const [name, policy, requested, gpu, expected] of TABLE) {
    it(name, () => {
      const r = resolveIsolation(policy, requested, gpu);
      const got = r.ok ? `${r.value.class}/${r.value.source}` : r.error.code;
      assert.equal(got, expected);
    });
  }

  it('names the allowed classes when a class is not allowed', () => {
    const r = resolveIsolation(MICROVM_DEFAULT, 'container', undefined);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(r.error.message, /allows microvm/);
    assert.deepEqual(r.error.details?.allowed, ['microvm']);
    assert.equal(r.error.details?.field, 'spec.isolation.class');
  });

  it('names the allowed classes when a strict subnet gets no class', () => {
    const r = resolveIsolation(STRICT_MICROVM, undefined, undefined);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(r.error.message, /requires every workload to state its isolation class/);
    assert.deepEqual(r.error.details?.allowed, ['microvm']);
    assert.match(String(r.error.details?.hint), /--isolation-class microvm/);
  });

  it('lists the valid classes on an unknown value and uses the caller field', () => {
    const r = resolveIsolation(undefined, 'fast', undefined, 'spec.template.spec.isolation.class');
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(r.error.details?.allowed, ['container', 'microvm']);
    assert.equal(r.error.details?.field, 'spec.template.spec.isolation.class');
    assert.match(r.error.message, /valid: container, microvm/);
  });

  it('tells a firecracker-only subnet without microvmGPU that firecracker could not pass GPUs either', () => {
    const r = resolveIsolation(FIRECRACKER_NO_GPU, 'microvm', GPU);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(r.error.message, /firecracker, cannot pass GPUs through/);
  });
});

describe('resolveIsolation: hints for names that are not classes', () => {
  const HINTS: Array<[value: string, suggestion: string | undefined, hint: RegExp]> = [
    ['qemu', 'microvm', /`qemu` is a VMM backend, not an isolation class: ask for --isolation-class microvm; the subnet's --allowed-vmm-backend picks backends/],
    ['firecracker', 'microvm', /`firecracker` is a VMM backend, not an isolation class/],
    ['QEMU', 'microvm', /`QEMU` is a VMM backend/],
    ['containerd-kata-qemu', 'microvm', /`containerd-kata-qemu` is a node runtime profile, not an isolation class: ask for --isolation-class microvm; the subnet's --allowed-vmm-backend/],
    ['containerd-kata-firecracker', 'microvm', /runtime profile.*microvm/],
    ['docker', 'container', /`docker` is a node runtime profile, not an isolation class: ask for --isolation-class container/],
    ['containerd-runc', 'container', /runtime profile.*--isolation-class container/],
    ['runc', 'container', /`runc` is a runtime, not an isolation class: ask for --isolation-class container/],
    ['io.containerd.runc.v2', 'container', /is a runtime.*container/],
    ['io.containerd.kata-fc.v2', 'microvm', /is a runtime.*microvm/],
    ['kata', 'microvm', /`kata` is a runtime, not an isolation class: ask for --isolation-class microvm/],
    ['kata-qemu', 'microvm', /is a runtime.*microvm/],
    ['gvisor', 'microvm', /not offered by idyl/],
    ['vm', 'microvm', /did you mean --isolation-class microvm/],
    ['micro-vm', 'microvm', /did you mean --isolation-class microvm/],
    ['MicroVM', 'microvm', /class names are lower case: ask for --isolation-class microvm/],
    ['Container', 'container', /class names are lower case: ask for --isolation-class container/],
    ['contianer', 'container', /did you mean --isolation-class container/],
    ['microv', 'microvm', /did you mean --isolation-class microvm/],
    ['default', undefined, /leave the class out to inherit the subnet's default/],
    ['containerd', undefined, /container engine/],
    ['xyzzy', undefined, /ask for --isolation-class container or microvm/],
    ['constructor', undefined, /ask for --isolation-class container or microvm/],
    ['__proto__', undefined, /ask for --isolation-class container or microvm/],
  ];
  for (const [value, suggestion, hint] of HINTS) {
    it(`${value} → ${suggestion ?? 'no suggestion'}`, () => {
      const r = resolveIsolation(undefined, value, undefined);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.error.code, 'invalid_isolation_class');
      assert.equal(r.error.details?.suggestion, suggestion);
      assert.match(String(r.error.details?.hint), hint);
      assert.match(r.error.message, hint);
    });
  }
});

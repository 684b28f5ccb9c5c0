import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateRuntimePolicy, type RuntimePolicyInput } from './validate-runtime-policy.js';

type Refusal = [name: string, input: RuntimePolicyInput, field: string, message: RegExp];

const REFUSALS: Refusal[] = [
  ['a field without allowed classes', { defaultIsolationClass: 'microvm' }, 'allowedIsolationClasses', /required when a runtime policy is set/],
  ['strict without allowed classes', { requireExplicitIsolationClass: true }, 'allowedIsolationClasses', /required when a runtime policy is set/],
  ['backends without allowed classes', { allowedVMMBackends: ['qemu'] }, 'allowedIsolationClasses', /required/],
  ['microvmGPU without allowed classes', { microvmGPU: true }, 'allowedIsolationClasses', /required/],
  ['empty allowed classes', { allowedIsolationClasses: [] }, 'allowedIsolationClasses', /is empty/],
  ['unknown allowed class', { allowedIsolationClasses: ['microvm', 'vm'] }, 'allowedIsolationClasses[1]', /^runtimePolicy\.allowedIsolationClasses\[1\]: "vm" is not an isolation class \(valid: container, microvm\): did you mean --allowed-isolation-class microvm\?$/],
  ['backend given as an allowed class', { allowedIsolationClasses: ['qemu'] }, 'allowedIsolationClasses[0]', /it is a VMM backend; allow microvm and list the backend with --allowed-vmm-backend$/],
  ['unknown default', { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'kata' }, 'defaultIsolationClass', /"kata" is not an isolation class \(valid: container, microvm\): did you mean --default-isolation-class microvm\?$/],
  ['default outside allowed', { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'container' }, 'defaultIsolationClass', /not among the allowed classes \(microvm\)/],
  [
    'default together with strict',
    { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm', requireExplicitIsolationClass: true },
    'defaultIsolationClass',
    /cannot both be set/,
  ],
  ['backends while microvm is not allowed', { allowedIsolationClasses: ['container'], allowedVMMBackends: ['qemu'] }, 'allowedVMMBackends', /only applies to class microvm/],
  ['unknown backend', { allowedIsolationClasses: ['microvm'], allowedVMMBackends: ['cloud-hypervisor'] }, 'allowedVMMBackends[0]', /not a VMM backend \(valid: qemu, firecracker\)/],
  ['profile given as a backend', { allowedIsolationClasses: ['microvm'], allowedVMMBackends: ['containerd-kata-qemu'] }, 'allowedVMMBackends[0]', /did you mean qemu/],
  ['empty backends', { allowedIsolationClasses: ['microvm'], allowedVMMBackends: [] }, 'allowedVMMBackends', /is empty/],
  ['microvmGPU while microvm is not allowed', { allowedIsolationClasses: ['container'], microvmGPU: true }, 'microvmGPU', /only applies to class microvm/],
];

describe('validateRuntimePolicy: refusals (isolation.md section 2)', () => {
  for (const [name, input, field, message] of REFUSALS) {
    it(name, () => {
      const r = validateRuntimePolicy(input);
      assert.equal(r.ok, false, 'expected a refusal');
      if (r.ok) return;
      assert.equal(r.error.code, 'invalid_runtime_policy');
      assert.equal(r.error.details?.field, `runtimePolicy.${field}`);
      assert.match(r.error.message, message);
      assert.equal(r.error.status, 400);
    });
  }

  it('says once why a value is not a class, and never points an operator at a workload flag', () => {
    for (const value of ['vm', 'qemu', 'kata', 'gvisor', 'Microvm', 'nonsense']) {
      const r = validateRuntimePolicy({ allowedIsolationClasses: [value] });
      assert.ok(!r.ok);
      if (r.ok) continue;
      assert.equal(r.error.message.match(/not an isolation class/g)?.length, 1, r.error.message);
      assert.doesNotMatch(r.error.message, /--isolation-class /, r.error.message);
    }
  });

  it('gives the valid values for an unknown class and an unknown backend', () => {
    const c = validateRuntimePolicy({ allowedIsolationClasses: ['gvisor'] });
    const b = validateRuntimePolicy({ allowedIsolationClasses: ['microvm'], allowedVMMBackends: ['clh'] });
    assert.ok(!c.ok && !b.ok);
    if (c.ok || b.ok) return;
    assert.deepEqual(c.error.details?.allowed, ['container', 'microvm']);
    assert.deepEqual(b.error.details?.allowed, ['qemu', 'firecracker']);
  });
});

describe('validateRuntimePolicy: accepted policies', () => {
  const ACCEPTED: Array<[name: string, input: RuntimePolicyInput, expected: unknown]> = [
    ['empty object means no policy', {}, undefined],
    ['false flags alone mean no policy', { requireExplicitIsolationClass: false, microvmGPU: false }, undefined],
    ['microvm with a default', { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' }, { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' }],
    ['strict microvm', { allowedIsolationClasses: ['microvm'], requireExplicitIsolationClass: true }, { allowedIsolationClasses: ['microvm'], requireExplicitIsolationClass: true }],
    [
      'microvm on one backend',
      { allowedIsolationClasses: ['microvm'], allowedVMMBackends: ['firecracker'], requireExplicitIsolationClass: true },
      { allowedIsolationClasses: ['microvm'], allowedVMMBackends: ['firecracker'], requireExplicitIsolationClass: true },
    ],
    ['both classes', { allowedIsolationClasses: ['microvm', 'container'] }, { allowedIsolationClasses: ['container', 'microvm'] }],
    ['duplicates are dropped', { allowedIsolationClasses: ['microvm', 'microvm'], allowedVMMBackends: ['qemu', 'qemu', 'firecracker'] }, {
      allowedIsolationClasses: ['microvm'],
      allowedVMMBackends: ['qemu', 'firecracker'],
    }],
    ['false flags are the same as absent', { allowedIsolationClasses: ['container'], requireExplicitIsolationClass: false, microvmGPU: false }, { allowedIsolationClasses: ['container'] }],
    ['microvm GPU', { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm', microvmGPU: true }, {
      allowedIsolationClasses: ['microvm'],
      defaultIsolationClass: 'microvm',
      microvmGPU: true,
    }],
    ['microvmGPU with only firecracker is accepted (refused per workload at submit)', { allowedIsolationClasses: ['microvm'], allowedVMMBackends: ['firecracker'], microvmGPU: true }, {
      allowedIsolationClasses: ['microvm'],
      allowedVMMBackends: ['firecracker'],
      microvmGPU: true,
    }],
  ];
  for (const [name, input, expected] of ACCEPTED) {
    it(name, () => {
      const r = validateRuntimePolicy(input);
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      if (!r.ok) return;
      assert.deepEqual(r.value, expected);
    });
  }

  it('returns a frozen value', () => {
    const r = validateRuntimePolicy({ allowedIsolationClasses: ['container'] });
    assert.ok(r.ok && r.value && Object.isFrozen(r.value) && Object.isFrozen(r.value.allowedIsolationClasses));
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimePolicy } from '../api/subnet.js';
import { checkPolicyCompliance, planPolicyChange, type PolicySubject } from './policy-compliance.js';
import { policyAllowsBackend, policyAllowsClass } from './policy-allows.js';

describe('policyAllowsClass and policyAllowsBackend', () => {
  it('no policy allows every class and backend', () => {
    assert.ok(policyAllowsClass(undefined, 'container') && policyAllowsClass(undefined, 'microvm'));
    assert.ok(policyAllowsBackend(undefined, 'firecracker'));
  });
  it('a policy allows only its classes and backends', () => {
    const p: RuntimePolicy = { allowedIsolationClasses: ['microvm'], allowedVMMBackends: ['qemu'] };
    assert.equal(policyAllowsClass(p, 'container'), false);
    assert.equal(policyAllowsClass(p, 'microvm'), true);
    assert.equal(policyAllowsBackend(p, 'firecracker'), false);
    assert.equal(policyAllowsBackend(p, 'qemu'), true);
    assert.equal(policyAllowsBackend({ allowedIsolationClasses: ['microvm'] }, 'firecracker'), true);
  });
});

describe('checkPolicyCompliance: an existing workload against a new policy', () => {
  const MICROVM_ONLY: RuntimePolicy = { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' };
  const ROWS: Array<[name: string, policy: RuntimePolicy | undefined, subject: Omit<PolicySubject, 'id' | 'phase'>, code: string | undefined]> = [
    ['container under microvm-only', MICROVM_ONLY, { isolation: { class: 'container', source: 'platform-default' }, gpu: false }, 'isolation_class_not_allowed'],
    ['microvm under microvm-only', MICROVM_ONLY, { isolation: { class: 'microvm', source: 'explicit' }, gpu: false }, undefined],
    ['anything when the policy is cleared', undefined, { isolation: { class: 'container', source: 'subnet-default' }, gpu: false }, undefined],
    ['strictness does not apply to a frozen default', { allowedIsolationClasses: ['microvm'], requireExplicitIsolationClass: true }, { isolation: { class: 'microvm', source: 'subnet-default' }, gpu: false }, undefined],
    ['microvm GPU after microvmGPU is removed', MICROVM_ONLY, { isolation: { class: 'microvm', source: 'explicit' }, gpu: true }, 'microvm_gpu_not_allowed'],
    ['microvm GPU when only firecracker is left', { ...MICROVM_ONLY, microvmGPU: true, allowedVMMBackends: ['firecracker'] }, { isolation: { class: 'microvm', source: 'explicit' }, gpu: true }, 'microvm_gpu_backend_unsupported'],
    ['placed on a backend no longer allowed', { ...MICROVM_ONLY, allowedVMMBackends: ['qemu'] }, { isolation: { class: 'microvm', source: 'explicit' }, gpu: false, vmmBackend: 'firecracker' }, 'vmm_backend_not_allowed'],
    ['placed on an allowed backend', { ...MICROVM_ONLY, allowedVMMBackends: ['qemu'] }, { isolation: { class: 'microvm', source: 'explicit' }, gpu: false, vmmBackend: 'qemu' }, undefined],
    ['container GPU is not affected by microvmGPU', { allowedIsolationClasses: ['container', 'microvm'] }, { isolation: { class: 'container', source: 'explicit' }, gpu: true }, undefined],
  ];
  for (const [name, policy, subject, code] of ROWS) {
    it(name, () => assert.equal(checkPolicyCompliance(policy, subject)?.code, code));
  }
});

describe('planPolicyChange (isolation.md section 8)', () => {
  const subjects: PolicySubject[] = [
    { id: 'p1', phase: 'Pending', isolation: { class: 'container', source: 'platform-default' }, gpu: false },
    { id: 'p2', phase: 'Pending', isolation: { class: 'microvm', source: 'explicit' }, gpu: false },
    { id: 'r1', phase: 'Running', isolation: { class: 'container', source: 'explicit' }, gpu: false },
    { id: 'r2', phase: 'Running', isolation: { class: 'microvm', source: 'explicit' }, gpu: false, vmmBackend: 'qemu' },
    { id: 's1', phase: 'Succeeded', isolation: { class: 'container', source: 'explicit' }, gpu: false },
    { id: 'p3', phase: 'Pending', isolation: { class: 'microvm', source: 'explicit' }, gpu: false, vmmBackend: 'qemu' },
  ];

  it('fails pending workloads the policy no longer allows and marks running ones non-compliant', () => {
    const plan = planPolicyChange({ allowedIsolationClasses: ['microvm'], allowedVMMBackends: ['firecracker'] }, subjects);
    assert.deepEqual(plan.fail.map((f) => [f.id, f.violation.code]), [['p1', 'isolation_class_not_allowed']]);
    assert.deepEqual(plan.nonCompliant.map((f) => [f.id, f.violation.code]), [
      ['r1', 'isolation_class_not_allowed'],
      ['r2', 'vmm_backend_not_allowed'],
    ]);
    assert.deepEqual(plan.compliant, []);
    assert.deepEqual(plan.effects, { pendingFailed: 1, runningNonCompliant: 2, unaffected: 3 });
  });

  it('clearing the policy leaves everything compliant', () => {
    const plan = planPolicyChange(undefined, subjects);
    assert.deepEqual(plan.effects, { pendingFailed: 0, runningNonCompliant: 0, unaffected: 6 });
    assert.deepEqual(plan.compliant, ['r1', 'r2']);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimePolicy } from '../api/subnet.js';
import { applyRuntimePolicyPatch } from './apply-runtime-policy-patch.js';

const MICROVM_DEFAULT: RuntimePolicy = { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm' };

describe('applyRuntimePolicyPatch: JSON merge patch, then validation', () => {
  it('replaces a given field and keeps the others', () => {
    const r = applyRuntimePolicyPatch(MICROVM_DEFAULT, { allowedVMMBackends: ['firecracker'] });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm', allowedVMMBackends: ['firecracker'] });
  });

  it('removes a field set to null', () => {
    const r = applyRuntimePolicyPatch({ ...MICROVM_DEFAULT, microvmGPU: true }, { microvmGPU: null });
    assert.ok(r.ok);
    assert.deepEqual(r.value, MICROVM_DEFAULT);
  });

  it('clears the whole policy when the patch is null', () => {
    const r = applyRuntimePolicyPatch(MICROVM_DEFAULT, null);
    assert.ok(r.ok);
    assert.equal(r.value, undefined);
  });

  it('yields no policy when every field is removed', () => {
    const r = applyRuntimePolicyPatch(MICROVM_DEFAULT, { allowedIsolationClasses: null, defaultIsolationClass: null });
    assert.ok(r.ok);
    assert.equal(r.value, undefined);
  });

  it('refuses a patch that leaves the policy inconsistent, naming the field', () => {
    const r = applyRuntimePolicyPatch(MICROVM_DEFAULT, { requireExplicitIsolationClass: true });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.code, 'invalid_runtime_policy');
    assert.equal(r.error.details?.field, 'runtimePolicy.defaultIsolationClass');
  });

  it('going strict works when the default is removed in the same patch', () => {
    const r = applyRuntimePolicyPatch(MICROVM_DEFAULT, { requireExplicitIsolationClass: true, defaultIsolationClass: null });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { allowedIsolationClasses: ['microvm'], requireExplicitIsolationClass: true });
  });

  it('refuses removing the allowed classes while other fields stay', () => {
    const r = applyRuntimePolicyPatch(MICROVM_DEFAULT, { allowedIsolationClasses: null });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.details?.field, 'runtimePolicy.allowedIsolationClasses');
  });

  it('refuses a patch of backends onto no policy', () => {
    const r = applyRuntimePolicyPatch(undefined, { allowedVMMBackends: ['qemu'] });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(r.error.message, /required when a runtime policy is set/);
  });

  it('an empty patch keeps the policy as it was', () => {
    const r = applyRuntimePolicyPatch(MICROVM_DEFAULT, {});
    assert.ok(r.ok);
    assert.deepEqual(r.value, MICROVM_DEFAULT);
  });

  it('does not change the current policy value', () => {
    const current: RuntimePolicy = { allowedIsolationClasses: ['container', 'microvm'] };
    applyRuntimePolicyPatch(current, { allowedIsolationClasses: ['microvm'] });
    assert.deepEqual(current, { allowedIsolationClasses: ['container', 'microvm'] });
  });
});

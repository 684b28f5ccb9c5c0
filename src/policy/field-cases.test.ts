import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseGpuRequest } from '../api/gpu.js';
import { unwrap } from '../api/outcome.js';
import { resolveIsolation } from './resolve-isolation.js';
import { validateRuntimePolicy } from './validate-runtime-policy.js';

// Field cases (shared/cases/field-cases.md) that are decided at submit, by policy alone.
describe('field cases decided at submit', () => {
  it('case 10: a strict subnet given a workload without a class refuses it, never defaults it', () => {
    const policy = unwrap(validateRuntimePolicy({ allowedIsolationClasses: ['microvm'], requireExplicitIsolationClass: true }));
    const r = resolveIsolation(policy, undefined, undefined);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.code, 'isolation_class_required');
    assert.equal(r.error.status, 422);
    // Even a single allowed class is not silently picked.
    assert.match(r.error.message, /requires every workload to state its isolation class/);
  });

  it('case 12: an unknown class value is refused with invalid_isolation_class and the valid values', () => {
    for (const value of ['sandboxed', 'kata', 'hvm', 'CONTAINER']) {
      const r = resolveIsolation(undefined, value, undefined);
      assert.equal(r.ok, false, value);
      if (r.ok) continue;
      assert.equal(r.error.code, 'invalid_isolation_class');
      assert.equal(r.error.status, 400);
      assert.deepEqual(r.error.details?.allowed, ['container', 'microvm']);
      assert.match(r.error.message, /container, microvm/);
    }
  });

  it('case 18: microvm + GPU where Firecracker is the only allowed backend is refused as microvm_gpu_backend_unsupported', () => {
    const policy = unwrap(
      validateRuntimePolicy({ allowedIsolationClasses: ['microvm'], defaultIsolationClass: 'microvm', allowedVMMBackends: ['firecracker'], microvmGPU: true }),
    );
    const gpu = unwrap(parseGpuRequest('1', 'spec.gpu'));
    for (const requested of ['microvm', undefined]) {
      const r = resolveIsolation(policy, requested, gpu);
      assert.equal(r.ok, false);
      if (r.ok) continue;
      assert.equal(r.error.code, 'microvm_gpu_backend_unsupported');
      assert.match(r.error.message, /firecracker, which has no device passthrough/);
    }
    // The same workload without a GPU is fine there.
    assert.deepEqual(resolveIsolation(policy, undefined, undefined), { ok: true, value: { class: 'microvm', source: 'subnet-default' } });
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RuntimeProfile } from '../../api/isolation.js';
import type { RuntimePolicy } from '../../api/subnet.js';
import { nodeView, podToPlace, runFilter } from '../test-support.js';
import { vmmBackendFilter } from './vmm-backend.js';

describe('vmmBackendFilter (check 5): microvm nodes on an allowed backend', () => {
  const FC: RuntimePolicy = { allowedIsolationClasses: ['microvm'], allowedVMMBackends: ['firecracker'] };
  const QEMU: RuntimePolicy = { allowedIsolationClasses: ['microvm', 'container'], allowedVMMBackends: ['qemu'] };
  const ANY: RuntimePolicy = { allowedIsolationClasses: ['microvm'] };
  const ROWS: Array<[profile: RuntimeProfile, cls: string, policy: RuntimePolicy | undefined, expected: string | undefined]> = [
    ['containerd-kata-qemu', 'microvm', FC, 'vmm_backend_not_allowed'],
    ['containerd-kata-firecracker', 'microvm', FC, undefined],
    ['containerd-kata-qemu', 'microvm', QEMU, undefined],
    ['containerd-kata-firecracker', 'microvm', QEMU, 'vmm_backend_not_allowed'],
    ['containerd-kata-firecracker', 'microvm', ANY, undefined],
    ['containerd-kata-qemu', 'microvm', undefined, undefined],
    // Backends say nothing about containers.
    ['docker', 'container', QEMU, undefined],
  ];
  for (const [profile, cls, policy, expected] of ROWS) {
    it(`${cls} on ${profile} with backends ${policy?.allowedVMMBackends?.join(',') ?? 'unset'}: ${expected ?? 'eligible'}`, () => {
      const r = runFilter(vmmBackendFilter, nodeView('n1', profile), podToPlace('p', cls, { subnetPolicy: policy }));
      assert.equal(r.reason, expected);
      if (expected) assert.match(r.detail ?? '', /is not allowed by the subnet's runtime policy/);
    });
  }
});

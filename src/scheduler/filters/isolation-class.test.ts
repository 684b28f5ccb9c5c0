import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RUNTIME_PROFILES, type RuntimeProfile } from '../../api/isolation.js';
import { nodeView, podToPlace, runFilter } from '../test-support.js';
import { isolationClassFilter } from './isolation-class.js';

describe('isolationClassFilter (check 4): a node serves exactly the class of its profile', () => {
  const SERVES: Record<RuntimeProfile, string> = {
    docker: 'container',
    'containerd-runc': 'container',
    'containerd-kata-qemu': 'microvm',
    'containerd-kata-firecracker': 'microvm',
  };
  for (const profile of RUNTIME_PROFILES) {
    for (const cls of ['container', 'microvm', 'vm']) {
      const expected = SERVES[profile] === cls ? undefined : 'isolation_class_unsupported';
      it(`${cls} on ${profile}: ${expected ?? 'eligible'}`, () => {
        const r = runFilter(isolationClassFilter, nodeView('n1', profile), podToPlace('p', cls));
        assert.equal(r.reason, expected);
        if (expected) assert.match(r.detail ?? '', new RegExp(`profile ${profile} serves class ${SERVES[profile]}`));
      });
    }
  }
});

import type { Filter } from './filter.js';

/**
 * Check 5: for `microvm`, the node's VMM backend is among the subnet's allowed
 * backends when the policy lists them (`vmm_backend_not_allowed`).
 */
export const vmmBackendFilter: Filter = {
  reasons: ['vmm_backend_not_allowed'],
  check: (node, _load, pod) => {
    if (pod.isolationClass !== 'microvm' || pod.allowedBackends === undefined) return undefined;
    return node.vmmBackend !== undefined && pod.allowedBackends.includes(node.vmmBackend) ? undefined : 'vmm_backend_not_allowed';
  },
  detail: (node) => `backend ${node.vmmBackend ?? 'none'} is not allowed by the subnet's runtime policy`,
  detailIsPerNode: () => true,
};

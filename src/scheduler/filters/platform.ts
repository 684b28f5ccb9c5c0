import type { Filter } from './filter.js';

/** Check 6: the node's platform is the one the pod asks for, if it asks (`platform_mismatch`). */
export const platformFilter: Filter = {
  reasons: ['platform_mismatch'],
  check: (node, _load, pod) => (pod.platform === undefined || pod.platform === node.platform ? undefined : 'platform_mismatch'),
  detail: (node) => `the node is ${node.platform ?? 'of unknown platform'}`,
  detailIsPerNode: () => true,
};

import type { Filter } from './filter.js';

/**
 * Check 3: the node's capability report is present, verified and consistent
 * (`capability_unverified`; see `assessCapability`). Fails closed.
 */
export const capabilityFilter: Filter = {
  reasons: ['capability_unverified'],
  check: (node) => (node.trusted ? undefined : 'capability_unverified'),
  detail: (node) => node.distrust ?? 'the capability report cannot be trusted',
  detailIsPerNode: () => true,
};
